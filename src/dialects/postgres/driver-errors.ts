import { errors, StrataError } from "../../errors.ts";
import type { ConnectionOptions } from "../dialect.ts";

/**
 * Driver errors wrapped at the dialect boundary: the SQLSTATE, message and position of a
 * PostgreSQL error, never the bound values or the password.
 */
interface DriverError {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  severity?: unknown;
}

const CONNECTION_CODES = /^(CONNECTION_|CONNECT_TIMEOUT|E[A-Z]+$|SASL_|AUTH_|MESSAGE_NOT_SUPPORTED)/;

export function wrapError(error: unknown, sql: string, values: readonly unknown[], options: ConnectionOptions): StrataError {
  if (error instanceof StrataError) return error;
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === "string" ? e.code : undefined;
  // A PostgreSQL error carries a severity; node socket errors and postgres.js's own
  // connection errors do not.
  if (e.severity === undefined && code !== undefined && CONNECTION_CODES.test(code)) return connectionError(options, error);
  const position = Number(e.position);
  return errors.databaseError(redactValues(String(e.message ?? error), values, options), {
    ...(code ? { code } : {}),
    statement: sql,
    ...(Number.isInteger(position) && position > 0 ? { position } : {}),
  });
}

/**
 * PostgreSQL quotes a value it could not take ("invalid input syntax for type integer:
 * \"...\""): that value is a bound parameter and is masked.
 */
function redactValues(message: string, values: readonly unknown[], options: ConnectionOptions): string {
  let out = scrubPassword(message, options);
  for (const value of values) {
    if (value === null || value === undefined || value instanceof Uint8Array) continue;
    const text = value instanceof Date ? value.toISOString() : String(value);
    if (text !== "") out = out.split(`"${text}"`).join('"***"');
  }
  return out;
}

export function connectionError(options: ConnectionOptions, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return errors.connectionFailed(options.described, scrubPassword(message, options));
}

/** postgres.js messages name host and user, never the password; masked anyway, as a guarantee. */
function scrubPassword(message: string, options: ConnectionOptions): string {
  let raw = "";
  try {
    raw = new URL(options.url).password;
  } catch {
    return message;
  }
  let out = message;
  for (const secret of new Set([raw, safeDecode(raw)])) {
    if (secret) out = out.split(secret).join("***");
  }
  return out;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
