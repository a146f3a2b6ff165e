import type { ColumnDef } from "../../schema/columns.ts";

/**
 * Neutral column kinds to PostgreSQL types. `enum` is `text` plus the named check
 * constraint the compiler adds: a native PostgreSQL enum is a separate type that must be
 * created before and dropped after every table using it, and whose values can be added but
 * never removed, while a check constraint lives and dies with its column and can be
 * replaced in the same ALTER TABLE as the column. PostgreSQL has no unsigned integers, so
 * `unsigned` is ignored.
 */
export function postgresColumnType(column: ColumnDef): string {
  switch (column.type) {
    case "id":
    case "bigId":
    case "bigInteger":
      return "bigint";
    case "uuid":
      return "uuid";
    case "string":
      return `varchar(${column.length ?? 255})`;
    case "text":
    case "enum":
      return "text";
    case "integer":
      return "integer";
    case "smallInteger":
      return "smallint";
    case "boolean":
      return "boolean";
    case "decimal":
      return `numeric(${column.precision ?? 10},${column.scale ?? 2})`;
    case "float":
      return "real";
    case "double":
      return "double precision";
    case "date":
      return "date";
    case "time":
      return `${column.withTimezone ? "timetz" : "time"}${fraction(column)}`;
    case "timestamp":
      return `${column.withTimezone ? "timestamptz" : "timestamp"}${fraction(column)}`;
    case "json":
      // jsonb: indexable, compared by value, and what PostgreSQL recommends for new columns.
      return "jsonb";
    case "binary":
      return "bytea";
    default:
      return assertNeverType(column.type);
  }
}

function assertNeverType(value: never): never {
  throw new Error(`Unhandled column type: ${String(value)}`);
}

/** `(p)` fractional digits where the column sets a precision; PostgreSQL's default is microseconds. */
function fraction(column: ColumnDef): string {
  return column.precision !== undefined ? `(${column.precision})` : "";
}
