import { errors, UsageError } from "../errors.ts";
import type { MigrationSource } from "./discover.ts";
import { assertDependencies, type Graph } from "./graph.ts";
import { sortedCopy } from "../util/sort.ts";
import { parseMigrationId } from "../util/ids.ts";

export type MigrationState = "applied" | "pending" | "modified" | "missing" | "failed" | "out-of-order";

/** A row of the history table. */
export interface AppliedRecord {
  id: string;
  version: string;
  name: string;
  checksum: string;
  batch: number;
  /** Position in the order migrations were applied. */
  sequence: number;
  appliedAt: string;
  durationMs?: number;
  appliedBy?: string;
}

/** A non-transactional migration that started and did not finish (died or failed). */
export interface ProgressRecord {
  id: string;
  direction: "up" | "down";
  /** "transform": the migration resumes on the next run instead of counting as failed. */
  kind: "statements" | "transform";
  state: "running" | "failed";
  statementsDone: number;
  statement?: string;
  error?: string;
  startedAt: string;
}

export interface StatusEntry {
  id: string;
  version: string;
  name: string;
  state: MigrationState;
  appliedAt?: string;
  batch?: number;
  file?: string;
  /** For `failed`: the statement that failed and how many ran before it. */
  failure?: { statement?: string; error?: string; statementsDone: number; direction: "up" | "down" };
}

export interface Status {
  entries: StatusEntry[];
}

/**
 * Pure: available migrations (in graph order) + history + progress markers -> one state
 * per migration (a dependency nobody defines, for a migration still to apply, is an error). Applied ones come in the order they were applied, then the rest in the
 * order `up` would apply them.
 */
export function computeStatus(graph: Graph<MigrationSource>, applied: readonly AppliedRecord[], progress: readonly ProgressRecord[]): Status {
  assertDependencies(graph, applied);
  const appliedById = new Map(applied.map((r) => [r.id, r]));
  // An apply's marker outlives its history row only when the process died between them: stale.
  const progressById = new Map(progress.filter((p) => p.kind !== "transform" && !(p.direction === "up" && appliedById.has(p.id))).map((p) => [p.id, p]));
  const entries: StatusEntry[] = [];
  for (const record of sortedCopy(applied, bySequence)) {
    const source = graph.byId.get(record.id);
    const failed = progressById.get(record.id);
    const entry: StatusEntry = {
      id: record.id,
      version: record.version,
      name: record.name,
      state: failed ? "failed" : !source ? "missing" : source.checksum !== record.checksum ? "modified" : "applied",
      appliedAt: record.appliedAt,
      batch: record.batch,
    };
    if (source) entry.file = source.displayFile;
    if (failed) entry.failure = failureOf(failed);
    entries.push(entry);
  }
  // Positions in the order, to tell out-of-order from pending: needed once a file is not applied.
  let lastAppliedPosition: number | undefined;
  let positions: Map<string, number> | undefined;
  for (const source of graph.order) {
    if (appliedById.has(source.id)) continue;
    if (!positions) {
      positions = new Map(graph.order.map((m, i) => [m.id, i]));
      lastAppliedPosition = applied.reduce((last, r) => Math.max(last, positions!.get(r.id) ?? -1), -1);
    }
    const failed = progressById.get(source.id);
    const outOfOrder = positions.get(source.id)! < lastAppliedPosition!;
    entries.push({
      id: source.id,
      version: source.version,
      name: source.name,
      state: failed ? "failed" : outOfOrder ? "out-of-order" : "pending",
      file: source.displayFile,
      ...(failed ? { failure: failureOf(failed) } : {}),
    });
  }
  // A failed migration whose file was deleted since stays failed: what ran of it is still in the schema.
  for (const failed of progressById.values()) {
    if (appliedById.has(failed.id) || graph.byId.has(failed.id)) continue;
    const parsed = parseMigrationId(failed.id);
    entries.push({ id: failed.id, version: parsed?.version ?? failed.id, name: parsed?.name ?? failed.id, state: "failed", failure: failureOf(failed) });
  }
  return { entries };
}

/**
 * The heads a user sees. Under "timestamp" unrelated migrations run in version order, so
 * the one head is the last of that order; under "explicit" every migration that no other
 * depends on is a head (several mean unmerged branches).
 */
export function visibleHeads(graph: Graph<MigrationSource>, strategy: "timestamp" | "explicit"): string[] {
  if (strategy === "explicit") return [...graph.heads];
  const last = graph.order[graph.order.length - 1];
  return last ? [last.id] : [];
}

function failureOf(p: ProgressRecord): StatusEntry["failure"] {
  return { statementsDone: p.statementsDone, direction: p.direction, ...(p.statement ? { statement: p.statement } : {}), ...(p.error ? { error: p.error } : {}) };
}

const bySequence = (a: AppliedRecord, b: AppliedRecord) => a.batch - b.batch || a.sequence - b.sequence || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A marker left by a runner that died names no statement; for a .sql migration the one it
 * stopped at is the section's statement after those done.
 */
export function withStoppedStatements(progress: readonly ProgressRecord[], graph: Graph<MigrationSource>, split: (sql: string) => string[]): ProgressRecord[] {
  return progress.map((p) => {
    const source = graph.byId.get(p.id);
    if (p.statement !== undefined || p.kind !== "statements" || source?.kind !== "sql") return p;
    const section = p.direction === "up" ? source.sql?.up.sql : source.sql?.down?.sql;
    const statement = section === undefined ? undefined : split(section)[p.statementsDone];
    return statement === undefined ? p : { ...p, statement };
  });
}

/** Refuses to go on while a migration is modified, missing or failed: the user resolves it explicitly. */
export function assertNoBlockers(status: Status): void {
  const failed = status.entries.find((e) => e.state === "failed");
  if (failed) throw errors.migrationFailedState(failed.id, failed.failure?.direction ?? "up", failed.failure?.statement);
  const modified = status.entries.filter((e) => e.state === "modified").map((e) => e.id);
  if (modified.length) throw errors.checksumMismatch(modified);
  const missing = status.entries.filter((e) => e.state === "missing").map((e) => e.id);
  if (missing.length) throw errors.migrationMissing(missing);
}

/** Migrations `up` applies, in order: every pending one, or those up to and including `to`. */
export function planUp(graph: Graph<MigrationSource>, status: Status, to?: string): MigrationSource[] {
  const pending = new Set(status.entries.filter((e) => e.state === "pending" || e.state === "out-of-order").map((e) => e.id));
  let order = graph.order.filter((m) => pending.has(m.id));
  if (to !== undefined) {
    const target = graph.resolve(to);
    if (!target) throw errors.migrationNotFound(to, sameVersion(graph, to));
    const position = graph.order.findIndex((m) => m.id === target);
    const positions = new Map(graph.order.map((m, i) => [m.id, i]));
    order = order.filter((m) => positions.get(m.id)! <= position);
  }
  return order;
}

export interface DownOptions {
  steps?: number;
  to?: string;
  all?: boolean;
}

/** Usage errors in down's options, found before any connection is made. */
export function assertDownOptions(options: DownOptions): void {
  const chosen = [options.steps !== undefined, options.to !== undefined, options.all === true].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("Pass only one of --steps, --to and --all.", { hint: 'Run "strata down --help".' });
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) throw new UsageError(`--steps must be a positive integer, got ${options.steps}.`, { hint: "e.g. strata down --steps 2" });
}

/** Applied migrations `down` rolls back, newest first: the last batch by default. */
export function planDown(graph: Graph<MigrationSource>, applied: readonly AppliedRecord[], options: DownOptions = {}): AppliedRecord[] {
  const newestFirst = sortedCopy(applied, bySequence).reverse();
  assertDownOptions(options);
  if (options.all) return newestFirst;
  if (options.steps !== undefined) return newestFirst.slice(0, options.steps);
  if (options.to !== undefined) {
    const id = resolveApplied(graph, applied, options.to);
    const target = applied.find((r) => r.id === id);
    if (!target) throw new UsageError(`Migration "${id}" is not applied, so there is nothing to roll back to.`, { hint: 'Run "strata status" to see what is applied.' });
    return newestFirst.filter((r) => bySequence(r, target) > 0);
  }
  const lastBatch = newestFirst[0]?.batch;
  return newestFirst.filter((r) => r.batch === lastBatch);
}

/** An id, class name or version of an applied migration (its file may be gone). */
export function resolveApplied(graph: Graph<MigrationSource>, applied: readonly AppliedRecord[], ref: string, progress: readonly ProgressRecord[] = []): string {
  const fromGraph = graph.resolve(ref);
  if (fromGraph) return fromGraph;
  const record = applied.find((r) => r.id === ref) ?? single(applied.filter((r) => r.version === ref));
  if (record) return record.id;
  // A failed migration whose file is gone is still named by its id.
  const failed = progress.find((p) => p.id === ref && p.kind !== "transform");
  if (!failed) throw errors.migrationNotFound(ref, [...new Set([...sameVersion(graph, ref), ...applied.filter((r) => r.version === ref).map((r) => r.id)])]);
  return failed.id;
}

/** The migrations whose version is `ref` (more than one: the version is ambiguous). */
const sameVersion = (graph: Graph<MigrationSource>, ref: string) => graph.order.filter((m) => m.version === ref).map((m) => m.id);

function single<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}
