import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errors, isStrataError } from "../../errors.ts";
import type { Adapter, LockOptions, Session } from "../dialect.ts";
import { nowMs, sleep } from "../../util/time.ts";
import { SQLITE_MAX_IDENTIFIER_LENGTH, SQLITE_MAX_PARAMETERS } from "./types.ts";

/** How long the first lock attempt waits before strata reports that it is waiting. */
const QUICK_PROBE_MS = 50;

function isBusy(error: unknown): boolean {
  const code = isStrataError(error) ? error.details?.databaseCode : undefined;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/**
 * SQLite's capabilities, migration lock and transaction policy. The migration lock is the
 * database's write lock: SQLite allows one writer at a time, and a run's BEGIN IMMEDIATE
 * transaction takes it, so a second runner waits (busy_timeout). A migration that opts out
 * of transactions commits on its own, and the executor re-reads the history inside each
 * such transaction.
 */
export class SqliteAdapter implements Adapter {
  readonly locksWithTransactions = true;
  readonly dataTransaction = { begin: "begin immediate", commit: "commit" } as const;
  readonly supportsTransactionalDdl = true;
  readonly supportsSkipLocked = false;
  readonly supportsPartialIndex = true;
  readonly supportsConcurrentIndex = false;
  readonly supportsReturning = true;
  readonly canAlterColumn = false;
  readonly errorsAbortTransaction = false;
  readonly maxIdentifierLength = SQLITE_MAX_IDENTIFIER_LENGTH;
  readonly maxParameters = SQLITE_MAX_PARAMETERS;

  /** The database as messages name it (a file path, or a URL without its token). */
  private readonly described: string;

  constructor(described: string) {
    this.described = described;
  }

  /**
   * Waits until no other connection holds the write lock, up to `timeoutMs`: a first
   * attempt with a short busy timeout, then (after onWait) one with the full timeout. The
   * session keeps `timeoutMs` as its busy_timeout, so each migration's BEGIN IMMEDIATE
   * waits as long.
   */
  async acquireLock(session: Session, _key: string, options: LockOptions): Promise<void> {
    const { timeoutMs } = options;
    const quick = Math.min(QUICK_PROBE_MS, timeoutMs);
    if (await this.probeWriteLock(session, quick)) {
      await this.setBusyTimeout(session, timeoutMs);
      return;
    }
    if (timeoutMs > quick) {
      options.onWait?.(undefined);
      // Short probes with waits between them, not one long busy wait: the driver blocks the
      // thread while it waits, and the holder may be a run in this very process.
      const deadline = nowMs() + timeoutMs;
      while (nowMs() < deadline) {
        await sleep(QUICK_PROBE_MS);
        if (await this.probeWriteLock(session, Math.max(0, Math.min(QUICK_PROBE_MS, deadline - nowMs())))) {
          await this.setBusyTimeout(session, timeoutMs);
          return;
        }
      }
    }
    throw errors.lockTimeout(this.described, timeoutMs);
  }

  /** Nothing to release: the run's transaction held the write lock and has ended. */
  async releaseLock(_session: Session, _key: string): Promise<void> {}

  /** The write lock is a transaction's, held only while one runs: there is no runner to name. */
  async lockHolder(_session: Session, _key: string): Promise<string | undefined> {
    return undefined;
  }

  /**
   * PRAGMA foreign_keys is a no-op inside a transaction, and a table rebuild with foreign
   * keys on would delete (or cascade to) child rows when it drops the old table, so
   * enforcement is turned off before BEGIN and checked by commit().
   */
  async begin(session: Session): Promise<void> {
    await session.execute("pragma foreign_keys = off");
    try {
      await session.execute("begin immediate");
    } catch (error) {
      await session.execute("pragma foreign_keys = on");
      if (isBusy(error)) throw errors.lockTimeout(this.described, await this.busyTimeout(session));
      throw error;
    }
  }

  /**
   * One transaction per run, a savepoint per migration: the write lock covers the whole
   * database anyway, and each commit costs a sync to disk (about a millisecond here), which
   * would dominate a run of many small migrations. The savepoint release checks foreign
   * keys, so a violation fails the migration that caused it.
   */
  readonly savepoints = {
    begin: async (session: Session) => {
      await session.execute('savepoint "strata_migration"');
    },
    commit: async (session: Session) => {
      await this.checkForeignKeys(session);
      await session.execute('release savepoint "strata_migration"');
    },
    rollback: async (session: Session) => {
      await session.execute('rollback to savepoint "strata_migration"');
      await session.execute('release savepoint "strata_migration"');
    },
  };

  /** Commits only when no row breaks a foreign key; otherwise throws and leaves the transaction for rollback(). */
  async commit(session: Session): Promise<void> {
    await this.checkForeignKeys(session);
    await session.execute("commit");
    await session.execute("pragma foreign_keys = on");
  }

  private async checkForeignKeys(session: Session): Promise<void> {
    const { rows } = await session.execute("pragma foreign_key_check");
    if (rows.length > 0) {
      const shown = rows.slice(0, 5).map((r) => `table "${String(r.table)}" ${r.rowid === null ? "(without rowid)" : `rowid ${String(r.rowid)}`} references a missing row of "${String(r.parent)}"`);
      const more = rows.length > shown.length ? `, and ${rows.length - shown.length} more` : "";
      throw errors.databaseError(`Foreign key check failed, nothing was committed: ${shown.join("; ")}${more}.`, {
        code: "SQLITE_CONSTRAINT_FOREIGNKEY",
        statement: "pragma foreign_key_check",
      });
    }
  }

  async rollback(session: Session): Promise<void> {
    try {
      await session.execute("rollback");
    } catch (error) {
      if (!/no transaction is active/i.test(error instanceof Error ? error.message : String(error))) throw error;
    }
    await this.resetSession(session);
  }

  async tableExists(session: Session, table: string): Promise<boolean> {
    const { rows } = await session.execute("select 1 as \"found\" from \"sqlite_master\" where \"type\" = 'table' and \"name\" = ? collate nocase", [table]);
    return rows.length > 0;
  }

  /** The driver creates the database file's folder when it opens it. */
  async prepareForWrites(_session: Session): Promise<void> {}

  async resetSession(session: Session): Promise<void> {
    await session.execute("pragma foreign_keys = on");
    await session.execute("pragma legacy_alter_table = off");
  }

  /** SQLite has no statement timeout. */
  async setStatementTimeout(_session: Session, _timeoutMs: number): Promise<boolean> {
    return false;
  }

  /** SQLITE_BUSY / SQLITE_LOCKED: busy_timeout ran out before the statement got the lock; it changed nothing. */
  isLockTimeout(error: unknown): boolean {
    return isBusy(error);
  }

  async scratchDatabase(_session: Session): Promise<{ url: string; described: string; drop(): Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), "strata-verify-"));
    const url = `file:${join(dir, "verify.db")}`;
    return { url, described: url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }

  /** True when BEGIN IMMEDIATE got the write lock within `timeoutMs`; the probe is rolled back at once. */
  private async probeWriteLock(session: Session, timeoutMs: number): Promise<boolean> {
    await this.setBusyTimeout(session, timeoutMs);
    try {
      await session.execute("begin immediate");
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    }
    await session.execute("rollback");
    return true;
  }

  private async setBusyTimeout(session: Session, timeoutMs: number): Promise<void> {
    const ms = Number.isFinite(timeoutMs) ? Math.max(0, Math.floor(timeoutMs)) : 0;
    await session.execute(`pragma busy_timeout = ${ms}`);
  }

  private async busyTimeout(session: Session): Promise<number> {
    const { rows } = await session.execute("pragma busy_timeout");
    return Number(rows[0]?.timeout ?? 0);
  }
}
