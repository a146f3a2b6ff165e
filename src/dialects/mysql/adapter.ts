import { setTimeout as sleep } from "node:timers/promises";
import { databaseCodeOf, errors } from "../../errors.ts";
import { sha256 } from "../../util/checksum.ts";
import type { Adapter, ConnectionOptions, LockOptions, Session } from "../dialect.ts";
import type { MysqlCompiler } from "./compiler.ts";
import { scratchName, withDatabase } from "../scratch.ts";
import { applySessionSettings, detectServer, hasSkipLocked, statementTimeoutSetting, type MysqlServerState } from "./server.ts";

const POLL_MS = 250;

/** GET_LOCK names are server-wide and at most 64 characters: a prefix and a hash of the key. */
export function lockName(key: string): string {
  return `strata:${sha256(key)}`.slice(0, 64);
}

/**
 * MySQL/MariaDB: DDL commits implicitly (no transactional DDL), no partial indexes, no
 * RETURNING strata relies on (MariaDB has it for INSERT/DELETE only). The migration lock
 * is GET_LOCK, a named lock the server releases by itself when the session that holds it
 * ends, killed or crashed included: no lock row ever outlives its process.
 */
export class MysqlAdapter implements Adapter {
  readonly locksWithTransactions = false;
  readonly transactionStatements = { begin: "start transaction", commit: "commit" } as const;
  readonly dataTransaction = this.transactionStatements;
  readonly supportsTransactionalDdl = false;
  readonly supportsPartialIndex = false;
  /** `concurrently` compiles to online DDL (ALGORITHM=INPLACE, LOCK=NONE), not to a separate non-transactional step. */
  readonly supportsConcurrentIndex = false;
  readonly supportsReturning = false;
  readonly canAlterColumn = true;
  readonly errorsAbortTransaction = false;
  readonly maxIdentifierLength = 64;
  readonly maxParameters = 65535;
  readonly #options: ConnectionOptions;
  readonly #state: MysqlServerState;
  readonly #compiler: MysqlCompiler;

  constructor(options: ConnectionOptions, state: MysqlServerState, compiler: MysqlCompiler) {
    this.#options = options;
    this.#state = state;
    this.#compiler = compiler;
  }

  /**
   * SKIP LOCKED: MySQL 8.0.1+, MariaDB 10.6+. Known once the driver has opened a first
   * session (it reads the server version then); false before, which is the safe answer.
   */
  get supportsSkipLocked(): boolean {
    return this.#state.info !== undefined && hasSkipLocked(this.#state.info);
  }

  async acquireLock(session: Session, key: string, options: LockOptions): Promise<void> {
    const name = lockName(key);
    const started = Date.now();
    let waited = false;
    let holder: string | undefined;
    for (;;) {
      // Never a blocking GET_LOCK(name, timeout): polling keeps the wait bounded by
      // timeoutMs exactly and lets the holder be looked up.
      const { rows } = await session.execute("select get_lock(?, 0) as acquired", [name]);
      if (Number(rows[0]?.acquired) === 1) return;
      holder = (await this.lockHolder(session, key)) ?? holder;
      if (!waited) {
        waited = true;
        options.onWait?.(holder);
      }
      const remaining = options.timeoutMs - (Date.now() - started);
      if (remaining <= 0) throw errors.lockTimeout(this.#options.described, options.timeoutMs, holder);
      await sleep(Math.min(POLL_MS, remaining));
    }
  }

  async releaseLock(session: Session, key: string): Promise<void> {
    await session.execute("select release_lock(?) as released", [lockName(key)]);
  }

  /** The connection holding the lock, and the strata process behind it where performance_schema tells. */
  async lockHolder(session: Session, key: string): Promise<string | undefined> {
    // Without the PROCESS privilege processlist shows only our own user's connections:
    // the holder's connection id is still known.
    const { rows } = await session.execute(
      "select l.id as id, p.user as user, p.host as host from (select is_used_lock(?) as id) l left join information_schema.processlist p on p.id = l.id",
      [lockName(key)],
    );
    const row = rows[0];
    if (!row || row.id == null) return undefined;
    const connection = row.user == null ? `connection ${String(row.id)}` : `connection ${String(row.id)} ${String(row.user)}@${String(row.host)}`;
    try {
      const attrs = await session.execute(
        "select attr_name as name, attr_value as value from performance_schema.session_connect_attrs where processlist_id = ? and attr_name in ('strata_pid', 'strata_host')",
        [row.id],
      );
      const byName = new Map(attrs.rows.map((a) => [String(a.name), String(a.value)]));
      const pid = byName.get("strata_pid");
      if (pid) return `pid ${pid} on ${byName.get("strata_host") ?? "an unknown host"}, ${connection}`;
    } catch {
      // performance_schema off (MariaDB's default) or not readable: the connection is all we know.
    }
    return connection;
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
      "select table_name as name from information_schema.tables where table_schema = database() and table_name = ?",
      [table],
    );
    // information_schema compares names case-insensitively; tables are case-sensitive on most Unix servers.
    return rows.some((r) => String(r.name) === table);
  }

  async prepareForWrites(_session: Session): Promise<void> {}

  /** Back to the settings and the database the session started with (see server.ts). */
  async resetSession(session: Session): Promise<void> {
    const info = await detectServer(session, this.#state);
    let baseline = this.#state.baselines.get(session);
    if (!baseline) {
      const { rows } = await session.execute("select @@global.sql_mode as sql_mode, database() as db");
      baseline = { database: rows[0]?.db == null ? null : String(rows[0].db), sqlMode: String(rows[0]?.sql_mode ?? ""), foreignKeyChecks: 1 };
    }
    await applySessionSettings(session, this.#options, info, baseline, (name) => this.#compiler.quoteIdentifier(name));
  }

  async setStatementTimeout(session: Session, timeoutMs: number): Promise<boolean> {
    const { part, param } = statementTimeoutSetting(timeoutMs, await detectServer(session, this.#state));
    await session.execute(`set ${part}`, [param]);
    return true;
  }

  /** 1205 ER_LOCK_WAIT_TIMEOUT: a row lock, or for DDL the metadata lock (lock_wait_timeout), was not granted in time. */
  isLockTimeout(error: unknown): boolean {
    return databaseCodeOf(error)?.startsWith("1205") ?? false;
  }

  /** InnoDB undoes the whole transaction for a deadlock (1213); other errors undo their statement only. */
  endsTransaction(error: unknown): boolean {
    return this.isDeadlock(error);
  }

  isDeadlock(error: unknown): boolean {
    return databaseCodeOf(error)?.startsWith("1213") ?? false;
  }

  async scratchDatabase(session: Session): Promise<{ url: string; described: string; drop(): Promise<void> }> {
    const { rows } = await session.execute("select database() as name");
    const name = scratchName(String(rows[0]?.name ?? "strata"), 64);
    await session.execute(`create database ${this.#compiler.quoteIdentifier(name)}`);
    return {
      ...withDatabase(this.#options, name),
      drop: async () => void (await session.execute(`drop database if exists ${this.#compiler.quoteIdentifier(name)}`)),
    };
  }
}
