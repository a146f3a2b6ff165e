import { createBunRuntime } from "./bun.ts";
import { createDenoRuntime } from "./deno.ts";
import { createNodeRuntime } from "./node.ts";
import type { Row } from "./sqlite.ts";

/**
 * Runtime differences in one place, as cac detects Deno, Bun or Node: environment,
 * arguments, exit, terminals, importing user files and the local SQLite driver. The core
 * asks this object and never checks which runtime it is on.
 */
export type RuntimeName = "node" | "bun" | "deno";

/** A synchronous local SQLite connection (libsql on Node, bun:sqlite on Bun). */
export interface SqliteDatabase {
  /** Runs several statements, no parameters. */
  exec(sql: string): void;
  /**
   * One statement with bound parameters: its rows (empty for writes) and changed-row count.
   * `exact`: integers beyond 2^53 read as bigint (see exactIntegers); strata's own
   * bookkeeping, whose integers are small, reads plain numbers, which is faster.
   */
  execute(sql: string, params: readonly unknown[], exact: boolean): { rows: Row[]; changes: number };
  close(): void;
}

export interface SqliteOpenOptions {
  readonly?: boolean;
  /** busy_timeout: how long a write waits for another connection's lock, in ms. */
  timeoutMs?: number;
}

export interface Runtime {
  readonly name: RuntimeName;
  readonly version: string;
  env(name: string): string | undefined;
  argv(): string[];
  cwd(): string;
  /** Exits once stdout and stderr have flushed (a pipe may still hold output). */
  exit(code: number): Promise<never>;
  /** Handles SIGINT and SIGTERM (the CLI: stop after the current migration, then exit). */
  onStopSignals(handler: (signal: "SIGINT" | "SIGTERM") => void): void;
  /** Output to a reader that has gone (`strata up | head -1`) is dropped: the command still finishes and exits with its code. */
  ignoreBrokenPipes(): void;
  isTTY(stream: "stdin" | "stdout" | "stderr"): boolean;
  /** Writes CLI output to stdout or stderr. */
  write(stream: "stdout" | "stderr", text: string): void;
  /**
   * Imports a user file (config, migration, seeder, plugin); `"strata"` inside it resolves
   * to the running core. A `version` (the file's checksum) makes an edited file load anew in
   * the same process instead of coming from the module cache.
   */
  importModule(file: string, version?: string): Promise<Record<string, unknown>>;
  /** The built-in plugins ("strata/plugins"), loaded only when needed (e.g. backup on without a backup plugin). */
  importBuiltinPlugins(): Promise<Record<string, unknown>>;
  openSqlite(path: string, options: SqliteOpenOptions): Promise<SqliteDatabase>;
  /** The module worker threads load to run a transform's row function, or undefined where threads are not used (Deno). */
  transformWorker(): { filename: string; execArgv?: string[] } | undefined;
  /**
   * A full garbage collection, where the runtime offers one (Bun). Long transforms call it
   * now and then: Bun's collector otherwise lets their heap grow by ~60 MB first.
   */
  collectGarbage?(): void;
}

let current: Runtime | undefined;

export function getRuntime(): Runtime {
  return (current ??= detectRuntime());
}

function detectRuntime(): Runtime {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return createBunRuntime();
  if (g.Deno !== undefined) return createDenoRuntime();
  return createNodeRuntime();
}

/** Replaces the detected runtime (the compiled binary installs one carrying its own modules). */
export function setRuntime(runtime: Runtime): void {
  current = runtime;
}
