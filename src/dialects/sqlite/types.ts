import type { ColumnDef } from "../../schema/columns.ts";
import { assertNever } from "../../schema/operations.ts";

/** SQLite keeps identifiers of any length; this bound only keeps error messages sane. */
export const SQLITE_MAX_IDENTIFIER_LENGTH = 1024;

/** SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32. */
export const SQLITE_MAX_PARAMETERS = 32766;

/**
 * SQLite has five storage classes and derives a column's affinity from words in its
 * declared type, so strata declares the affinity itself instead of pretending to have
 * varchar(255) or timestamp. Text-like columns stay `text`: a declared type without
 * TEXT/CHAR/CLOB gets NUMERIC affinity and would store '0123' as 123.
 * https://www.sqlite.org/datatype3.html#determination_of_column_affinity
 */
export function sqliteColumnType(column: ColumnDef): string {
  const type = column.type;
  switch (type) {
    case "id":
    case "bigId":
    case "integer":
    case "bigInteger":
    case "smallInteger":
      return "integer";
    // Stored as 0/1 (SQLite's TRUE and FALSE are the integers 1 and 0; "boolean" has NUMERIC
    // affinity, which keeps them integers); the declared type tells reads to give true/false.
    case "boolean":
      return "boolean";
    // Dates and times are ISO-8601 text, which SQLite's date functions read.
    case "uuid":
    case "string":
    case "text":
    case "date":
    case "time":
    case "timestamp":
    case "enum":
      return "text";
    // Declared "json" (NUMERIC affinity) keeps JSON text as text, and a bare numeric scalar
    // becomes the same number; the type name tells transforms to parse the column.
    case "json":
      return "json";
    // NUMERIC affinity: SQLite has no exact decimal; values that fit are stored as integers or reals.
    case "decimal":
      return "numeric";
    case "float":
    case "double":
      return "real";
    case "binary":
      return "blob";
    default:
      return assertNever(type);
  }
}

const LITERAL = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[+-]?0x[0-9a-f]+|'(?:[^']|'')*'|x'[0-9a-f]*'|null|true|false)$/i;
const TIME_KEYWORD = /^current_(?:timestamp|date|time)$/i;

/** A default SQLite evaluates once: a literal, so ALTER TABLE ADD COLUMN accepts it. */
export function isConstantDefault(sql: string): boolean {
  return LITERAL.test(sql.trim());
}

/**
 * SQLite accepts a bare DEFAULT only for literals and CURRENT_TIME/DATE/TIMESTAMP; any
 * other expression must be parenthesised.
 */
export function defaultExpression(sql: string): string {
  const trimmed = sql.trim();
  return LITERAL.test(trimmed) || TIME_KEYWORD.test(trimmed) || isParenthesised(trimmed) ? trimmed : `(${trimmed})`;
}

/** Whether one pair of parentheses encloses the whole text: `(a)` yes, `(a) + (b)` no. */
function isParenthesised(sql: string): boolean {
  if (!sql.startsWith("(") || !sql.endsWith(")")) return false;
  let depth = 0;
  let quote = "";
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "(") {
      depth++;
    } else if (ch === ")" && --depth === 0 && i < sql.length - 1) {
      return false;
    }
  }
  return depth === 0;
}
