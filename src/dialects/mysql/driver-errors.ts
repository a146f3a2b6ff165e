import { errors, StrataError } from "../../errors.ts";
import type { ConnectionOptions } from "../dialect.ts";

interface MysqlDriverError {
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * A mysql2 error as a DATABASE_ERROR: the server's errno and SQLSTATE as the code
 * (`1062 (23000)`, as the mysql client prints them), its message, and the statement as
 * strata wrote it, with `?` markers. mysql2's `err.sql` is never used: it holds the
 * statement with the values already substituted.
 */
export function wrapDriverError(error: unknown, sql: string, values: readonly unknown[], options: ConnectionOptions): StrataError {
  if (error instanceof StrataError) return error;
  const e = (error ?? {}) as MysqlDriverError;
  const errno = typeof e.errno === "number" ? e.errno : undefined;
  const sqlState = typeof e.sqlState === "string" && e.sqlState !== "" ? e.sqlState : undefined;
  const code = errno !== undefined ? `${errno}${sqlState ? ` (${sqlState})` : ""}` : typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.sqlMessage === "string" ? e.sqlMessage : String(e.message ?? error);
  return errors.databaseError(redactValues(scrubPassword(message, options), values), { ...(code ? { code } : {}), statement: sql });
}

export function connectionError(options: ConnectionOptions, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return errors.connectionFailed(options.described, scrubPassword(message, options));
}

/**
 * MySQL quotes the offending value in some messages: `Duplicate entry 'x' for key`,
 * `Incorrect integer value: 'x' for column`, `Truncated incorrect DOUBLE value: 'x'`.
 * Those values are bound parameters (or row data, possibly cut short by the server), so
 * they are masked by shape, and any bound value quoted in the message besides.
 */
export function redactValues(message: string, values: readonly unknown[]): string {
  let out = message
    .replace(/(Duplicate entry )'(?:[^'\\]|\\.|'')*'/g, "$1'***'")
    .replace(/(value: )'(?:[^'\\]|\\.|'')*'/gi, "$1'***'");
  for (const value of values) {
    if (value === null || value === undefined || typeof value === "boolean" || value instanceof Uint8Array) continue;
    const text = value instanceof Date ? value.toISOString() : String(value);
    if (text !== "") out = out.split(`'${text}'`).join("'***'");
  }
  return out;
}

/** mysql2 messages name the user and host, never the password; masked anyway, as a guarantee. */
function scrubPassword(message: string, options: ConnectionOptions): string {
  let raw = "";
  try {
    raw = new URL(options.url).password;
  } catch {
    return message;
  }
  let out = message;
  for (const secret of new Set([raw, safeDecode(raw)])) {
    if (secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
