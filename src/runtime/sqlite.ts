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

/** The columns of a result whose declared type is JSON (strata declares json columns `json` on SQLite). */
export function jsonColumns(columns: readonly { name: string | null; type: string | null | undefined }[]): string[] {
  return columns.filter((c) => c.name !== null && /^json$/i.test(c.type ?? "")).map((c) => c.name!);
}

/**
 * JSON text in columns declared json comes back parsed, as the PostgreSQL and MySQL drivers
 * give it; text that is not JSON stays as it is. Rows are changed in place.
 */
export function parseJsonColumns(rows: Row[], columns: readonly string[]): Row[] {
  if (columns.length === 0) return rows;
  for (const row of rows) {
    for (const name of columns) {
      const value = row[name];
      if (typeof value !== "string") continue;
      try {
        row[name] = JSON.parse(value);
      } catch {
        // not JSON text: left as written
      }
    }
  }
  return rows;
}
