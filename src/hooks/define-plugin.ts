import { KIND } from "../util/brand.ts";
import type { BackupProvider } from "./backup.ts";
import type { BatchPolicy } from "./batching.ts";
import type { HookContext, HookName, HookPayloads } from "./types.ts";

export type HookHandler<K extends HookName> = (payload: HookPayloads[K], context: HookContext) => void | Promise<void>;
export type HookOrder = "pre" | "post";
export type HookEntry<K extends HookName> = HookHandler<K> | { handler: HookHandler<K>; order?: HookOrder };
export type PluginHooks = { [K in HookName]?: HookEntry<K> };

/** A CLI command a plugin adds: `strata <name> [args]`. */
export interface PluginCommand {
  name: string;
  description: string;
  /** Flags as cac spells them: `--dry-run`, `--limit <n>`. */
  options?: { flag: string; description: string }[];
  run(context: PluginCommandContext): void | Promise<void>;
}

export interface PluginCommandContext {
  args: string[];
  options: Record<string, unknown>;
  environment: string;
  /** The database URL (password included: never print it; use `database`). */
  url: string;
  /** The database URL with its password masked. */
  database: string;
  cwd: string;
  log(message: string): void;
}

export interface Plugin {
  name: string;
  /** Runs this plugin's hooks before ("pre") or after ("post") the others, as in Vite. */
  enforce?: "pre" | "post";
  hooks: PluginHooks;
  commands?: PluginCommand[];
  /** Takes, lists and restores backups (one plugin at a time provides them). */
  backup?: BackupProvider;
  /** Chooses chunk sizes, pacing and retry backoff for data transforms (one plugin at a time). */
  batching?: BatchPolicy;
}

/**
 * Declares a plugin: a name, typed hooks, optional CLI commands. Only adds types and a
 * brand; returns the same object.
 *
 * Errors: a `before` hook that throws `abort("reason")` stops the run with PLUGIN_ABORTED
 * and nothing applied; any other error there is PLUGIN_FAILED. An error in an `after`,
 * `error`, `end` or `progress` hook is reported as a warning and changes nothing.
 *
 * @example
 * export default definePlugin({
 *   name: "audit",
 *   hooks: {
 *     "migration:after": ({ id, durationMs }, { log }) => log(`${id} took ${durationMs} ms`),
 *     "run:start": ({ environment }) => { if (environment === "production" && !process.env.APPROVED) abort("not approved"); },
 *   },
 * });
 */
export function definePlugin<P extends Plugin>(plugin: P): P {
  Object.defineProperty(plugin, KIND, { value: "plugin", enumerable: false });
  return plugin;
}

const ABORT = Symbol.for("strata.abort");

/** Thrown by a `before` hook to stop the run with a reason: `abort("change freeze")`. */
export function abort(reason: string): never {
  const error = new Error(reason) as Error & { [ABORT]: true };
  error[ABORT] = true;
  throw error;
}

export function isAbort(error: unknown): error is Error {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[ABORT] === true;
}
