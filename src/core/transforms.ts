import { availableParallelism, hostname } from "node:os";
import { kill, pid } from "node:process";
import type { Dialect } from "../dialects/dialect.ts";
import type { BatchPolicy } from "../hooks/batching.ts";
import type { HookRunner } from "../hooks/runner.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { previewTransform, runTransform, type TransformEvent, type TransformSummary } from "../transform/engine.ts";
import { resolveTransform, type ResolvedTransform, type TransformFunction, type TransformOptions } from "../transform/options.ts";
import { TransformStore } from "../transform/checkpoint.ts";
import { StrataError, UsageError } from "../errors.ts";
import type { Connection } from "./connection.ts";
import type { MigrationSource } from "./discover.ts";
import type { MigrationInstance } from "./executor.ts";
import type { MigrationRun } from "./migration-run.ts";

/** What the engine needs from the run around a migration's `this.transform()`. */
export interface TransformSupport {
  historyTable: string;
  runtime: Runtime;
  /** A dialect with a connection pool of its own: chunks run on several sessions at once. */
  openDialect(poolSize: number): Promise<Dialect>;
  /** The batching policy, from a plugin or the built-in one (loaded on first use). */
  policy(): Promise<BatchPolicy>;
  /** Aborted: the lanes stop after their chunks in flight (see MigratorOptions.signal). */
  signal?: AbortSignal;
}

export interface TransformCall extends TransformSupport {
  hooks: HookRunner;
  by: string;
  dryRun: boolean;
  emit(event: TransformEvent): void;
}

/**
 * Who did a chunk: user@host alone cannot tell apart two processes of one user on one host
 * sharing a transform, so the pid is added.
 */
export const chunkOwner = (by: string): string => `${by} pid ${pid}`;

/** Row functions run on every core but one by default, at least one worker. */
export const DEFAULT_WORKERS = Math.max(1, availableParallelism() - 1);

/**
 * `this.transform(table, options, fn)` inside a migration: what the migration did so far
 * is committed, then the transform runs chunk by chunk (or, in a dry run, shows its row
 * function on a sample).
 */
export async function runMigrationTransform(
  call: TransformCall,
  migration: { source: MigrationSource; instance: MigrationInstance; run: MigrationRun; closeRunTransaction(): Promise<void> },
  table: string,
  options: unknown,
  fn: unknown,
): Promise<TransformSummary | undefined> {
  const { source, instance, run } = migration;
  const spec = resolveTransform({
    migrationId: source.id, file: source.file, index: run.nextTransformIndex(), direction: run.direction, table,
    options: options as TransformOptions | undefined, fn: fn as TransformFunction, defaultWorkers: DEFAULT_WORKERS,
  });
  // Before anything is committed for it: a misspelt method fails here, not after a chunk's retries.
  if (spec.method !== undefined && typeof (instance as unknown as Record<string, unknown>)[spec.method] !== "function") {
    throw new StrataError("TRANSFORM_FAILED", `this.transform(): "${spec.method}" is not a method of ${source.id}.`, { hint: "Pass the name of a method of the migration class that takes a row and returns the changed values." });
  }
  await run.enterTransform(migration.closeRunTransaction);
  // The migration's own session keeps the migration lock; the chunks get sessions of their own.
  const dialect = await call.openDialect(spec.workers + 4);
  const ctx = {
    dialect,
    openSession: () => dialect.driver.open(),
    historyTable: call.historyTable,
    runtime: call.runtime,
    hooks: call.hooks,
    policy: await call.policy(),
    by: chunkOwner(call.by),
    version: source.checksum,
    instance: instance as unknown as Record<string, unknown>,
    emit: call.emit,
    ...(call.signal ? { signal: call.signal } : {}),
  };
  try {
    if (call.dryRun) {
      await previewTransform(ctx, spec);
      return undefined;
    }
    return await runTransform(ctx, spec);
  } finally {
    await dialect.driver.close();
  }
}

export interface TransformStatus {
  id: string;
  migrationId: string;
  table: string;
  state: "running" | "paused" | "done";
  rowsDone: number;
  rowsTotal: number;
  lastError?: string;
  keyRange?: { from: unknown; to: unknown };
}

export async function listTransforms(conn: Connection, historyTable: string): Promise<TransformStatus[]> {
  const store = new TransformStore(conn.dialect, historyTable);
  return (await store.list(conn.session)).map((t) => ({
    id: t.id, migrationId: t.migrationId, table: t.table, state: t.state, rowsDone: t.rowsDone, rowsTotal: Math.max(t.rowsTotal, t.rowsDone),
    ...(t.lastError ? { lastError: t.lastError } : {}),
    ...(t.keyRange ? { keyRange: t.keyRange } : {}),
  }));
}

/**
 * Pauses, or marks for resuming, one transform or every one that is not done; returns their
 * ids. Without an id, pausing takes the running ones, and resuming takes the paused ones
 * and those already running: a second process joins those (`strata transform resume`).
 */
export async function setTransformsState(conn: Connection, historyTable: string, id: string | undefined, state: "paused" | "running"): Promise<string[]> {
  const store = new TransformStore(conn.dialect, historyTable);
  const all = await store.list(conn.session);
  const open = all.filter((t) => t.state !== "done");
  const targets = id !== undefined ? all.filter((t) => t.id === id) : state === "paused" ? open.filter((t) => t.state === "running") : open;
  if (id !== undefined && targets.length === 0) {
    throw new UsageError(`No transform "${id}" in this database.`, { hint: `Transforms: ${all.map((t) => t.id).join(", ") || "none"} ("strata transform status").` });
  }
  for (const t of targets) {
    if (t.state === "done" || (id === undefined && t.state === state)) continue;
    if (state === "running") await store.reopenFailed(conn.session, t.id);
    await store.setState(conn.session, t.id, state, state === "running" ? { lastError: null, keyRange: null } : {});
  }
  return targets.filter((t) => t.state !== "done").map((t) => t.id);
}

/**
 * A runner at work on these transforms, described, or undefined: one wrote a chunk within
 * `withinMs` (chunks take seconds at most) and, where it ran on this host, its process lives.
 */
export async function liveRunner(conn: Connection, historyTable: string, ids: readonly string[], withinMs = 30_000): Promise<string | undefined> {
  const last = await new TransformStore(conn.dialect, historyTable).lastChunk(conn.session, ids);
  if (!last || Date.now() - last.at >= withinMs) return undefined;
  const owner = last.by === undefined ? undefined : /^[^@]*@(.*) pid (\d+)$/.exec(last.by);
  if (owner && owner[1] === hostname()) {
    const runner = Number(owner[2]);
    return runner !== pid && processLives(runner) ? `pid ${runner} on ${owner[1]}` : undefined;
  }
  return last.by ?? "another runner";
}

function processLives(id: number): boolean {
  try {
    kill(id, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * `strata transform resume` while another runner runs the migration: this process takes
 * chunks of the same transforms until none is left, without the migration lock.
 */
export async function joinTransforms(call: TransformCall, ws: { graph: { byId: ReadonlyMap<string, MigrationSource> }; config: { table: string } }, ids: readonly string[], load: (source: MigrationSource) => Promise<MigrationInstance>): Promise<void> {
  const dialect = await call.openDialect(8);
  try {
    const session = await dialect.driver.open();
    let records;
    try {
      records = (await new TransformStore(dialect, ws.config.table).list(session)).filter((t) => ids.includes(t.id) && t.state === "running");
    } finally {
      await session.close();
    }
    for (const record of records) {
      const source = ws.graph.byId.get(record.migrationId);
      if (!source) throw new UsageError(`Transform "${record.id}" belongs to migration "${record.migrationId}", whose file is not here.`);
      const spec = await storedSpec(dialect, ws.config.table, record.id, source);
      const instance = (await load(source)) as unknown as Record<string, unknown>;
      await runTransform({ dialect, openSession: () => dialect.driver.open(), historyTable: call.historyTable, runtime: call.runtime, hooks: call.hooks, policy: await call.policy(), by: chunkOwner(call.by), version: source.checksum, instance, emit: call.emit, ...(call.signal ? { signal: call.signal } : {}) }, spec);
    }
  } finally {
    await dialect.driver.close();
  }
}

/** The transform as its migration defined it, with this host's path to the migration file. */
async function storedSpec(dialect: Dialect, historyTable: string, id: string, source: MigrationSource): Promise<ResolvedTransform> {
  const session = await dialect.driver.open();
  try {
    const spec = await new TransformStore(dialect, historyTable).spec(session, id);
    return { ...(spec as ResolvedTransform), file: source.file };
  } finally {
    await session.close();
  }
}
