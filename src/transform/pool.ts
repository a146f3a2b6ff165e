import type { Row } from "../runtime/sqlite.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { applyRows, loadInstance, type RowTask } from "./worker.ts";

/** Runs the row function over a chunk: in worker threads, or in this thread (workers: 0). */
export interface RowPool {
  readonly threads: number;
  /** Results in the order of `rows`; split into up to `slices` parts run on different threads at once. */
  run(rows: Row[], slices?: number): Promise<(Row | null)[]>;
  close(): Promise<void>;
}

export interface PoolOptions {
  runtime: Runtime;
  workers: number;
  file: string;
  version: string;
  method: string;
  keys: string[];
}

/**
 * A tinypool of worker threads, each importing the migration file once. Where the runtime
 * has no worker entry (Deno), or workers is 0, the rows are transformed in this thread.
 */
export async function createRowPool(options: PoolOptions): Promise<RowPool> {
  const entry = options.workers > 0 ? options.runtime.transformWorker() : undefined;
  // Plain objects only cross to a thread: drivers may hand out rows with a null prototype.
  const task = (rows: Row[]): RowTask => ({ file: options.file, version: options.version, method: options.method, keys: options.keys, rows: rows.map((row) => ({ ...row })) });
  if (!entry) {
    return {
      threads: 0,
      run: async (rows) => applyRows(await loadInstance(options.file, options.version), options.method, options.keys, rows),
      close: async () => {},
    };
  }
  // Loaded only when threads are used: a worker thread itself never loads the pool.
  const { default: Tinypool } = await import("tinypool");
  const pool = new Tinypool({
    filename: entry.filename,
    minThreads: options.workers,
    maxThreads: options.workers,
    ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
    // A chunk at a time per worker: the engine bounds what is in flight.
    concurrentTasksPerWorker: 1,
  });
  const runOne = (rows: Row[]) => pool.run(task(rows)) as Promise<(Row | null)[]>;
  return {
    threads: options.workers,
    run: async (rows, slices = 1) => {
      const parts = sliceRows(rows, Math.min(slices, options.workers));
      return parts.length === 1 ? runOne(parts[0]) : (await Promise.all(parts.map(runOne))).flat();
    },
    close: () => pool.destroy(),
  };
}

/** Consecutive slices of near-equal length (at least one row each), in order. */
function sliceRows<T>(rows: readonly T[], slices: number): T[][] {
  const n = Math.max(1, Math.min(slices, rows.length));
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(rows.slice(Math.floor((i * rows.length) / n), Math.floor(((i + 1) * rows.length) / n)));
  return out;
}
