import type { Catalog, Dialect, Row, Session, Statement } from "../dialects/dialect.ts";
import { isStrataError, StrataError } from "../errors.ts";
import { requiresNoTransaction, type DropForeignKey, type DropIndex, type DropUnique, type Operation } from "../schema/operations.ts";
import { withRecorder } from "../schema/recorder.ts";
import type { Query } from "../schema/query.ts";
import { sleep } from "../util/time.ts";
import { AbortedTransaction } from "./aborted-transaction.ts";
import { createDb, type Db, type StatementRunner } from "./db.ts";
import type { History } from "./history.ts";

/** Where each statement of a migration goes: the database, or the printed plan (--dry-run). */
export type StatementSink = (statement: Statement, kind: "schema" | "data") => void;

export interface MigrationRunOptions {
  id: string;
  direction: "up" | "down";
  session: Session;
  dialect: Dialect;
  history: History;
  by: string;
  dryRun: boolean;
  /** The migration's own `transaction` setting (true, false, or unset). */
  transaction?: boolean;
  /** The migration's own statement timeout (ms, 0 = none), in force until the session is reset after it. */
  statementTimeoutMs?: number;
  /**
   * `own`: the migration begins and commits its own transaction (or runs without one).
   * `savepoint`: it runs under a savepoint inside the run's transaction (SQLite).
   * `run`: it runs directly inside the run's one transaction (--single-transaction).
   */
  mode: TransactionMode;
  /** Outside a transaction, a statement that timed out waiting for a lock is retried this often. */
  ddlRetries: number;
  /**
   * Resuming a migration that stopped in a transform: its first statements already ran and
   * are skipped (reads run again), the transform goes on from its checkpoint.
   */
  resumeAfter?: number;
  onStatement?: StatementSink;
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
}

export type TransactionMode = "own" | "savepoint" | "run";

const READS = /^\s*(select|with|show|explain|pragma)\b/i;
/** Data statements of a .sql section sent per round trip, in a transaction where DDL commits on its own. */
const DATA_BATCH = 100;
/** A whole statement opening or ending a transaction: `BEGIN`, `START TRANSACTION`, `COMMIT`, `ROLLBACK`, `END`. */
const OPENS_TRANSACTION = /^\s*(?:begin(?:\s+(?:work|transaction|deferred|immediate|exclusive))?|start\s+transaction(?:\s+[a-z ,]+)?)\s*;?\s*$/i;
const ENDS_TRANSACTION = /^\s*(?:commit|rollback|end)(?:\s+(?:work|transaction))?\s*;?\s*$/i;
/** MySQL's LOCK TABLES and UNLOCK TABLES (after any leading comments). */
const LOCK_TABLES = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*lock\s+tables?\b/i;
const UNLOCK_TABLES = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*unlock\s+tables?\b/i;
/** Data statements (after any leading comments): they can share a transaction where DDL cannot. */
const DATA = /^(?:\s|--[^\n]*\n|#[^\n]*\n|\/\*[\s\S]*?\*\/)*(insert|update|delete|replace)\b/i;

/** Raised when another runner applied the migration while this one waited for the write lock. */
export class AlreadyApplied extends Error {}

/**
 * One migration's execution. Schema calls are recorded and flushed (compiled against the
 * live schema, then executed) right before the next data statement and at the end, so
 * `this.db` always sees the tables `up()` created before it. The transaction starts lazily
 * at the first flush: by then the recorded operations tell whether one is allowed (CREATE
 * INDEX CONCURRENTLY is not). Where DDL is not transactional (MySQL), or the migration
 * opts out, a progress marker is written before the first statement and advanced after
 * each, so an interruption shows as `failed` with what ran.
 */
export class MigrationRun {
  readonly #o: MigrationRunOptions;
  readonly #pending: Operation[] = [];
  #started = false;
  #transactional = false;
  /** BEGIN not sent yet: it goes out with the first statement, in one round trip. */
  #pendingBegin = false;
  #touchesSession = false;
  /** MySQL: the section ran LOCK TABLES, so strata's progress table cannot be written until UNLOCK TABLES. */
  #tablesLocked = false;
  /** A section outside strata's transaction began one of its own (BEGIN ... COMMIT) that is still open. */
  #userTransaction = false;
  #transforms = 0;
  #statementsDone = 0;
  /** Past a transform (or resuming one), outside the migration's transaction. */
  #afterTransform = false;
  /**
   * The progress marker, not written yet: where a batch stops at its first error (MySQL)
   * it goes out with the first statement, one round trip less and the same record if that
   * statement fails. Anything else that needs the marker writes it first (writeMarker).
   */
  #pendingMarker: Statement[] = [];
  /** In a dry run: the tables earlier operations of this migration changed (see flush). */
  readonly #dryRunChanged = new Set<string>();
  /** A .sql section sent without waiting for its answer (see runSql). */
  #inFlight?: Promise<void>;
  /**
   * The last statement of a .sql section outside a transaction, not sent yet: it goes out
   * with the history writes (finishWith), one round trip less. Anything else sends it first (sent()).
   */
  #held?: Statement;
  lastStatement?: string;
  readonly db: Db;
  readonly #aborted: AbortedTransaction;

  constructor(options: MigrationRunOptions) {
    this.#o = options;
    this.#aborted = new AbortedTransaction(`migration "${options.id}"`);
    const runner: StatementRunner = {
      run: async (statement) => {
        this.#aborted.assertOpen();
        await this.flush();
        try {
          return await this.#execute(statement, "data");
        } catch (error) {
          this.#aborted.note(error, this.#transactional && options.dialect.adapter.errorsAbortTransaction);
          throw error;
        }
      },
      compile: (query: Query) => options.dialect.compiler.compileQuery(query),
      placeholder: (i) => options.dialect.compiler.placeholder(i),
      maxParameters: options.dialect.adapter.maxParameters,
    };
    this.db = createDb(runner);
  }

  get transactional(): boolean {
    return this.#transactional;
  }

  get mode(): TransactionMode {
    return this.#o.mode;
  }

  get statementsDone(): number {
    return this.#statementsDone;
  }

  /** Whether a statement may have changed session state (SET, USE, search_path), so the session needs a reset. */
  get touchesSession(): boolean {
    return this.#touchesSession;
  }

  /** The BEGIN still to send, for the executor to put in front of the history writes of a migration without statements. */
  takePendingBegin(): Statement[] {
    if (!this.#pendingBegin) return [];
    this.#pendingBegin = false;
    return [{ sql: this.#o.dialect.adapter.transactionStatements!.begin, params: [] }];
  }

  /** Runs `fn` (up() or down()) with Schema calls recorded into this run. */
  async record(fn: () => unknown): Promise<void> {
    await withRecorder({ record: (op) => this.#pending.push(op) }, fn);
  }

  /** Queues already-known operations (derived down(), reversed). */
  queue(ops: readonly Operation[]): void {
    this.#pending.push(...ops);
  }

  /** Compiles and runs the recorded operations, in order, against the live schema. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    await this.#start();
    const { session, dialect } = this.#o;
    const changed = this.#dryRunChanged;
    // A dry run reads the live schema, which does not have what earlier operations of this
    // migration did to a table. Where a change rebuilds the table from its definition
    // (SQLite), SQL compiled from it would not be what runs: such an operation is shown as a
    // note instead. Elsewhere the catalog only adds detail (names, foreign keys) and is read.
    const stale = (name: string) => this.#o.dryRun && !dialect.adapter.canAlterColumn && changed.has(name);
    const catalog = {
      table: (name: string) => (stale(name) ? Promise.reject(new Error(`"${name}" is changed by an earlier operation of this migration`)) : dialect.introspector.table(session, name)),
    };
    if (this.#o.dryRun || !dialect.adapter.supportsTransactionalDdl) await this.#precheck(catalog);
    while (this.#pending.length > 0) {
      const op = this.#pending.shift()!;
      if (requiresNoTransaction(op) && dialect.adapter.supportsConcurrentIndex && this.#transactional && !this.#o.dryRun) {
        throw new StrataError("MIGRATION_INVALID", `Migration "${this.#o.id}" runs CREATE/DROP INDEX CONCURRENTLY after other statements inside its transaction.`, {
          hint: "Put the concurrent index in a migration of its own, or set `transaction = false` on this one.",
        });
      }
      for (const statement of await this.#compile(op, catalog)) await this.#execute(statement, "schema", !requiresNoTransaction(op));
    }
  }

  /**
   * Where DDL commits as it goes (MySQL), and in dry runs: every queued operation compiled
   * once before any runs, so a name the database cannot hold or a feature it lacks stops
   * the migration before its first statement, not after half of them committed. Other
   * compile errors (a table an earlier operation creates) wait for their turn.
   */
  async #precheck(catalog: { table(name: string): Promise<unknown> }): Promise<void> {
    const { dialect } = this.#o;
    for (const op of this.#pending) {
      try {
        await dialect.compiler.compileOperation(op, catalog as Parameters<typeof dialect.compiler.compileOperation>[1]);
      } catch (error) {
        if (isStrataError(error) && (error.code === "IDENTIFIER_INVALID" || error.code === "UNSUPPORTED")) throw error;
      }
    }
  }

  /**
   * A dry run compiles against the live schema, where a table created earlier in the same
   * migration does not exist yet: a SQLite rebuild of it can only be shown as a note.
   */
  async #compile(op: Operation, catalog: { table(name: string): Promise<unknown> }): Promise<Statement[]> {
    const { dialect } = this.#o;
    try {
      if ((op.kind === "DropIndex" || op.kind === "DropUnique" || op.kind === "DropForeignKey") && op.columns) {
        op = await droppedByColumns(op, catalog as Catalog);
        // In a plan, what an earlier migration creates is not in the database yet: its name is found when that has run.
        if (this.#o.dryRun && !(await hasNamed(op, catalog as Catalog))) throw new Error(`nothing on ${op.table} (${op.columns!.join(", ")}) exists yet; its name is looked up then`);
      }
      const statements = await dialect.compiler.compileOperation(op, catalog as Parameters<typeof dialect.compiler.compileOperation>[1]);
      if (this.#o.dryRun) for (const table of tablesOf(op)) this.#dryRunChanged.add(table);
      return statements;
    } catch (error) {
      if (!this.#o.dryRun) throw error;
      for (const table of tablesOf(op)) this.#dryRunChanged.add(table);
      return [{ sql: `-- ${op.kind}: compiled when earlier statements have run (${error instanceof Error ? error.message : String(error)})`, params: [] }];
    }
  }

  /**
   * Runs SQL text (a .sql section): one round trip inside a transaction, statement by
   * statement otherwise. In a migration's own transaction on a pipelining session the
   * section is not waited for: the history writes and COMMIT go out right behind it
   * (sent()), so the whole migration is one round trip.
   */
  async runSql(sql: string): Promise<void> {
    this.#checkIdentifiers(sql);
    await this.#start();
    if (this.#transactional && !this.#o.dryRun) {
      this.lastStatement = sql;
      this.#noteSession(sql);
      const { session } = this.#o;
      const begin = this.takePendingBegin();
      if (session.pipelines && this.#o.mode === "own" && !this.#touchesSession) {
        // BEGIN in a message of its own: a failing section then leaves the transaction
        // aborted, so the writes behind it fail and COMMIT rolls back. (A failing message
        // holding its own BEGIN ends the transaction, and what follows would autocommit.)
        const sent = Promise.all([...begin.map((b) => session.executeScript(b.sql)), session.executeScript(sql)]).then(() => undefined);
        sent.catch(() => undefined);
        this.#inFlight = sent;
        return;
      }
      await session.executeScript(begin.length ? `${begin[0].sql};\n${sql}` : sql);
      return;
    }
    const texts = this.#o.dialect.compiler.splitStatements(sql);
    const last = texts.pop();
    for (let i = 0; i < texts.length; ) {
      let run = 0;
      while (this.#groupsData && DATA.test(texts[i + run] ?? "")) run++;
      if (run > 1) await this.#executeData(texts.slice(i, i + run).map((text) => ({ sql: text, params: [] })));
      else await this.#execute({ sql: texts[i], params: [] }, "schema");
      i += Math.max(run, 1);
    }
    if (last === undefined) return;
    const statement = { sql: last, params: [] };
    if (this.#mayHold(statement)) this.#held = statement;
    else await this.#execute(statement, "schema");
  }

  /**
   * Where a batch stops at its first error, outside a transaction and a transform, the last
   * statement can wait for the history writes. Not one that may change the session: the
   * session is reset before those writes.
   */
  #mayHold(statement: Statement): boolean {
    const o = this.#o;
    if (o.dryRun || !o.session.batchStopsAtError || o.mode !== "own" || this.#transactional || this.#afterTransform || o.resumeAfter !== undefined) return false;
    this.#noteSession(statement.sql);
    return !this.#touchesSession;
  }

  /** Whether a statement waits for the history writes (finishWith). */
  get holds(): boolean {
    return this.#held !== undefined;
  }

  /**
   * Sends the held statement, its progress and `trailer` (the history writes) in one batch.
   * The batch stops at its first error: where the statement ran and the trailer failed,
   * the error says so and the statement counts as done.
   */
  async finishWith(trailer: readonly Statement[]): Promise<void> {
    const statement = this.#held!;
    this.#held = undefined;
    const index = this.#statementsDone;
    this.lastStatement = statement.sql;
    await this.#executeOutside(statement, index + 1, true, trailer);
    this.#statementsDone = index + 1;
  }

  async #start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (this.#o.dryRun) return;
    const { session, dialect, history, id, direction, by, mode } = this.#o;
    if (this.#o.statementTimeoutMs !== undefined && (await dialect.adapter.setStatementTimeout(session, this.#o.statementTimeoutMs))) this.#touchesSession = true;
    const explicit = this.#o.transaction;
    const needsNoTx = dialect.adapter.supportsConcurrentIndex && this.#pending.some(requiresNoTransaction);
    if (this.#o.resumeAfter !== undefined) {
      // The progress marker of the stopped run stays; the migration goes on outside a transaction.
      this.#transactional = false;
      this.#afterTransform = true;
      return;
    }
    if (mode !== "own") {
      if (explicit === false || needsNoTx) {
        throw new StrataError("UNSUPPORTED", `Migration "${id}" must run outside a transaction, so it cannot run under --single-transaction.`, { hint: "Run it without --single-transaction." });
      }
      this.#transactional = true;
      if (mode === "savepoint") await dialect.adapter.savepoints!.begin(session);
      return;
    }
    this.#transactional = dialect.adapter.supportsTransactionalDdl && explicit !== false && !(needsNoTx && explicit !== true);
    if (this.#transactional && !dialect.adapter.locksWithTransactions && dialect.adapter.transactionStatements) {
      this.#pendingBegin = true;
    } else if (this.#transactional) {
      await dialect.adapter.begin(session);
      // Where the lock is taken per transaction (SQLite's write lock), another runner may
      // have applied the migration while this one waited.
      if (direction === "up" && (await history.isApplied(id))) {
        await dialect.adapter.rollback(session);
        throw new AlreadyApplied(id);
      }
    } else {
      const marker = history.startProgressStatements(id, direction, by);
      if (session.batchStopsAtError) this.#pendingMarker = marker;
      else await session.executeBatch(marker);
    }
  }

  /** The marker statements not written yet, for a batch about to go out (they leave the run). */
  takeMarker(): Statement[] {
    const marker = this.#pendingMarker;
    this.#pendingMarker = [];
    return marker;
  }

  /** Writes the progress marker if it is still pending. */
  async writeMarker(): Promise<void> {
    const marker = this.takeMarker();
    if (marker.length) await this.#o.session.executeBatch(marker);
  }

  get direction(): "up" | "down" {
    return this.#o.direction;
  }

  /** Whether this run of the migration called this.transform(). */
  get ranTransforms(): boolean {
    return this.#transforms > 0;
  }

  /** The n-th transform of this migration (0-based): part of the transform's id. */
  nextTransformIndex(): number {
    return this.#transforms++;
  }

  /**
   * Before a transform: what ran so far is committed, and the rest of the migration runs
   * outside a transaction behind a resumable progress marker, so a killed run resumes here
   * on the next \`strata up\` instead of starting over or counting as failed.
   */
  async enterTransform(closeRunTransaction: () => Promise<void>): Promise<void> {
    await this.flush();
    await this.#start();
    if (this.#o.dryRun) return;
    const { history, id, direction, by, mode } = this.#o;
    if (mode === "run") throw new StrataError("UNSUPPORTED", `Migration "${id}" runs a transform, which commits chunk by chunk, so it cannot run under --single-transaction.`, { hint: "Run it without --single-transaction." });
    if (this.#transactional) {
      const begin = this.takePendingBegin();
      // The marker commits with the statements before the transform: a kill between their
      // commit and a later marker would leave them applied and the next run starting over.
      await history.startProgress(id, direction, by, "transform", this.#statementsDone);
      if (begin.length === 0) await this.commit();
      if (mode === "savepoint") await closeRunTransaction();
      this.#transactional = false;
    } else if (this.#o.resumeAfter === undefined) {
      await this.writeMarker();
      await history.markResumable(id);
    }
    this.#afterTransform = true;
  }

  /** Makes the migration's writes permanent within its mode (commit, or release the savepoint). */
  async commit(): Promise<void> {
    await this.sent();
    const { session, dialect, mode } = this.#o;
    if (mode === "own") await dialect.adapter.commit(session);
    else if (mode === "savepoint") await dialect.adapter.savepoints!.commit(session);
  }

  /** Undoes the migration's writes within its mode; under `run` that is the whole run. */
  async rollback(): Promise<void> {
    await this.sent().catch(() => undefined);
    if (this.#pendingBegin) {
      this.#pendingBegin = false;
      return;
    }
    const { session, dialect, mode } = this.#o;
    if (mode === "savepoint") await dialect.adapter.savepoints!.rollback(session);
    else await dialect.adapter.rollback(session);
  }

  /**
   * Where DDL commits on its own (MySQL), consecutive data statements of a .sql section
   * share one transaction, so a file of thousands of INSERTs is not one durable commit
   * each. Outside a dry run, a resumed run and a --single-transaction run.
   */
  get #groupsData(): boolean {
    const o = this.#o;
    return !o.dryRun && !this.#tablesLocked && !this.#userTransaction && o.session.batchStopsAtError && o.mode === "own" && !this.#transactional && !this.#afterTransform && o.resumeAfter === undefined && o.dialect.adapter.transactionStatements !== undefined;
  }

  /**
   * Runs data statements in one transaction, recording them done when it commits. A failing
   * statement undoes only itself: what ran before it is committed and recorded, so the
   * migration is failed with exactly what ran (unless the error ended the transaction, as a
   * deadlock does: then none of the group ran). Killed part-way, the group rolls back and
   * the marker still counts the statements before it.
   */
  async #executeData(statements: readonly Statement[]): Promise<void> {
    const { session, dialect, history, id } = this.#o;
    const tx = dialect.adapter.transactionStatements!;
    const start = this.#statementsDone;
    await this.sent();
    await this.writeMarker();
    await session.execute(tx.begin);
    let done = 0;
    try {
      for (let i = 0; i < statements.length; i += DATA_BATCH) {
        const batch = statements.slice(i, i + DATA_BATCH);
        for (const statement of batch) {
          this.#checkIdentifiers(statement.sql);
          this.#o.onStatement?.(statement, "schema");
        }
        this.lastStatement = batch[batch.length - 1].sql;
        // One round trip per batch; where one fails, the batch is undone and run again
        // statement by statement, to stop at the one that fails with those before it kept.
        const sent = await session.executeBatch([{ sql: "savepoint strata_data", params: [] }, ...batch]).then(() => true, (error: unknown) => {
          if (dialect.adapter.endsTransaction?.(error)) throw error;
          return false;
        });
        if (sent) {
          done += batch.length;
          continue;
        }
        await session.execute("rollback to savepoint strata_data");
        for (const statement of batch) {
          this.lastStatement = statement.sql;
          await session.execute(statement.sql, statement.params);
          done++;
        }
      }
    } catch (error) {
      if (dialect.adapter.endsTransaction?.(error)) {
        await session.execute("rollback").catch(() => undefined);
        done = 0;
      } else {
        await session.executeBatch([{ sql: tx.commit, params: [] }, history.advanceProgressStatement(id, start + done)]);
      }
      this.#statementsDone = start + done;
      throw namingStatement(error, statements[done].sql);
    }
    await session.executeBatch([{ sql: tx.commit, params: [] }, history.advanceProgressStatement(id, start + done)]);
    this.#statementsDone = start + done;
  }

  async #execute(statement: Statement, kind: "schema" | "data", transactable = true): Promise<{ rows: Row[]; rowCount: number }> {
    this.#checkIdentifiers(statement.sql);
    await this.sent();
    this.#o.onStatement?.(statement, kind);
    if (this.#o.dryRun) return { rows: [], rowCount: 0 };
    await this.#start();
    const index = this.#statementsDone;
    if (this.#o.resumeAfter !== undefined && index < this.#o.resumeAfter && !READS.test(statement.sql)) {
      this.#statementsDone++;
      return { rows: [], rowCount: 0 };
    }
    this.lastStatement = statement.sql;
    this.#noteSession(statement.sql);
    if (!this.#transactional && kind === "schema") await this.#o.dialect.adapter.dropInvalidIndexFor?.(this.#o.session, statement.sql);
    const begin = this.takePendingBegin();
    const result = begin.length
      ? (await this.#o.session.executeBatch([...begin, statement]))[1]
      : this.#transactional
        ? await this.#o.session.execute(statement.sql, statement.params)
        : await this.#executeOutside(statement, index + 1, transactable);
    this.#statementsDone = index + 1;
    return result;
  }

  /**
   * Names the database would silently cut are refused before they run, going up. Going
   * down, a migration applied with such a name (by another tool) is undone as written: the
   * database cuts the name the same way again.
   */
  #checkIdentifiers(sql: string): void {
    if (this.#o.direction === "up") this.#o.dialect.compiler.checkSqlIdentifiers(sql);
  }

  /** SET, RESET, USE or anything naming search_path may change where later statements land. */
  #noteSession(sql: string): void {
    if (!this.#touchesSession && (/^\s*(set|reset|use)\b/im.test(sql) || /search_path|set_config/i.test(sql))) this.#touchesSession = true;
  }

  /**
   * A statement outside the migration's transaction, recorded as done right after it (the
   * progress marker). Past a transform, where DDL is transactional, the statement and its
   * progress commit together: a kill between the two would run it again on resume. Where a
   * batch stops at its first error (MySQL), both go in one round trip. A statement that
   * gave up waiting for its lock did nothing: it is run again.
   */
  async #executeOutside(statement: Statement, done: number, transactable: boolean, trailer: readonly Statement[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    const { session, dialect, history, id } = this.#o;
    const together = this.#afterTransform && transactable && this.#o.transaction !== false && dialect.adapter.supportsTransactionalDdl;
    const advance = history.advanceProgressStatement(id, done);
    for (let attempt = 0; ; attempt++) {
      try {
        if (together) {
          await dialect.adapter.begin(session);
          try {
            const [result] = await session.executeBatch([statement, advance]);
            await dialect.adapter.commit(session);
            return result;
          } catch (error) {
            await dialect.adapter.rollback(session).catch(() => undefined);
            throw error;
          }
        }
        if (session.batchStopsAtError) {
          const marker = this.takeMarker();
          // Under LOCK TABLES (mysqldump's data blocks) only the locked tables may be written:
          // the progress catches up at UNLOCK TABLES.
          const locks = LOCK_TABLES.test(statement.sql);
          const unlocks = UNLOCK_TABLES.test(statement.sql);
          const deferred = (this.#tablesLocked || locks) && !unlocks;
          try {
            const result = (await session.executeBatch([...marker, statement, ...(deferred ? [] : [advance]), ...trailer]))[marker.length];
            if (locks) this.#tablesLocked = true;
            if (unlocks) this.#tablesLocked = false;
            this.#noteTransaction(statement.sql);
            return result;
          } catch (error) {
            if (this.#tablesLocked || locks) {
              // The failure is recorded in strata's tables: the locks go first.
              await session.execute("unlock tables").catch(() => undefined);
              this.#tablesLocked = false;
            }
            if (trailer.length && (await history.statementsDone(id).catch(() => undefined)) === done) {
              this.#statementsDone = done;
              this.lastStatement = undefined;
              throw new TrailerFailed(historyWriteFailed(error));
            }
            throw namingStatement(error, statement.sql);
          }
        }
        const result = await session.execute(statement.sql, statement.params);
        this.#noteTransaction(statement.sql);
        await session.execute(advance.sql, advance.params, advance);
        return result;
      } catch (error) {
        if (error instanceof TrailerFailed) throw error.cause;
        if (this.#userTransaction) {
          // As when the connection closes: the section's own transaction is undone, and the
          // failure is recorded outside it (PostgreSQL would refuse any write in it now).
          this.#userTransaction = false;
          await dialect.adapter.rollback(session).catch(() => undefined);
          throw error;
        }
        if (!dialect.adapter.isLockTimeout(error) || attempt >= this.#o.ddlRetries) throw error;
        const waitMs = Math.min(10_000, 500 * 2 ** attempt);
        this.#o.onRetry?.(attempt + 1, waitMs, error instanceof Error ? error.message : String(error));
        await sleep(waitMs);
        // A CREATE INDEX CONCURRENTLY that gave up left an INVALID index under its name.
        await dialect.adapter.dropInvalidIndexFor?.(session, statement.sql);
      }
    }
  }

  #noteTransaction(sql: string): void {
    if (OPENS_TRANSACTION.test(sql)) this.#userTransaction = true;
    else if (ENDS_TRANSACTION.test(sql)) this.#userTransaction = false;
  }

  /** Waits for a section runSql() sent without waiting; its error, as the database gave it. */
  async sent(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    if (held) await this.#execute(held, "schema");
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    await inFlight;
  }

  /** Flushes what is left and makes sure the run started, so the history write has a transaction to join. */
  async complete(): Promise<void> {
    this.#aborted.assertOpen();
    await this.flush();
    await this.#start();
  }
}

/**
 * dropIndex / dropUnique / dropForeignKey by columns: the generated name is
 * `<table>_<columns>_idx|key|fkey`, but the index may be unique (`_key`) or the constraint
 * may have been given a name. Where nothing has the generated name, the one index (unique
 * ones for dropUnique) or foreign key on exactly these columns is dropped, whatever its name.
 */
async function droppedByColumns<T extends DropIndex | DropUnique | DropForeignKey>(op: T, catalog: Catalog): Promise<T> {
  const table = await catalog.table(op.table);
  const candidates = op.kind === "DropForeignKey" ? (table?.foreignKeys ?? []) : (table?.indexes ?? []).filter((index) => op.kind === "DropIndex" || index.unique);
  if (candidates.some((c) => c.name === op.name)) return op;
  const same = candidates.filter((c) => c.columns.length === op.columns!.length && c.columns.every((name, i) => name === op.columns![i]));
  return same.length === 1 ? { ...op, name: same[0].name } : op;
}

/** Whether the index or foreign key an operation drops is in the catalog under its name. */
async function hasNamed(op: DropIndex | DropUnique | DropForeignKey, catalog: Catalog): Promise<boolean> {
  const table = await catalog.table(op.table);
  const named = op.kind === "DropForeignKey" ? (table?.foreignKeys ?? []) : (table?.indexes ?? []);
  return named.some((c) => c.name === op.name);
}

/** The tables an operation creates, changes or removes. */
function tablesOf(op: Operation): string[] {
  if (op.kind === "RenameTable") return [op.from, op.to];
  return "table" in op && typeof op.table === "string" ? [op.table] : [];
}

/** The history writes behind a held statement failed, after the statement itself ran: not retried. */
class TrailerFailed extends Error {
  constructor(cause: unknown) {
    super("the history writes failed", { cause });
  }
}

/** The history writes behind the last statement failed: the error names none of the migration's statements. */
function historyWriteFailed(error: unknown): unknown {
  if (!isStrataError(error) || error.code !== "DATABASE_ERROR") return error;
  const { statement: _batch, ...details } = error.details ?? {};
  return new StrataError(error.code, `its statements ran, but recording it in the history failed: ${error.message}`, { ...(error.hint ? { hint: error.hint } : {}), details, cause: error.cause });
}

/** A batch's error names the migration's own statement in it, not the text of the whole batch. */
function namingStatement(error: unknown, sql: string): unknown {
  if (!isStrataError(error) || error.code !== "DATABASE_ERROR") return error;
  return new StrataError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}), details: { ...error.details, statement: sql }, cause: error.cause });
}
