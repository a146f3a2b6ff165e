import { existsSync, mkdirSync, rmSync, rmdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Client } from "@libsql/client";
import { errors } from "../../errors.ts";
import { getRuntime, type SqliteDatabase } from "../../runtime/runtime.ts";
import { registerSecret } from "../../util/redact.ts";
import { decodeTyped, typedColumns } from "../../runtime/sqlite.ts";
import type { ConnectionOptions, Driver, ExecuteResult, Row, Session, Statement } from "../dialect.ts";
import { LocalSqliteSession, normalizeRow, rowCountOf, toSqliteValue, wrapSqliteError } from "./session.ts";

export type SqliteTarget = { kind: "memory" } | { kind: "file"; path: string } | { kind: "remote"; url: string; authToken?: string };

/** How long a statement waits for another connection's write lock when no lock timeout is configured. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * `file:./data/app.db`, `file:/abs.db`, `file:///abs.db`, `sqlite:app.db`, `sqlite://app.db`
 * (relative to the working directory), `sqlite::memory:` / `file::memory:`, and
 * `libsql://host?authToken=...` for a remote libSQL server.
 */
export function parseSqliteUrl(url: string, described: string): SqliteTarget {
  const match = /^([a-z][a-z0-9+.-]*):(.*)$/is.exec(url);
  if (!match) throw errors.urlInvalid(described, "file:<path>, sqlite:<path> or libsql://<host>");
  if (match[1].toLowerCase() === "libsql") {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw errors.urlInvalid(described, "libsql://<host>[:port][?authToken=<token>]");
    }
    if (!parsed.host) throw errors.urlInvalid(described, "libsql://<host>[:port][?authToken=<token>]");
    const authToken = parsed.searchParams.get("authToken") ?? undefined;
    parsed.searchParams.delete("authToken");
    registerSecret(authToken);
    return { kind: "remote", url: parsed.href, ...(authToken ? { authToken } : {}) };
  }
  let path = match[2].replace(/[?#].*$/s, "");
  if (path.startsWith("//")) path = path.slice(2).replace(/^localhost(?=\/)/i, "");
  if (/^\/[a-z]:[/\\]/i.test(path)) path = path.slice(1);
  try {
    path = decodeURIComponent(path);
  } catch {
    throw errors.urlInvalid(described, "a file path with valid %-escapes");
  }
  if (path === ":memory:") return { kind: "memory" };
  if (path === "") throw errors.urlInvalid(described, "a file path, e.g. file:./data/app.db");
  return { kind: "file", path: resolve(getRuntime().cwd(), path) };
}

/** The database as messages name it: the file path, or the server URL without its token. */
export function describeSqliteTarget(target: SqliteTarget): string {
  if (target.kind === "memory") return "SQLite database :memory:";
  if (target.kind === "file") return `SQLite database ${target.path}`;
  const url = new URL(target.url);
  return `libSQL database ${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

/**
 * `ddlLockTimeoutMs` becomes busy_timeout, SQLite's only lock wait. SQLite has no
 * statement timeout, no pool and no TLS of its own, so those options do not apply.
 */
export function createSqliteDriver(target: SqliteTarget, options: ConnectionOptions): Driver {
  const busyTimeoutMs = options.ddlLockTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const described = describeSqliteTarget(target);
  if (target.kind === "remote") return new RemoteLibsqlDriver(target, described, busyTimeoutMs);
  return new LocalSqliteDriver(target, described, busyTimeoutMs, options.readOnly ?? false);
}

const setupSql = (busyTimeoutMs: number) => `pragma foreign_keys = on; pragma busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`;

/**
 * Local files through the runtime's SQLite driver, one connection per session. An
 * in-memory database exists once per connection, so its sessions share one. The journal
 * mode of the user's database is left as it is.
 */
class LocalSqliteDriver implements Driver {
  private readonly target: { kind: "memory" } | { kind: "file"; path: string };
  private readonly described: string;
  private readonly busyTimeoutMs: number;
  private readonly readOnly: boolean;
  private readonly connections = new Set<SqliteDatabase>();
  private shared?: Promise<SqliteDatabase>;
  /** The file (and its folder, when made too) this driver created: removed again if nothing was written to it. */
  private created?: { file: string; folder?: string };

  constructor(target: { kind: "memory" } | { kind: "file"; path: string }, described: string, busyTimeoutMs: number, readOnly: boolean) {
    this.target = target;
    this.described = described;
    this.busyTimeoutMs = busyTimeoutMs;
    this.readOnly = readOnly;
  }

  async open(): Promise<Session> {
    if (this.target.kind === "memory") {
      this.shared ??= this.connect(":memory:", false);
      return new LocalSqliteSession(await this.shared, () => {});
    }
    let db: SqliteDatabase;
    if (this.readOnly) {
      // A read-only command creates nothing: a database that does not exist yet reads as empty.
      db = await this.connect(existsSync(this.target.path) ? this.target.path : ":memory:", true);
    } else {
      // The embedded default is ./data/strata.db, and ./data may not exist yet.
      if (!this.created && !existsSync(this.target.path)) {
        const folder = dirname(this.target.path);
        this.created = { file: this.target.path, ...(existsSync(folder) ? {} : { folder }) };
      }
      try {
        mkdirSync(dirname(this.target.path), { recursive: true });
      } catch (error) {
        throw errors.connectionFailed(this.described, error);
      }
      db = await this.connect(this.target.path, false);
    }
    return new LocalSqliteSession(db, () => {
      this.connections.delete(db);
      db.close();
    });
  }

  async close(): Promise<void> {
    for (const db of this.connections) db.close();
    this.connections.clear();
    this.shared = undefined;
    // A run refused before it wrote anything (a plugin's abort, nothing to seed) leaves no empty file behind.
    const created = this.created;
    this.created = undefined;
    if (!created || !existsSync(created.file) || statSync(created.file).size > 0) return;
    rmSync(created.file, { force: true });
    if (!created.folder) return;
    try {
      rmdirSync(created.folder);
    } catch {
      // not empty: something else was put there
    }
  }

  private async connect(path: string, readonly: boolean): Promise<SqliteDatabase> {
    let db: SqliteDatabase;
    try {
      db = await getRuntime().openSqlite(path, { readonly: readonly && path !== ":memory:", timeoutMs: this.busyTimeoutMs });
    } catch (error) {
      throw errors.connectionFailed(this.described, error);
    }
    try {
      db.exec(`${setupSql(this.busyTimeoutMs)}${readonly ? "; pragma query_only = on" : ""}`);
    } catch (error) {
      db.close();
      throw errors.connectionFailed(this.described, error);
    }
    this.connections.add(db);
    return db;
  }
}

// ---- remote libSQL ------------------------------------------------------------------------

/** The Hrana stream behind a @libsql/client transaction: one server-side connection. */
interface HranaStream {
  query(stmt: [string, unknown[]]): Promise<{ columnNames: (string | undefined)[]; columnDecltypes: (string | undefined)[]; rows: ArrayLike<unknown>[]; affectedRowCount: number }>;
  sequence(sql: string): Promise<void>;
}

/**
 * Remote libSQL (sqld, Turso). A strata session needs one connection on which BEGIN,
 * COMMIT and PRAGMA foreign_keys run as plain statements, while @libsql/client's
 * `transaction()` sends its own BEGIN with the first statement and `execute()` may use a
 * fresh stream each time. So a session opens `client.transaction("deferred")`, whose
 * BEGIN is only sent with its first statement, never calls it, and runs everything on
 * its stream (`_getStream()`, present on the ws and http transactions of @libsql/client
 * 0.18). Closing the session closes the stream; the server rolls back whatever is open.
 */
class RemoteLibsqlDriver implements Driver {
  private readonly target: { kind: "remote"; url: string; authToken?: string };
  private readonly described: string;
  private readonly busyTimeoutMs: number;
  private client?: Promise<Client>;

  constructor(target: { kind: "remote"; url: string; authToken?: string }, described: string, busyTimeoutMs: number) {
    this.target = target;
    this.described = described;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  async open(): Promise<Session> {
    this.client ??= import("@libsql/client/ws").then(({ createClient }) => createClient({ url: this.target.url, ...(this.target.authToken ? { authToken: this.target.authToken } : {}) }));
    let transaction: Awaited<ReturnType<Client["transaction"]>>;
    try {
      transaction = await (await this.client).transaction("deferred");
    } catch (error) {
      throw errors.connectionFailed(this.described, error);
    }
    const stream = (transaction as unknown as { _getStream?: () => HranaStream })._getStream?.();
    if (!stream) {
      transaction.close();
      throw errors.unsupported("A dedicated session with this version of @libsql/client", "remote libSQL", "Use @libsql/client 0.18, or a local file: URL.");
    }
    const session = new RemoteLibsqlSession(stream, () => transaction.close());
    try {
      await session.executeScript(setupSql(this.busyTimeoutMs));
    } catch (error) {
      await session.close();
      throw errors.connectionFailed(this.described, error);
    }
    return session;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) (await client).close();
  }
}

class RemoteLibsqlSession implements Session {
  private readonly stream: HranaStream;
  private readonly onClose: () => void;
  private closed = false;

  constructor(stream: HranaStream, onClose: () => void) {
    this.stream = stream;
    this.onClose = onClose;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecuteResult> {
    try {
      const result = await this.stream.query([sql, params.map(toSqliteValue)]);
      const rows = result.rows.map((values) => {
        const row: Row = {};
        result.columnNames.forEach((name, i) => (row[name ?? String(i)] = values[i]));
        return normalizeRow(row);
      });
      decodeTyped(rows, typedColumns(result.columnNames.map((name, i) => ({ name: name ?? String(i), type: result.columnDecltypes[i] }))));
      return { rows, rowCount: rowCountOf(sql, rows.length, result.affectedRowCount) };
    } catch (error) {
      throw wrapSqliteError(error, sql);
    }
  }

  readonly batchStopsAtError = true;
  readonly pipelines = false;

  async executeBatch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    const results: ExecuteResult[] = [];
    for (const s of statements) results.push(await this.execute(s.sql, s.params));
    return results;
  }

  async executeScript(sql: string): Promise<void> {
    try {
      await this.stream.sequence(sql);
    } catch (error) {
      throw wrapSqliteError(error, sql);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
