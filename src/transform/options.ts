import { StrataError } from "../errors.ts";

/** Options of `this.transform(table, options, fn)` in a migration. */
export interface TransformOptions {
  /** Columns read and passed to the row function; the primary key is always included. */
  columns?: string[];
  /** Rows per chunk to start with (default 1000); adapted toward `targetChunkMs`. */
  batchSize?: number;
  /** Worker threads for the row function (default: cores - 1, at least 1); 0 runs it in the main thread. */
  workers?: number;
  /** SQL filter: only rows matching it are read and written. */
  where?: string;
  /** Rows per second at most, across this process's chunks. */
  maxRowsPerSecond?: number;
  /** Pause between chunks, in ms (default 0). */
  pauseMs?: number;
  /** Copy-and-transform into this table instead of updating the source. */
  into?: string;
  /** Attempts per chunk after the first (default 3), with backoff. */
  retries?: number;
  /** Chunk duration the batch size is adapted toward, in ms (default 250; 0 keeps batchSize fixed). */
  targetChunkMs?: number;
  /** Smallest and largest chunk when adapting (default 100 and 5,000: chunks in flight bound the memory; at 10,000 two workers pushed peak RSS past 250 MB for about 5% more rows/s). */
  minBatchSize?: number;
  maxBatchSize?: number;
}

/** A method name of the migration class, or a pure-SQL batched update. */
export type TransformFunction = string | { set: Record<string, string> };

export interface ResolvedTransform {
  id: string;
  migrationId: string;
  file: string;
  table: string;
  columns: string[];
  batchSize: number;
  minBatchSize: number;
  maxBatchSize: number;
  workers: number;
  where?: string;
  into?: string;
  maxRowsPerSecond?: number;
  pauseMs: number;
  retries: number;
  targetChunkMs: number;
  method?: string;
  set?: Record<string, string>;
}

const invalid = (what: string) =>
  new StrataError("TRANSFORM_FAILED", `this.transform(): ${what}`, { hint: 'See README "Data transforms" for the options.' });

const positive = (value: unknown, name: string, fallback: number, min = 1): number => {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) throw invalid(`${name} must be a number ≥ ${min}, got ${JSON.stringify(value)}.`);
  return Math.floor(value);
};

export function resolveTransform(input: { migrationId: string; file: string; index: number; direction: "up" | "down"; table: string; options: TransformOptions | undefined; fn: TransformFunction; defaultWorkers: number }): ResolvedTransform {
  const { table, fn } = input;
  const o = input.options ?? {};
  if (typeof table !== "string" || table === "") throw invalid(`the table must be a non-empty string, got ${JSON.stringify(table)}.`);
  if (o.columns !== undefined && (!Array.isArray(o.columns) || o.columns.some((c) => typeof c !== "string"))) throw invalid("columns must be an array of column names.");
  const set = typeof fn === "object" && fn !== null ? fn.set : undefined;
  if (typeof fn !== "string" && (!set || typeof set !== "object" || Object.keys(set).length === 0)) {
    throw invalid('the third argument must be a method name of the migration, or { set: { column: "sql expression" } }.');
  }
  if (set && o.into) throw invalid("{ set } updates the table in place; it cannot be combined with into.");
  const minBatchSize = positive(o.minBatchSize, "minBatchSize", 100);
  const maxBatchSize = positive(o.maxBatchSize, "maxBatchSize", 5_000);
  return {
    // A rollback's transform is a transform of its own: the up one's checkpoints say nothing about it.
    id: `${input.migrationId}.${table}${input.index > 0 ? `.${input.index + 1}` : ""}${input.direction === "down" ? ".down" : ""}`,
    migrationId: input.migrationId,
    file: input.file,
    table,
    columns: [...(o.columns ?? [])],
    batchSize: positive(o.batchSize, "batchSize", 1000),
    minBatchSize,
    maxBatchSize: Math.max(minBatchSize, maxBatchSize),
    workers: set ? 0 : positive(o.workers, "workers", input.defaultWorkers, 0),
    ...(o.where ? { where: o.where } : {}),
    ...(o.into ? { into: o.into } : {}),
    ...(o.maxRowsPerSecond !== undefined ? { maxRowsPerSecond: positive(o.maxRowsPerSecond, "maxRowsPerSecond", 0) } : {}),
    pauseMs: positive(o.pauseMs, "pauseMs", 0, 0),
    retries: positive(o.retries, "retries", 3, 0),
    targetChunkMs: positive(o.targetChunkMs, "targetChunkMs", 250, 0),
    ...(typeof fn === "string" ? { method: fn } : { set: set! }),
  };
}
