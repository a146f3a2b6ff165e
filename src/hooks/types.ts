/**
 * The hook map: hook name -> payload. Payloads are plain data (ids, names, counts,
 * durations), never live engine objects, so the hook API does not change when the engine
 * does. A wrong hook name or payload is a type error in a plugin.
 */
export type Direction = "up" | "down";

export interface PlannedMigration {
  id: string;
  name: string;
  direction: Direction;
}

export interface ErrorInfo {
  code: string;
  message: string;
  migrationId?: string;
  statement?: string;
}

export interface RunInfo {
  /** The command: "up", "down", "seed", ... */
  command: string;
  environment: string;
  /** The database URL with its password masked. */
  database: string;
  dialect: string;
  dryRun: boolean;
}

export interface HookPayloads {
  "run:start": RunInfo & { plan: PlannedMigration[] };
  "run:end": RunInfo & { success: boolean; applied: string[]; rolledBack: string[]; durationMs: number; migrations: { id: string; direction: Direction; durationMs: number }[]; error?: ErrorInfo };
  "migration:before": { id: string; name: string; direction: Direction; environment: string; dryRun: boolean; index: number; total: number };
  "migration:after": { id: string; name: string; direction: Direction; environment: string; dryRun: boolean; durationMs: number; batch?: number };
  "migration:error": { id: string; name: string; direction: Direction; environment: string; durationMs: number; error: ErrorInfo };
  "rollback:before": { environment: string; migrations: string[]; dryRun: boolean };
  "rollback:after": { environment: string; rolledBack: string[]; durationMs: number; dryRun: boolean };
  "seed:before": { environment: string; database: string; dialect: string; seeders: string[] };
  "seed:after": { environment: string; database: string; dialect: string; seeders: string[]; durationMs: number; success: boolean; error?: ErrorInfo };
  "backup:before": { environment: string; database: string; dialect: string; reason: "run" | "command" };
  "backup:after": { environment: string; database: string; file: string; sizeBytes: number; durationMs: number };
  "transform:start": { id: string; migrationId: string; table: string; rowsTotal: number; rowsDone: number; workers: number; batchSize: number };
  "transform:batchBefore": { id: string; table: string; batch: number; keyRange: { from: unknown; to: unknown }; size: number };
  "transform:batchAfter": { id: string; table: string; batch: number; keyRange: { from: unknown; to: unknown }; rows: number; changed: number; durationMs: number };
  "transform:progress": { id: string; table: string; rowsDone: number; rowsTotal: number; rowsPerSecond: number; etaMs: number | null };
  "transform:end": { id: string; table: string; state: "done" | "paused" | "failed"; rowsDone: number; rowsTotal: number; durationMs: number; error?: ErrorInfo };
}

export type HookName = keyof HookPayloads;

export const HOOK_NAMES: readonly HookName[] = [
  "run:start", "run:end", "migration:before", "migration:after", "migration:error",
  "rollback:before", "rollback:after", "seed:before", "seed:after", "backup:before", "backup:after",
  "transform:start", "transform:batchBefore", "transform:batchAfter", "transform:progress", "transform:end",
];

/** Hooks whose failure stops the run (and that may abort it); every other hook only warns. */
export const BLOCKING_HOOKS: ReadonlySet<HookName> = new Set<HookName>(["run:start", "migration:before", "rollback:before", "seed:before", "backup:before", "transform:start", "transform:batchBefore"]);

/** What every hook receives besides its payload. */
export interface HookContext {
  readonly plugin: string;
  readonly environment: string;
  /** Prints a line attributed to the plugin. */
  log(message: string): void;
}
