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
