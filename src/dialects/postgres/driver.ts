import { hostname } from "node:os";
import postgres from "postgres";
import { errors } from "../../errors.ts";
import type { PostgresCompiler } from "./compiler.ts";
import type { ConnectionOptions, Driver, ExecuteOptions, ExecuteResult, Row, Session, Statement, TlsOption } from "../dialect.ts";
import { connectionError, safeDecode, wrapError } from "./driver-errors.ts";

type Types = { int8: postgres.PostgresType<number | bigint>; json: postgres.PostgresType<unknown>; timestamp: postgres.PostgresType<Date>; date: postgres.PostgresType<Date>; day: postgres.PostgresType<string> };
type Parsed = { int8: number | bigint; json: unknown; timestamp: Date; date: Date; day: string };
type Sql = postgres.Sql<Parsed>;
type ReservedSql = postgres.ReservedSql<Parsed>;
type SslOption = boolean | "require" | "allow" | "prefer" | "verify-full" | object;

const DEFAULT_POOL_SIZE = 10;

/** What strata's own sessions say in pg_stat_activity, so a blocked runner can name the holder. */
export function applicationName(): string {
  return `strata ${process.pid}@${hostname()}`;
}

/**
 * postgres.js behind the Session interface. Every session is a reserved connection, so
 * the session-level advisory lock, plain BEGIN/COMMIT and settings stay on one backend.
 */
export class PostgresDriver implements Driver {
  readonly #options: ConnectionOptions;
  readonly #compiler: PostgresCompiler;
  #sql: Sql | undefined;

  constructor(options: ConnectionOptions, compiler: PostgresCompiler) {
    this.#options = options;
    this.#compiler = compiler;
  }

  async open(): Promise<Session> {
    const sql = (this.#sql ??= postgres(connectionConfig(this.#options)));
    let reserved: ReservedSql;
    try {
      reserved = await sql.reserve();
    } catch (error) {
      throw connectionError(this.#options, error);
    }
    const session = new PostgresSession(reserved, this.#options);
    // Not a startup parameter: postgres.js reads the server's types when it connects, and a
    // tiny statement_timeout there failed outside any query strata could catch.
    const timeout = statementTimeoutSql(this.#options);
    if (timeout) await session.execute(timeout);
    if (this.#compiler.homeSchema === undefined && this.#options.schema === undefined) {
      const { rows } = await session.execute("select current_schema() as schema");
      if (typeof rows[0]?.schema === "string") this.#compiler.homeSchema = rows[0].schema;
    }
    return session;
  }

  async close(): Promise<void> {
    const sql = this.#sql;
    this.#sql = undefined;
    if (sql) await sql.end({ timeout: 5 });
  }
}

class PostgresSession implements Session {
  readonly #sql: ReservedSql;
  readonly #options: ConnectionOptions;
  #closed = false;

  constructor(sql: ReservedSql, options: ConnectionOptions) {
    this.#sql = sql;
    this.#options = options;
  }

  async execute(sql: string, params: readonly unknown[] = [], options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const values = params.map(toParameter);
    try {
      const raw: unknown = await this.#sql.unsafe(sql, values as postgres.ParameterOrJSON<unknown>[], { prepare: options.prepare === true && values.length > 0 });
      // Without parameters postgres.js uses the simple protocol, which also takes several
      // statements and then answers with one result per statement: the last one counts.
      const result = lastResult(raw);
      const rows = Array.from(result) as Row[];
      return { rows, rowCount: typeof result.count === "number" ? result.count : rows.length };
    } catch (error) {
      throw wrapError(error, sql, values, this.#options);
    }
  }

  /** Pipelined: each statement has its own sync point, so later ones run after a failure. */
  readonly batchStopsAtError = false;
  readonly pipelines = true;

  async executeBatch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    // postgres.js pipelines queries issued without waiting on one connection.
    const settled = await Promise.allSettled(statements.map((s) => this.execute(s.sql, s.params, s)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<ExecuteResult>).value);
  }

  async executeScript(sql: string): Promise<void> {
    try {
      // No parameters: postgres.js sends it over the simple query protocol, which takes
      // several statements in one round trip.
      await this.#sql.unsafe(sql);
    } catch (error) {
      throw wrapError(error, sql, [], this.#options);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // The connection goes back to the pool: nothing of this session may follow it there
      // (an open transaction, an advisory lock, a migration's SET). ROLLBACK outside a
      // transaction is only a warning in PostgreSQL.
      await this.#sql.unsafe("rollback; reset all; select pg_advisory_unlock_all()");
    } catch {
      // A broken connection: postgres.js replaces it, and the server dropped its state.
    } finally {
      this.#sql.release();
    }
  }
}

interface PostgresResult extends Array<unknown> {
  count: number | null;
}

/** A postgres.js Result has its own `command`; a multi-statement answer is a plain array of them. */
function lastResult(raw: unknown): PostgresResult {
  if (Object.hasOwn(raw as object, "command")) return raw as PostgresResult;
  const list = raw as PostgresResult[];
  return list.length > 0 ? list[list.length - 1] : Object.assign([], { count: 0 });
}

/** postgres.js binds arrays as PostgreSQL arrays; strata's arrays and objects mean JSON. */
function toParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

export function connectionConfig(options: ConnectionOptions): postgres.Options<Types> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw errors.urlInvalid(options.described, "postgres://user:password@host:5432/database");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw errors.urlInvalid(options.described, "a postgres:// or postgresql:// URL");
  }
  const query = url.searchParams;
  const socketDir = query.get("host");
  const port = Number(url.port || query.get("port") || 5432);
  const connectTimeout = Number(query.get("connect_timeout") ?? 30);
  // Startup parameters, not SET statements: they become the session's defaults, so
  // RESET ALL (adapter.resetSession) brings them back after a migration changed them.
  const connection: Record<string, string> = { application_name: applicationName(), TimeZone: "UTC" };
  if (options.schema !== undefined) connection.search_path = `"${options.schema.replace(/"/g, '""')}", public`;
  // Read-only commands (status, history, --dry-run): PostgreSQL itself refuses any write.
  if (options.readOnly) connection.default_transaction_read_only = "on";
  if (options.ddlLockTimeoutMs !== undefined) connection.lock_timeout = String(Math.max(0, Math.round(options.ddlLockTimeoutMs)));
  return {
    host: url.hostname ? safeDecode(url.hostname).replace(/^\[|\]$/g, "") : "localhost",
    port,
    ...(socketDir?.startsWith("/") ? { path: `${socketDir}/.s.PGSQL.${port}` } : {}),
    user: safeDecode(url.username) || undefined,
    pass: safeDecode(url.password) || undefined,
    database: safeDecode(url.pathname.replace(/^\//, "")) || undefined,
    ssl: sslOption(options.tls, query.get("sslmode"), options.described),
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connect_timeout: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout : 30,
    // A session holding the migration lock must never be recycled under it.
    max_lifetime: null,
    // Named prepared statements only where a query asks for them (Session.execute's
    // options): strata's own bookkeeping. User statements stay unnamed, as DDL changes
    // the tables they read.
    prepare: true,
    onnotice: () => {},
    connection,
    types: {
      // int8 (bigint ids, count(*)) as a number while exact, a bigint beyond 2^53.
      int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: parseInt8 },
      // A Date goes out as an ISO string in UTC, and PostgreSQL drops the zone for a
      // timestamp without time zone; read it back as UTC too (postgres.js would use the
      // host's zone), and let strata's sessions run in UTC so CURRENT_TIMESTAMP agrees.
      timestamp: { to: 1114, from: [1114], serialize: serializeDate, parse: parseTimestamp },
      // postgres.js would turn a string into a Date in the host's zone first; a string goes as written.
      date: { to: 1184, from: [1184], serialize: serializeDate, parse: (x: string) => new Date(x) },
      // A date has no time nor zone: read as 'YYYY-MM-DD', as MySQL and SQLite give it (a Date
      // at UTC midnight shows as the day before west of Greenwich).
      day: { to: 1082, from: [1082], serialize: serializeDate, parse: (x: string) => x },
      // postgres.js describes each statement first and serializes a json/jsonb parameter
      // with JSON.stringify; toParameter already made JSON text of objects and arrays, and
      // a string for a JSON column is JSON text (as in the other dialects), so it goes as is.
      json: { to: 114, from: [114, 3802], serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)), parse: (x: string) => JSON.parse(x) as unknown },
    },
  };
}

/** `set statement_timeout = <ms>` when the config sets one (applied per session, and again after RESET ALL). */
export function statementTimeoutSql(options: ConnectionOptions): string | undefined {
  return options.statementTimeoutMs === undefined ? undefined : `set statement_timeout = ${Math.max(0, Math.round(options.statementTimeoutMs))}`;
}

function serializeDate(x: unknown): string {
  return x instanceof Date ? x.toISOString() : String(x);
}

function parseTimestamp(text: string): Date {
  return /^\d{4,}-\d\d-\d\d \d/.test(text) ? new Date(`${text.replace(" ", "T")}Z`) : new Date(text);
}

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function sslOption(tls: TlsOption | undefined, sslmode: string | null, described: string): SslOption {
  if (tls !== undefined) return tls;
  switch (sslmode) {
    case null:
    case "disable":
      return false;
    case "allow":
    case "prefer":
    case "require":
      return sslmode;
    case "verify-ca":
      // Chain checked, host name not: what libpq's verify-ca means.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return "verify-full";
    default:
      throw errors.urlInvalid(described, "sslmode one of disable, allow, prefer, require, verify-ca, verify-full");
  }
}
