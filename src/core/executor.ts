import type { Dialect, DialectName, Session, Statement } from "../dialects/dialect.ts";
import { errors, isStrataError, MigrationError, messageOf, withHint, type Direction, type RunResult } from "../errors.ts";
import type { HookRunner } from "../hooks/runner.ts";
import type { ErrorInfo } from "../hooks/types.ts";
import { reverseOperations } from "../schema/reverse.ts";
import { withRecorder } from "../schema/recorder.ts";
import type { Operation } from "../schema/operations.ts";
import { nowMs, sleep } from "../util/time.ts";
import { CONTEXT, type RunContext } from "./context.ts";
import type { Db } from "./db.ts";
import type { MigrationSource } from "./discover.ts";
import type { History } from "./history.ts";
import { AlreadyApplied, MigrationRun, type TransactionMode } from "./migration-run.ts";
import { runMigrationTransform, type TransformSupport } from "./transforms.ts";
import { TransformStore } from "../transform/checkpoint.ts";
import type { TransformEvent } from "../transform/engine.ts";
import type { AppliedRecord } from "./plan.ts";

/** A loaded TypeScript/JavaScript migration instance. */
export interface MigrationInstance {
  up(): unknown;
  down?(): unknown;
  dependencies?: unknown;
  transaction?: boolean;
  statementTimeout?: unknown;
  [CONTEXT]?: RunContext;
}

export type RunEvent =
  | { event: "migrating"; id: string; direction: Direction }
  | { event: "statement"; id: string; sql: string; params: readonly unknown[]; kind: "schema" | "data" }
  | { event: "migrated"; id: string; direction: Direction; ms: number }
  | { event: "skipped"; id: string; reason: string }
  | { event: "failed"; id: string; direction: Direction; message: string }
  | { event: "retrying"; id: string; attempt: number; of: number; waitMs: number; reason: string }
  | TransformEvent;

export interface ExecutorOptions {
  session: Session;
  dialect: Dialect;
  history: History;
  hooks: HookRunner;
  environment: string;
  dryRun: boolean;
  by: string;
  toolVersion: string;
  gitCommit?: string;
  /** How often a migration (or, outside a transaction, a statement) that timed out waiting for a lock is retried. */
  ddlRetries: number;
  /** One transaction around the whole run (PostgreSQL, SQLite): all migrations land, or none. */
  singleTransaction?: boolean;
  load(source: MigrationSource): Promise<MigrationInstance>;
  emit(event: RunEvent): void;
  /** What `this.transform()` inside a migration needs. */
  transforms: TransformSupport;
  /** Migrations that stopped in a transform, with how many statements had run: they resume. */
  resumable: ReadonlyMap<string, number>;
  /** Aborted: stop before the next migration (see MigratorOptions.signal). */
  signal?: AbortSignal;
}

export interface DownItem {
  record: AppliedRecord;
  source: MigrationSource;
  /** Operations of a derived down(), computed before anything runs. */
  derived?: readonly Operation[];
}

/**
 * Carries out a plan: one migration at a time, each in its own transaction where the
 * database allows, with hooks around each and the history written in the same
 * transaction as the migration's statements.
 */
export class Executor {
  readonly #o: ExecutorOptions;
  readonly result: RunResult = { applied: [], rolledBack: [] };
  readonly timings: { id: string; direction: Direction; durationMs: number }[] = [];
  #runTransaction = false;
  #hasTransforms?: boolean;
  /** Applied ids read when the run's transaction took the write lock (SQLite). */
  #appliedAtOpen?: Set<string>;

  constructor(options: ExecutorOptions) {
    this.#o = options;
  }

  async up(plan: readonly MigrationSource[], batch: number, firstSequence: number): Promise<RunResult> {
    await this.assertRunnable(plan, "up");
    return this.#withRunTransaction(() => this.#up(plan, batch, firstSequence));
  }

  async down(items: readonly DownItem[]): Promise<RunResult> {
    await this.assertRunnable(items.map((i) => i.source), "down");
    return this.#withRunTransaction(() => this.#down(items));
  }

  /**
   * --single-transaction on a database whose DDL commits, or with a migration that must run
   * outside a transaction: a usage error (exit 2), checked before the run starts (nothing
   * printed as applying, no table created, no hook called).
   */
  async assertRunnable(sources: readonly MigrationSource[], direction: Direction): Promise<void> {
    if (this.#o.singleTransaction && !this.#o.dryRun && !this.#o.dialect.adapter.supportsTransactionalDdl) {
      throw errors.usage(`--single-transaction is not possible on ${this.#o.dialect.displayName}: it commits DDL implicitly, so a run cannot be one transaction.`, "Run without it: each migration is then recorded as it completes, and a failure as failed.");
    }
    await this.#assertTransactable(sources, direction);
  }

  /**
   * Under --single-transaction, a migration that must run outside a transaction (a .sql
   * section marked or detected so, a class with `transaction = false`) is refused before
   * any migration runs (exit 2).
   */
  async #assertTransactable(sources: readonly MigrationSource[], direction: Direction): Promise<void> {
    if (!this.#o.singleTransaction || this.#o.dryRun) return;
    for (const source of sources) {
      const section = source.kind === "sql" ? (direction === "up" ? source.sql!.up : source.sql!.down) : undefined;
      const optedOut = section ? !section.transaction : (await this.#o.load(source)).transaction === false;
      if (optedOut) throw errors.usage(`Migration "${source.id}" must run outside a transaction, so it cannot run under --single-transaction.`, "Run it without --single-transaction; nothing was applied.");
    }
  }

  /**
   * The run's transaction, where there is one: --single-transaction (all or nothing), or
   * the adapter's savepoint policy (SQLite: one commit per run; a failed migration rolls
   * back to its savepoint and the earlier ones are committed).
   */
  async #withRunTransaction(fn: () => Promise<RunResult>): Promise<RunResult> {
    const { dialect, session } = this.#o;
    const relaxed = !this.#o.dryRun && dialect.adapter.relaxCommits !== undefined;
    if (relaxed) await dialect.adapter.relaxCommits!(session);
    try {
      const result = await fn();
      await this.#closeRunTransaction(true);
      return result;
    } catch (error) {
      await this.#closeRunTransaction(!this.#o.singleTransaction).catch(() => undefined);
      throw error;
    } finally {
      // What the run applied is on disk before it reports, success or failure.
      if (relaxed) await dialect.adapter.flushCommits!(session);
    }
  }

  #modeFor(source: MigrationSource, direction: Direction, instance: MigrationInstance | undefined): TransactionMode {
    if (this.#o.dryRun || this.#o.resumable.has(source.id)) return "own";
    if (this.#o.singleTransaction) return "run";
    const section = source.kind === "sql" ? (direction === "up" ? source.sql!.up : source.sql!.down) : undefined;
    const optedOut = section ? !section.transaction : instance?.transaction === false;
    return this.#o.dialect.adapter.savepoints && !optedOut ? "savepoint" : "own";
  }

  async #openRunTransaction(): Promise<void> {
    if (this.#runTransaction) return;
    const { dialect, session, history } = this.#o;
    await dialect.adapter.begin(session);
    this.#runTransaction = true;
    // Where the lock is this transaction's write lock, another runner may have changed the
    // history while this one waited for it.
    if (dialect.adapter.locksWithTransactions) this.#appliedAtOpen = new Set((await history.readApplied()).map((r) => r.id));
  }

  async #closeRunTransaction(commit: boolean): Promise<void> {
    if (!this.#runTransaction) return;
    this.#runTransaction = false;
    const { session, dialect } = this.#o;
    if (!commit) return dialect.adapter.rollback(session);
    try {
      await dialect.adapter.commit(session);
    } catch (error) {
      await dialect.adapter.rollback(session).catch(() => undefined);
      throw error;
    }
  }

  async #up(plan: readonly MigrationSource[], batch: number, firstSequence: number): Promise<RunResult> {
    let sequence = firstSequence;
    for (let i = 0; i < plan.length; i++) {
      const source = plan[i];
      const applied = await this.#runOne(source, "up", i, plan.length, async (run, instance) => {
        if (source.kind === "sql") await run.runSql(source.sql!.up.sql);
        else await run.record(() => instance!.up());
      }, (durationMs) => [
        this.#o.history.recordAppliedStatement({
          id: source.id, version: source.version, name: source.name, checksum: source.checksum, batch, sequence,
          appliedAt: new Date().toISOString(), durationMs: Math.round(durationMs), appliedBy: this.#o.by, toolVersion: this.#o.toolVersion,
          ...(this.#o.gitCommit ? { gitCommit: this.#o.gitCommit } : {}),
        }),
        this.#o.history.eventStatement({ id: source.id, action: "apply", by: this.#o.by, durationMs, details: { batch } }),
      ], batch);
      if (applied && !this.#o.dryRun) {
        this.result.applied.push(source.id);
        sequence++;
      }
    }
    return this.result;
  }

  /**
   * Checks every migration of a rollback plan can be undone before any runs: a module
   * without down() gets one derived from up(); an irreversible one fails here.
   */
  async prepareDown(items: readonly { record: AppliedRecord; source?: MigrationSource }[]): Promise<DownItem[]> {
    const missing = items.filter((i) => !i.source).map((i) => i.record.id);
    if (missing.length) throw errors.migrationMissing(missing);
    const prepared: DownItem[] = [];
    for (const { record, source } of items as { record: AppliedRecord; source: MigrationSource }[]) {
      if (source.kind === "sql") {
        if (!source.sql!.down) throw errors.irreversible(source.id, `${source.displayFile} has no "-- migrate:down" section.`);
        prepared.push({ record, source });
        continue;
      }
      const instance = await this.#o.load(source);
      if (typeof instance.down === "function") {
        prepared.push({ record, source });
        continue;
      }
      const recorded = await recordWithoutDatabase(source.id, instance, this.#o.dialect.name);
      const reversed = reverseOperations(recorded);
      if (!reversed.ok) throw errors.irreversible(source.id, `it has no down() and ${reversed.reason}`);
      prepared.push({ record, source, derived: reversed.operations });
    }
    return prepared;
  }

  async #down(items: readonly DownItem[]): Promise<RunResult> {
    for (let i = 0; i < items.length; i++) {
      const { source, derived } = items[i];
      let forget: Statement[] = [];
      const done = await this.#runOne(source, "down", i, items.length, async (run, instance) => {
        if (source.kind === "sql") await run.runSql(source.sql!.down!.sql);
        else if (derived) run.queue(derived);
        else await run.record(() => instance!.down!());
        // After the body: a transform in down() may have made the transform tables.
        if (run.ranTransforms) this.#hasTransforms = true;
        if (!this.#o.dryRun) forget = await this.#forgetTransforms(source.id);
      }, (durationMs) => [
        this.#o.history.removeAppliedStatement(source.id),
        ...forget,
        this.#o.history.eventStatement({ id: source.id, action: "rollback", by: this.#o.by, durationMs }),
      ]);
      if (done && !this.#o.dryRun) this.result.rolledBack.push(source.id);
    }
    return this.result;
  }

  /** Statements removing a rolled-back migration's transform checkpoints (the tables are looked up once per run). */
  async #forgetTransforms(migrationId: string): Promise<Statement[]> {
    const store = new TransformStore(this.#o.dialect, this.#o.transforms.historyTable);
    this.#hasTransforms ??= await store.exists(this.#o.session);
    return this.#hasTransforms ? store.forgetStatements(migrationId) : [];
  }

  /** Runs one migration in one direction; resolves false when another runner already did it. */
  async #runOne(
    source: MigrationSource,
    direction: Direction,
    index: number,
    total: number,
    body: (run: MigrationRun, instance: MigrationInstance | undefined) => Promise<void>,
    record: (durationMs: number) => Statement[],
    batch?: number,
  ): Promise<boolean> {
    const { hooks, environment, dryRun, dialect, signal } = this.#o;
    // A signal arrives as an event: let it in, where a synchronous driver (SQLite) never yields.
    if (signal) await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      const done = direction === "up" ? `${this.result.applied.length} applied` : `${this.result.rolledBack.length} rolled back`;
      throw errors.interrupted(typeof signal.reason === "string" ? signal.reason : "the caller", `before ${source.id} (${done} in this run${this.#o.singleTransaction ? ", undone with it: --single-transaction" : ""})`);
    }
    await hooks.call("migration:before", { id: source.id, name: source.name, direction, environment, dryRun, index, total });
    this.#o.emit({ event: "migrating", id: source.id, direction });
    const started = nowMs();
    const instance = source.kind === "module" ? await this.#o.load(source) : undefined;
    const mode = this.#modeFor(source, direction, instance);
    if (mode === "own") await this.#closeRunTransaction(true);
    else await this.#openRunTransaction();
    if (this.#runTransaction && this.#appliedAtOpen && this.#appliedAtOpen.has(source.id) !== (direction === "down")) {
      this.#o.emit({ event: "skipped", id: source.id, reason: `${direction === "up" ? "applied" : "rolled back"} by another runner while this one waited` });
      return false;
    }
    for (let attempt = 0; ; attempt++) {
      const run = this.#createRun(source, direction, instance, mode);
      try {
        await body(run, instance);
        await run.complete();
        let durationMs = nowMs() - started;
        if (!dryRun) durationMs = await this.#finish(run, source, direction, record, durationMs, started);
        // A plugin told "after" may look at the database, or be the last thing to run before a crash: commit first.
        if (mode === "savepoint" && hooks.has("migration:after")) await this.#closeRunTransaction(true);
        this.timings.push({ id: source.id, direction, durationMs });
        this.#o.emit({ event: "migrated", id: source.id, direction, ms: Math.round(durationMs) });
        await hooks.call("migration:after", { id: source.id, name: source.name, direction, environment, dryRun, durationMs, ...(batch !== undefined ? { batch } : {}) });
        return true;
      } catch (error) {
        if (error instanceof AlreadyApplied) {
          this.#o.emit({ event: "skipped", id: source.id, reason: "applied by another runner while this one waited" });
          return false;
        }
        // A transaction that gave up waiting for a table lock changed nothing: roll back,
        // let the blocking transaction finish, and run the migration again.
        if (run.transactional && mode === "own" && dialect.adapter.isLockTimeout(error) && attempt < this.#o.ddlRetries) {
          await run.rollback().catch(() => undefined);
          const waitMs = backoff(attempt);
          this.#o.emit({ event: "retrying", id: source.id, attempt: attempt + 1, of: this.#o.ddlRetries, waitMs, reason: messageOf(error) });
          await sleep(waitMs);
          continue;
        }
        const durationMs = nowMs() - started;
        const failure = await this.#fail(run, source, direction, error, durationMs);
        this.#o.emit({ event: "failed", id: source.id, direction, message: failure.message });
        await hooks.call("migration:error", { id: source.id, name: source.name, direction, environment, durationMs, error: errorInfo(failure) });
        throw failure;
      } finally {
        if (instance) setContext(instance, undefined);
      }
    }
  }

  #createRun(source: MigrationSource, direction: Direction, instance: MigrationInstance | undefined, mode: TransactionMode): MigrationRun {
    const { session, dialect, history, environment, dryRun } = this.#o;
    const sqlSection = source.kind === "sql" ? (direction === "up" ? source.sql!.up : source.sql!.down) : undefined;
    const run = new MigrationRun({
      id: source.id, direction, session, dialect, history, by: this.#o.by, dryRun, ddlRetries: this.#o.ddlRetries,
      ...(this.#o.resumable.has(source.id) && !dryRun ? { resumeAfter: this.#o.resumable.get(source.id)! } : {}),
      mode,
      transaction: sqlSection ? (sqlSection.transaction ? undefined : false) : instance?.transaction,
      ...(typeof instance?.statementTimeout === "number" ? { statementTimeoutMs: instance.statementTimeout } : {}),
      onStatement: dryRun ? (statement: Statement, kind) => this.#o.emit({ event: "statement", id: source.id, sql: statement.sql, params: statement.params, kind }) : undefined,
      onRetry: (attempt, waitMs, reason) => this.#o.emit({ event: "retrying", id: source.id, attempt, of: this.#o.ddlRetries, waitMs, reason }),
    });
    if (instance) {
      const transform = (table: string, options: unknown, fn: unknown) =>
        runMigrationTransform({ ...this.#o.transforms, hooks: this.#o.hooks, by: this.#o.by, dryRun, emit: (e) => this.#o.emit(e) }, { source, instance, run, closeRunTransaction: () => this.#closeRunTransaction(true) }, table, options, fn);
      setContext(instance, { db: run.db, environment, dialect: dialect.name, dryRun, transform });
    }
    return run;
  }

  /** Records the migration; returns its duration, the SQL still in flight included. */
  async #finish(run: MigrationRun, source: MigrationSource, direction: Direction, bookkeeping: (ms: number) => Statement[], durationMs: number, started: number): Promise<number> {
    const { session, dialect, history } = this.#o;
    const tx = dialect.adapter.transactionStatements;
    const statement = (sql: string): Statement => ({ sql, params: [] });
    // A held statement joins the history batch only where the adapter has transaction
    // statements; elsewhere (SQLite) it goes out now, inside the duration.
    if (run.holds && !tx) {
      await run.sent();
      durationMs = nowMs() - started;
    }
    // A migration's SET search_path, USE or timeout must not decide where the history lands.
    if (run.touchesSession) await dialect.adapter.resetSession(session);
    const records = bookkeeping(durationMs);
    if (run.transactional) {
      // History rows and COMMIT in one round trip where the adapter allows, right behind a
      // .sql section still in flight; the section's own error comes first, as it is.
      const since = new Date(Date.now() - (nowMs() - started));
      const written = run.mode === "own" && tx ? session.executeBatch([...run.takePendingBegin(), ...records, statement(tx.commit)]) : undefined;
      written?.catch(() => undefined);
      await run.sent();
      try {
        if (written) await written;
        else {
          await session.executeBatch(records);
          await run.commit();
        }
      } catch (error) {
        throw errors.migrationFailed(source.id, direction, error);
      }
      // The rows went out with the SQL still running. Inside the run's transaction a failed
      // correction must fail the run, which would otherwise go on aborted.
      return this.#realDuration(source, direction, durationMs, started, since, run.mode !== "own");
    }
    // Outside a migration transaction (MySQL DDL, transaction = false) the history row and
    // the event still land together; the marker is cleared after them (a marker left by a
    // kill in between is stale: the history row says applied).
    const clear = history.clearProgressStatement(source.id);
    try {
      if (tx && run.holds) {
        // The section's last statement goes out with these writes: its time is not in the
        // recorded duration yet.
        const since = new Date(Date.now() - (nowMs() - started));
        await run.finishWith([statement(tx.begin), ...records, statement(tx.commit), clear]);
        return await this.#realDuration(source, direction, durationMs, started, since, false);
      }
      if (tx) await session.executeBatch([...run.takeMarker(), statement(tx.begin), ...records, statement(tx.commit), clear]);
      else {
        await dialect.adapter.begin(session);
        await session.executeBatch(records);
        await dialect.adapter.commit(session);
        await session.execute(clear.sql, clear.params);
      }
    } catch (error) {
      await dialect.adapter.rollback(session).catch(() => undefined);
      throw error;
    }
    return durationMs;
  }

  /**
   * A migration whose history rows went out before its SQL had finished gets its real
   * duration written again when it took longer (one more round trip, slow ones only). Once
   * the migration is committed, a failed correction does not fail it (`mustSucceed` false).
   */
  async #realDuration(source: MigrationSource, direction: Direction, recordedMs: number, started: number, since: Date, mustSucceed: boolean): Promise<number> {
    const actual = nowMs() - started;
    if (actual - recordedMs >= RECORD_AGAIN_MS) {
      const corrected = this.#o.session.executeBatch(this.#o.history.durationStatements(source.id, direction === "up" ? "apply" : "rollback", actual, since));
      await (mustSucceed ? corrected : corrected.catch(() => undefined));
    }
    return actual;
  }

  async #fail(run: MigrationRun, source: MigrationSource, direction: Direction, error: unknown, durationMs: number): Promise<MigrationError> {
    const { history, dryRun } = this.#o;
    // Outside a transaction, statements that ran stay: the migration is recorded as failed.
    const partial = !dryRun && !this.#o.singleTransaction && !run.transactional && run.statementsDone > 0;
    // Out of lock-wait retries: the migration is fine, another transaction held its table.
    const cause = this.#o.dialect.adapter.isLockTimeout(error)
      ? withHint(error, `Another transaction held a lock this migration needs for longer than ddl.lockTimeout, on each of ${this.#o.ddlRetries + 1} tries. Run it again once that transaction ends, or raise ddl.lockTimeout or ddl.retries.`)
      : error;
    const failure = toMigrationError(source.id, direction, cause, run.lastStatement, partial);
    failure.result = { applied: [...this.result.applied], rolledBack: [...this.result.rolledBack] };
    if (dryRun) return failure;
    try {
      await run.writeMarker();
      if (this.#o.singleTransaction) {
        // The rollback takes every earlier migration of the run with it; the fail event
        // below is written after it, so it stays.
        if (this.#runTransaction) await this.#o.dialect.adapter.rollback(this.#o.session);
        this.#runTransaction = false;
        this.result.applied.length = 0;
        this.result.rolledBack.length = 0;
        failure.result = { applied: [], rolledBack: [] };
      } else if (run.transactional) {
        await run.rollback();
      } else if (partial) {
        await history.failProgress(source.id, failure.statement, failure.message);
      } else {
        // Nothing ran: no partial state to report, the migration stays as it was (pending, or applied).
        await history.clearProgress(source.id);
      }
      await history.appendEvent({
        id: source.id, action: "fail", by: this.#o.by, durationMs,
        details: { direction, error: failure.message, ...(failure.statement ? { statement: failure.statement } : {}), statementsDone: run.statementsDone, transactional: run.transactional },
      });
    } catch (bookkeeping) {
      failure.message += ` (and recording the failure failed: ${messageOf(bookkeeping)})`;
    }
    return failure;
  }
}

/**
 * How far a pipelined migration's recorded duration may fall short before it is written
 * again: the shortfall includes the batch's own round trip and commit, so a remote server
 * would otherwise pay the extra round trip on nearly every migration.
 */
const RECORD_AGAIN_MS = 50;

/** 0.5 s, 1 s, 2 s, ... capped at 10 s, with jitter so two runners do not retry in step. */
function backoff(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function setContext(instance: MigrationInstance, context: RunContext | undefined): void {
  Object.defineProperty(instance, CONTEXT, { value: context, configurable: true, enumerable: false, writable: true });
}

/** `partial`: what ran before the failure stays, and the migration is recorded as failed. */
function toMigrationError(id: string, direction: Direction, error: unknown, statement: string | undefined, partial: boolean): MigrationError {
  if (error instanceof MigrationError) return error;
  if (isStrataError(error) && error.code !== "DATABASE_ERROR") {
    // Not a statement's failure (an operation that does not compile, a plugin's refusal):
    // naming the statement that ran before it would point at the wrong one.
    const hint = partial ? errors.migrationFailed(id, direction, error, undefined, true).hint : error.hint;
    return new MigrationError(error.code, `Migration "${id}" failed: ${error.message}`, { migrationId: id, direction }, { hint, details: error.details, cause: error, exitCode: error.exitCode });
  }
  // A database error names its statement; an exception thrown by the migration's own code names none.
  const stmt = !isStrataError(error) ? undefined : typeof error.details?.statement === "string" ? error.details.statement : statement;
  return errors.migrationFailed(id, direction, error, stmt, partial);
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof MigrationError) return { code: error.code, message: error.message, migrationId: error.migrationId, ...(error.statement ? { statement: error.statement } : {}) };
  if (isStrataError(error)) return { code: error.code, message: error.message };
  return { code: "ERROR", message: messageOf(error) };
}

const RECORD_ONLY_DB: Db = new Proxy({} as Db, {
  get() {
    throw new IrreversibleData();
  },
});

class IrreversibleData extends Error {}

/** Runs up() with Schema calls recorded and no database: for deriving down(). */
async function recordWithoutDatabase(id: string, instance: MigrationInstance, dialect: DialectName): Promise<Operation[]> {
  const ops: Operation[] = [];
  setContext(instance, { db: RECORD_ONLY_DB, environment: "", dialect, dryRun: true });
  try {
    await withRecorder({ record: (op) => ops.push(op) }, () => instance.up());
  } catch (error) {
    if (error instanceof IrreversibleData) throw errors.irreversible(id, "it has no down() and its up() reads or writes data through this.db, which cannot be undone automatically.");
    throw errors.irreversible(id, `it has no down(), and recording up() to derive one failed: ${messageOf(error)}`);
  } finally {
    setContext(instance, undefined);
  }
  return ops;
}
