import type { Migrator, MigratorEvent } from "../core/migrator.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Output } from "./render.ts";

export interface GlobalFlags {
  config?: string;
  env?: string;
  url?: string;
  json: boolean;
  yes: boolean;
  quiet: boolean;
  color: boolean;
  lockTimeout?: number;
}

export interface CommandContext {
  args: string[];
  /** This command's own flags, camelCased as cac parses them. */
  options: Record<string, unknown>;
  global: GlobalFlags;
  out: Output;
  runtime: Runtime;
  cwd: string;
  /** The command's Migrator (one per run) for the global flags; `onEvent` replaces the default renderer from then on. */
  migrator(onEvent?: (event: MigratorEvent) => void): Migrator;
  /** Asks on the terminal; without one, returns false (callers then require --yes). */
  isInteractive(): boolean;
  confirm(question: string): Promise<boolean>;
}

/** One CLI command: a small definition file per command, as citty's defineCommand. */
export interface CommandDefinition {
  /** cac syntax: `up`, `new <name>`, `resolve <id>`. */
  name: string;
  description: string;
  options?: { flag: string; description: string }[];
  examples?: string[];
  /** Resolves with the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}

export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}
