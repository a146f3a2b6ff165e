import { Buffer } from "node:buffer";
export type Row = Record<string, unknown>;

const MIN = BigInt(Number.MIN_SAFE_INTEGER);
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * SQLite integers are read as bigint, so none is rounded (nor, on Deno, refused); each one
 * a number holds exactly becomes a number again, as PostgreSQL's and MySQL's big integers
 * are read. Rows are changed in place.
 */
export function exactIntegers(rows: Row[]): Row[] {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (typeof value === "bigint" && value >= MIN && value <= MAX) row[key] = Number(value);
    }
  }
  return rows;
}

/** The columns of a result to decode, by their declared type (strata declares json columns `json`, booleans `boolean`). */
export interface TypedColumns {
  json: string[];
  boolean: string[];
}

export function typedColumns(columns: readonly { name: string | null; type: string | null | undefined }[]): TypedColumns {
  const named = (pattern: RegExp) => columns.filter((c) => c.name !== null && pattern.test(c.type ?? "")).map((c) => c.name!);
  return { json: named(/^json$/i), boolean: named(/^bool(ean)?$/i) };
}

/**
 * Values as the PostgreSQL and MySQL drivers give them: JSON text in columns declared json
 * parsed (text that is not JSON stays as it is), 0/1 in columns declared boolean as
 * false/true. Rows are changed in place.
 */
export function decodeTyped(rows: Row[], typed: TypedColumns): Row[] {
  if (typed.json.length === 0 && typed.boolean.length === 0) return rows;
  for (const row of rows) {
    for (const name of typed.json) {
      const value = row[name];
      if (typeof value !== "string") continue;
      try {
        row[name] = JSON.parse(value);
      } catch {
        // not JSON text: left as written
      }
    }
    for (const name of typed.boolean) {
      const value = row[name];
      if (value === 0 || value === 1 || value === 0n || value === 1n) row[name] = value === 1 || value === 1n;
    }
  }
  return rows;
}

/** bun:sqlite and Deno's sqlite give blobs as Uint8Array; Node's driver, as Buffer: rows look the same everywhere (`row.bytes.toString("hex")`). */
export function asBuffers(rows: Row[]): Row[] {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (value instanceof Uint8Array && !Buffer.isBuffer(value)) row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return rows;
}
