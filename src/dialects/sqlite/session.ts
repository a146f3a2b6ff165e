import { errors, isStrataError, messageOf, type StrataError } from "../../errors.ts";
import type { SqliteDatabase } from "../../runtime/runtime.ts";
import type { ExecuteOptions, ExecuteResult, Row, Session, Statement } from "../dialect.ts";

/**
 * A session on a local SQLite connection (the runtime's synchronous driver), and the value
 * and error conversions every SQLite session shares.
 */
export class LocalSqliteSession implements Session {
  private readonly db: SqliteDatabase;
  private readonly onClose: () => void;
  private closed = false;

  /** `onClose` releases the connection (or, for a shared in-memory database, only forgets the session). */
  constructor(db: SqliteDatabase, onClose: () => void) {
    this.db = db;
    this.onClose = onClose;
  }

  async execute(sql: string, params: readonly unknown[] = [], options: ExecuteOptions = {}): Promise<ExecuteResult> {
    try {
      // strata's own bookkeeping holds no integer beyond 2^53: it reads plain numbers.
      const result = this.db.execute(sql, params.map(toSqliteValue), options.prepare !== true);
      return { rows: result.rows.map(normalizeRow), rowCount: rowCountOf(sql, result.rows.length, result.changes) };
    } catch (error) {
      throw wrapSqliteError(error, sql);
    }
  }

  readonly batchStopsAtError = true;
  readonly pipelines = false;

  async executeBatch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    const results: ExecuteResult[] = [];
    for (const s of statements) results.push(await this.execute(s.sql, s.params, s));
    return results;
  }

  async executeScript(sql: string): Promise<void> {
    try {
      this.db.exec(sql);
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

const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/**
 * Rows returned, or rows changed by a data statement. SQLite's change counter is not
 * reset by DDL, so only INSERT/UPDATE/DELETE/REPLACE (and WITH ... of them) report it.
 */
export function rowCountOf(sql: string, returned: number, changes: number): number {
  if (returned > 0) return returned;
  const first = /^[a-z]+/i.exec(sql.replace(LEADING_COMMENTS, ""))?.[0].toLowerCase();
  return first === "insert" || first === "update" || first === "delete" || first === "replace" || first === "with" ? changes : 0;
}

/**
 * SQLite stores five kinds of values: booleans become 1/0, dates ISO-8601 text (what
 * SQLite's date functions read), plain objects and arrays JSON text, bytes a blob.
 */
export function toSqliteValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case "boolean":
      return value ? 1 : 0;
    case "string":
    case "number":
    case "bigint":
      return value;
    case "object":
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (value instanceof ArrayBuffer) return Buffer.from(value);
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** Blobs arrive as ArrayBuffer from libsql; callers get a Buffer (a Uint8Array). */
export function normalizeRow(row: Row): Row {
  let out: Row | undefined;
  for (const key in row) {
    const value = row[key];
    if (value instanceof ArrayBuffer) {
      out ??= { ...row };
      out[key] = Buffer.from(value);
    }
  }
  return out ?? row;
}

/** Driver errors as DATABASE_ERROR with SQLite's own code (SQLITE_CONSTRAINT_UNIQUE, ...) and the statement, never the bound values. */
export function wrapSqliteError(error: unknown, statement: string): StrataError {
  if (isStrataError(error)) return error;
  const e = error as { code?: unknown; extendedCode?: unknown } | null;
  const code = typeof e?.extendedCode === "string" ? e.extendedCode : typeof e?.code === "string" ? e.code : undefined;
  const message = messageOf(error);
  const hint = doubleQuotedString(message, statement);
  return errors.databaseError(message, { code, statement, ...(hint ? { hint } : {}) });
}

/**
 * SQLite builds differ on "text": some read it as a string where no column has that name,
 * the libSQL build strata uses on Node never does. Said plainly when that is the failure.
 */
function doubleQuotedString(message: string, statement: string): string | undefined {
  const name = /no such column: (.+)$/m.exec(message)?.[1]?.trim();
  if (!name || !statement.includes(`"${name}"`)) return undefined;
  return `"${name}" is a column name in SQL; a string goes in single quotes: '${name}'. (Some SQLite builds accept double-quoted strings, the one strata runs on Node does not.)`;
}
