import { createHash } from "node:crypto";
import { databaseCodeOf, errors } from "../../errors.ts";
import { nowMs, sleep } from "../../util/time.ts";
import type { Adapter, ConnectionOptions, LockOptions, Session } from "../dialect.ts";
import type { PostgresCompiler } from "./compiler.ts";
import { scratchName, withDatabase } from "../scratch.ts";
import { statementTimeoutSql } from "./driver.ts";

const POLL_MS = 150;

/**
 * The migration lock is a SESSION-level advisory lock taken by polling
 * pg_try_advisory_lock outside any transaction. A runner blocked inside pg_advisory_lock,
 * or holding a transaction-level advisory lock, keeps a transaction open; the holder's
 * CREATE INDEX CONCURRENTLY waits for every open transaction to end, so the two runners
 * would wait for each other. A session-level lock also outlives the per-migration
 * transactions, and PostgreSQL releases it when the session dies.
 */
export class PostgresAdapter implements Adapter {
  readonly locksWithTransactions = false;
  readonly transactionStatements = { begin: "begin", commit: "commit" } as const;
  readonly dataTransaction = this.transactionStatements;
  readonly supportsTransactionalDdl = true;
  readonly supportsSkipLocked = true;
  readonly supportsPartialIndex = true;
  readonly supportsConcurrentIndex = true;
  readonly supportsReturning = true;
  readonly canAlterColumn = true;
  readonly errorsAbortTransaction = true;
  readonly maxIdentifierLength = 63;
  // postgres.js refuses 65,534 or more (the protocol allows 65,535).
  readonly maxParameters = 65533;
  readonly #options: ConnectionOptions;
  readonly #compiler: PostgresCompiler;

  constructor(options: ConnectionOptions, compiler: PostgresCompiler) {
    this.#options = options;
    this.#compiler = compiler;
  }

  async acquireLock(session: Session, key: string, options: LockOptions): Promise<void> {
    const lockKey = advisoryLockKey(key);
    const started = nowMs();
    let waiting = false;
    for (;;) {
      const { rows } = await session.execute("select pg_try_advisory_lock($1::bigint) as locked", [lockKey]);
      if (rows[0]?.locked === true) return;
      const waited = nowMs() - started;
      if (!waiting || waited >= options.timeoutMs) {
        const holder = await this.#holderOf(session, lockKey);
        if (!waiting) options.onWait?.(holder);
        waiting = true;
        if (waited >= options.timeoutMs) throw errors.lockTimeout(this.#options.described, options.timeoutMs, holder);
      }
      await sleep(Math.max(1, Math.min(POLL_MS, options.timeoutMs - waited)));
    }
  }

  async releaseLock(session: Session, key: string): Promise<void> {
    await session.execute("select pg_advisory_unlock($1::bigint)", [advisoryLockKey(key)]);
  }

  async lockHolder(session: Session, key: string): Promise<string | undefined> {
    return this.#holderOf(session, advisoryLockKey(key));
  }

  /** The backend holding the lock, as pg_locks and pg_stat_activity describe it. */
  async #holderOf(session: Session, lockKey: bigint): Promise<string | undefined> {
    // pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
    const unsigned = BigInt.asUintN(64, lockKey);
    const { rows } = await session.execute(
      `select l.pid, a.application_name, host(a.client_addr) as client
         from pg_catalog.pg_locks l
         left join pg_catalog.pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.classid = $1::bigint::oid and l.objid = $2::bigint::oid
          and l.database = (select oid from pg_catalog.pg_database where datname = current_database())
        limit 1`,
      [String(unsigned >> 32n), String(unsigned & 0xffffffffn)],
    );
    const row = rows[0];
    if (!row) return undefined;
    const parts = [`backend pid ${String(row.pid)}`];
    if (row.application_name) parts.push(`application "${String(row.application_name)}"`);
    if (row.client) parts.push(`client ${String(row.client)}`);
    return parts.join(", ");
  }

  /** A commit then waits for no WAL flush: a run of many migrations is not one fsync per migration. */
  async relaxCommits(session: Session): Promise<void> {
    await session.execute("set synchronous_commit = off");
  }

  /**
   * A synchronous commit of a transaction that has an xid flushes the WAL up to it, and so
   * every commit before it.
   */
  async flushCommits(session: Session): Promise<void> {
    await session.executeScript("set synchronous_commit = on; begin; select txid_current(); commit");
  }

  async begin(session: Session): Promise<void> {
    await session.execute(this.transactionStatements.begin);
  }

  async commit(session: Session): Promise<void> {
    await session.execute(this.transactionStatements.commit);
  }

  async rollback(session: Session): Promise<void> {
    await session.execute("rollback");
  }

  async tableExists(session: Session, table: string): Promise<boolean> {
    const { rows } = await session.execute(
      `select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = coalesce($1::text, current_schema()) and c.relname = $2 and c.relkind in ('r', 'p')`,
      [this.#options.schema ?? null, table],
    );
    return rows.length > 0;
  }

  async prepareForWrites(session: Session): Promise<void> {
    if (this.#options.schema === undefined) return;
    await session.execute(`create schema if not exists ${this.#compiler.quoteIdentifier(this.#options.schema)}`);
  }

  /**
   * search_path, lock_timeout and application_name are startup parameters of the
   * connection (see driver.ts), so RESET ALL restores them; the configured statement
   * timeout is set again. RESET ALL leaves the role alone, hence RESET ROLE.
   */
  async resetSession(session: Session): Promise<void> {
    const timeout = statementTimeoutSql(this.#options);
    await session.executeScript(`reset all; reset role${timeout ? `; ${timeout}` : ""}`);
  }

  async setStatementTimeout(session: Session, timeoutMs: number): Promise<boolean> {
    await session.execute(`set statement_timeout = ${Math.max(0, Math.round(timeoutMs))}`);
    return true;
  }

  /** 55P03 lock_not_available: lock_timeout expired before the statement got its lock. */
  async dropInvalidIndexFor(session: Session, sql: string): Promise<void> {
    const [, name, table] = CONCURRENT_INDEX.exec(stripLeadingComments(sql)) ?? [];
    if (!name || !table) return;
    // to_regclass reads the names as SQL does: quoted or not, schema-qualified or on the
    // search_path. Only an index on the statement's own table is this statement's leftover
    // (one of that name in another schema on the search_path is someone else's).
    const { rows } = await session.execute("select 1 as invalid from pg_catalog.pg_index where indexrelid = to_regclass($1) and indrelid = to_regclass($2) and not indisvalid", [name, table]);
    if (rows.length > 0) await session.execute(`drop index concurrently if exists ${name}`);
  }

  isLockTimeout(error: unknown): boolean {
    return databaseCodeOf(error) === "55P03";
  }

  /** 40P01 deadlock_detected. */
  isDeadlock(error: unknown): boolean {
    return databaseCodeOf(error) === "40P01";
  }

  async scratchDatabase(session: Session): Promise<{ url: string; described: string; drop(): Promise<void> }> {
    const { rows } = await session.execute("select current_database() as name");
    const name = scratchName(String(rows[0]?.name ?? "strata"), 63);
    await session.execute(`create database ${this.#compiler.quoteIdentifier(name)}`);
    return {
      ...withDatabase(this.#options, name),
      drop: async () => void (await session.execute(`drop database if exists ${this.#compiler.quoteIdentifier(name)} with (force)`)),
    };
  }
}

/** A stable signed 64-bit key for pg_advisory_lock(bigint): the first 8 bytes of sha256(key). */
export function advisoryLockKey(key: string): bigint {
  const hex = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
/** CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] <name> ON [ONLY] <table>: both as written (maybe schema-qualified). */
const CONCURRENT_INDEX = new RegExp(String.raw`^\s*create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?(${IDENT}(?:\s*\.\s*${IDENT})?)\s+on\s+(?:only\s+)?(${IDENT}(?:\s*\.\s*${IDENT})?)`, "i");

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(?:\s*(?:--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, "");
}
