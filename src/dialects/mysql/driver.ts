import { hostname } from "node:os";
import { createPool, type Pool, type PoolConnection, type PoolOptions } from "mysql2/promise";
import type { ConnectionOptions, Driver, ExecuteResult, Row, Session, Statement } from "../dialect.ts";
import type { MysqlCompiler } from "./compiler.ts";
import { parseConnectionConfig, type MysqlConnectionConfig } from "./connection-config.ts";
import { connectionError, wrapDriverError } from "./driver-errors.ts";
import { applySessionSettings, parseServerVersion, type MysqlServerState, type SessionBaseline } from "./server.ts";

interface TypeCastField {
  type: string;
  length: number;
  string(): string | null;
}

/**
 * mysql2 behind the Session interface. Each session is a connection taken out of a pool
 * and kept until close: GET_LOCK, transactions and session settings belong to one
 * connection.
 *
 * Statements go through `query`, never `execute`: values are escaped into the text by
 * mysql2 on the client (with NO_BACKSLASH_ESCAPES cleared in the session, see
 * server.ts), because server-side prepared statements refuse some DDL and CREATE
 * PROCEDURE, are cached per connection against the server's max_prepared_stmt_count,
 * and MySQL 8.0.22+ rejects a bound number in LIMIT. `multipleStatements` lets a script
 * run in one round trip.
 *
 * Values read: bigint as a number while exact, a JS bigint beyond 2^53 (as the PostgreSQL
 * dialect does); decimal as an exact string; tinyint(1) (strata's boolean) as a boolean;
 * datetime as a Date in UTC; date as its 'YYYY-MM-DD' text, since a calendar day has no
 * time zone; time as text; JSON parsed (MariaDB 10.5.2+ flags its JSON alias in the
 * column metadata, which mysql2 reads).
 */
export class MysqlDriver implements Driver {
  readonly #options: ConnectionOptions;
  readonly #state: MysqlServerState;
  readonly #compiler: MysqlCompiler;
  #config: MysqlConnectionConfig | undefined;
  #pool: Pool | undefined;

  constructor(options: ConnectionOptions, state: MysqlServerState, compiler: MysqlCompiler) {
    this.#options = options;
    this.#state = state;
    this.#compiler = compiler;
  }

  async open(): Promise<Session> {
    const conn = await this.#connect();
    const session = new MysqlSession(conn, this.#options, this.#compiler);
    try {
      const { rows } = await session.execute("select version() as version, @@session.sql_mode as sql_mode, @@session.foreign_key_checks as fk, database() as db");
      const row = rows[0] ?? {};
      const info = (this.#state.info ??= parseServerVersion(String(row.version ?? "")));
      const baseline: SessionBaseline = {
        // The URL's database, not database(): a pooled connection may come back from a
        // session whose migration ran `use other_db`.
        database: this.#config?.database ?? (row.db == null ? null : String(row.db)),
        sqlMode: String(row.sql_mode ?? ""),
        foreignKeyChecks: Number(row.fk ?? 1),
      };
      this.#state.baselines.set(session, baseline);
      await applySessionSettings(session, this.#options, info, baseline, (name) => this.#compiler.quoteIdentifier(name));
    } catch (error) {
      conn.destroy();
      throw error;
    }
    return session;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.end();
  }

  async #connect(): Promise<PoolConnection> {
    const config = (this.#config ??= parseConnectionConfig(this.#options));
    this.#pool ??= createPool(poolOptions(config, config.tls !== undefined));
    try {
      return await this.#pool.getConnection();
    } catch (error) {
      // sslmode=prefer: mysql2 has no fallback of its own, so a server without TLS gets a plain pool.
      if (config.tlsOptional && (error as { code?: unknown }).code === "HANDSHAKE_NO_SSL_SUPPORT") {
        const old = this.#pool;
        config.tlsOptional = false;
        delete config.tls;
        this.#pool = createPool(poolOptions(config, false));
        await old.end().catch(() => {});
        return this.#connect();
      }
      throw connectionError(this.#options, error);
    }
  }
}

class MysqlSession implements Session {
  readonly #conn: PoolConnection;
  readonly #options: ConnectionOptions;
  readonly #compiler: MysqlCompiler;
  #closed = false;

  constructor(conn: PoolConnection, options: ConnectionOptions, compiler: MysqlCompiler) {
    this.#conn = conn;
    this.#options = options;
    this.#compiler = compiler;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecuteResult> {
    const values = params.map(toParameter);
    try {
      const [result] = await this.#conn.query({ sql, values });
      return toResult(result);
    } catch (error) {
      throw wrapDriverError(error, sql, values, this.#options);
    }
  }

  /** One multi-statement query: the server stops at the first failing statement. */
  readonly batchStopsAtError = true;
  readonly pipelines = false;

  async executeBatch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    if (statements.length === 0) return [];
    if (statements.length === 1) return [await this.execute(statements[0].sql, statements[0].params)];
    // The semicolon on a line of its own: a statement may end in a `--` or `#` comment.
    const sql = statements.map((s) => s.sql).join(JOINT);
    const values = statements.flatMap((s) => s.params.map(toParameter));
    try {
      const [results] = await this.#conn.query({ sql, values });
      return (results as unknown[]).map(toResult);
    } catch (error) {
      const wrapped = wrapDriverError(error, sql, values, this.#options);
      wrapped.message = withoutBatchTail(wrapped.message);
      throw wrapped;
    }
  }

  async executeScript(sql: string): Promise<void> {
    // DELIMITER is a command of the mysql client, not SQL: such a script is split here
    // and sent statement by statement. Any other script goes in one round trip; the
    // server itself parses BEGIN...END bodies there.
    const statements = /^[ \t]*delimiter[ \t]/im.test(sql) ? this.#compiler.splitStatements(sql) : [sql];
    for (const statement of statements) {
      try {
        await this.#conn.query(statement);
      } catch (error) {
        throw wrapDriverError(error, statement, [], this.#options);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // COM_RESET_CONNECTION rolls back, releases GET_LOCK locks and resets session
      // variables, so nothing of this session follows the connection into the pool.
      await this.#conn.reset();
      this.#conn.release();
    } catch {
      this.#conn.destroy();
    }
  }
}

function poolOptions(config: MysqlConnectionConfig, withTls: boolean): PoolOptions {
  return {
    host: config.host,
    port: config.port,
    ...(config.socketPath ? { socketPath: config.socketPath } : {}),
    ...(config.user !== undefined ? { user: config.user } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.database !== undefined ? { database: config.database } : {}),
    ...(withTls && config.tls ? { ssl: { ...config.tls } } : {}),
    // No stack captured per query for async traces (costly on Bun, ~0.1 ms a query):
    // strata's own errors name the statement that failed.
    trace: false,
    connectionLimit: config.poolSize,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    connectTimeout: config.connectTimeoutMs,
    multipleStatements: true,
    // mysql2 asks for IGNORE_SPACE by default; the server then adds it to the session's
    // sql_mode, where built-in function names become reserved (`create table position`
    // fails) and every routine and trigger created keeps it. The mysql client and dbmate's
    // Go driver don't ask, and migrations written for them must parse the same here.
    flags: ["-IGNORE_SPACE"],
    timezone: "Z",
    charset: "utf8mb4",
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: ["DATE"],
    typeCast,
    // Shown in performance_schema.session_connect_attrs (MySQL), so a blocked runner can
    // name the process holding the migration lock.
    connectAttributes: { program_name: "strata", strata_pid: String(process.pid), strata_host: hostname() },
  };
}

function typeCast(field: TypeCastField, next: () => unknown): unknown {
  if (field.type === "LONGLONG") {
    const text = field.string();
    if (text === null) return null;
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (field.type === "TINY" && field.length === 1) {
    const text = field.string();
    return text === null ? null : text !== "0";
  }
  return next();
}

/** mysql2 would expand arrays into lists and objects into `key = value` pairs: strata's arrays and objects mean JSON. */
function toParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return JSON.stringify(value);
}

interface Header {
  affectedRows: number;
}

/**
 * mysql2's ResultSetHeader, told by its fields: its class name does not survive minifying
 * (the compiled binary), so an UPDATE there counted no rows.
 */
const isHeader = (value: unknown): value is Header =>
  typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Header).affectedRows === "number" && "insertId" in value && "serverStatus" in value && "fieldCount" in value;

/** One statement gives rows or a header; CALL and multi-statement text give a list of both. */
function toResult(result: unknown): ExecuteResult {
  if (isHeader(result)) return { rows: [], rowCount: result.affectedRows };
  if (!Array.isArray(result)) return { rows: [], rowCount: 0 };
  const sets = result.length > 0 && result.every((r) => Array.isArray(r) || isHeader(r));
  if (!sets) return { rows: result as Row[], rowCount: result.length };
  const rows = (result.find((r) => Array.isArray(r)) ?? []) as Row[];
  const affected = result.filter(isHeader).reduce((sum, h) => sum + h.affectedRows, 0);
  return { rows, rowCount: rows.length > 0 ? rows.length : affected };
}

const JOINT = "\n;\n";

/**
 * MySQL quotes the text after a syntax error ("near '...' at line 1"): in a batch, that runs
 * on into the statements after the failing one. It is cut where the failing one ends.
 */
function withoutBatchTail(message: string): string {
  const joint = message.indexOf(JOINT);
  const end = joint < 0 ? -1 : message.indexOf("' at line", joint);
  return end < 0 ? message : message.slice(0, joint) + message.slice(end);
}
