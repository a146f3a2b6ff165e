import type { ColumnDef } from "../../schema/columns.ts";

/**
 * Neutral column kinds to MySQL/MariaDB types.
 *
 * - id/bigId: signed `bigint`, so the signed `bigint` of `Schema.foreignKey()` matches it
 *   (InnoDB refuses a foreign key between signed and unsigned columns).
 * - boolean: `tinyint(1)`, what MySQL's own BOOLEAN alias creates.
 * - timestamp (with or without time zone): `datetime(3)`. MySQL's `timestamp` ends in 2038
 *   and, depending on explicit_defaults_for_timestamp, gains an implicit ON UPDATE. The
 *   session time zone is UTC (see server.ts), so values are stored as UTC. Milliseconds by
 *   default, as a JavaScript Date has them (PostgreSQL keeps microseconds, SQLite's text
 *   all of them); `precision` sets another number of fractional digits, 0 for whole seconds.
 * - json: `json`. MariaDB makes it an alias of `longtext` with a `json_valid()` check;
 *   the introspector reports it as `json` again.
 * - binary: `longblob` (no size limit worth meeting, like bytea), or `varbinary(n)` when a
 *   length is given (indexable without a prefix).
 * - enum: a native `enum('a','b')`, its values written by the compiler's literal escaper.
 */
export function mysqlColumnType(column: ColumnDef, quote: (value: string) => string): string {
  const unsigned = column.unsigned ? " unsigned" : "";
  switch (column.type) {
    case "id":
    case "bigId":
    case "bigInteger":
      return `bigint${unsigned}`;
    case "integer":
      return `int${unsigned}`;
    case "smallInteger":
      return `smallint${unsigned}`;
    case "uuid":
      return "char(36)";
    case "string":
      return `varchar(${column.length ?? 255})`;
    case "text":
      return "text";
    case "boolean":
      return "tinyint(1)";
    case "decimal":
      return `decimal(${column.precision ?? 10},${column.scale ?? 2})`;
    case "float":
      return "float";
    case "double":
      return "double";
    case "date":
      return "date";
    case "time":
      return column.precision !== undefined ? `time(${column.precision})` : "time";
    case "timestamp":
      return `datetime(${timestampPrecision(column)})`;
    case "json":
      return "json";
    case "binary":
      return column.length !== undefined ? `varbinary(${column.length})` : "longblob";
    case "enum":
      return `enum(${(column.values ?? []).map(quote).join(",")})`;
    default:
      return assertNeverType(column.type);
  }
}

/** Types MySQL gives no literal default: TEXT, BLOB and JSON take `(expression)` defaults (MySQL 8.0.13+, MariaDB 10.2+). */
export function needsExpressionDefault(column: ColumnDef): boolean {
  return column.type === "text" || column.type === "json" || (column.type === "binary" && column.length === undefined);
}

function assertNeverType(value: never): never {
  throw new Error(`Unhandled column type: ${String(value)}`);
}

/** Fractional digits of a timestamp column: milliseconds unless the column says otherwise. */
export function timestampPrecision(column: ColumnDef): number {
  return column.precision ?? 3;
}
