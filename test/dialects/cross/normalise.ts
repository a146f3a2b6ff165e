import type { ReferentialAction } from "../../../src/schema/columns.ts";
import type { SchemaInfo, TableInfo } from "../../../src/dialects/dialect.ts";
import type { TestDialectName } from "../../helpers/databases.ts";

/** strata's own tables: the history, the event log and the progress markers. */
export const STRATA_TABLES = ["migrations", "migrations_log", "migrations_progress"] as const;

export interface NeutralTable {
  name: string;
  /** name, "null" or "not null", and the default with casts, quotes and spelling normalised. */
  columns: string[];
  primaryKey: string[];
  /** name(columns) and "unique" where unique, sorted by name. */
  indexes: string[];
  /** name: columns -> refTable(refColumns) on delete X on update Y, sorted by name. */
  foreignKeys: string[];
  checks: string[];
}

export interface NormaliseOptions {
  dialect: TestDialectName;
  /**
   * Check constraints that stand in for a native enum type: PostgreSQL and SQLite write
   * `Schema.enum()` as text plus a named check, MySQL as a native ENUM (the issue allows
   * both). They are type representation, so they are left out here and checked apart.
   */
  enumChecks?: readonly string[];
}

/**
 * The schema without type names, in one form for every dialect: what "the same project
 * yields the same schema" compares. Two normalisations, both forced by the database:
 * - InnoDB creates an index named after a foreign key when no index covers its columns
 *   (and silently drops it again when a later index does): on MySQL an index whose name
 *   and columns are those of a foreign key of its table is left out.
 * - InnoDB has no distinct NO ACTION (both are checked at once), and MariaDB reads a rule
 *   the DDL left out as RESTRICT where PostgreSQL and SQLite read NO ACTION: on MySQL both
 *   read "no action/restrict". Elsewhere the two are kept apart.
 */
export function normaliseSchema(schema: SchemaInfo, options: NormaliseOptions): NeutralTable[] {
  const enumChecks = new Set(options.enumChecks ?? []);
  return schema.tables
    .filter((t) => !(STRATA_TABLES as readonly string[]).includes(t.name))
    .map((t) => normaliseTable(t, options.dialect, enumChecks))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function normaliseTable(table: TableInfo, dialect: TestDialectName, enumChecks: ReadonlySet<string>): NeutralTable {
  const fkIndex = (name: string, columns: readonly string[]) =>
    dialect === "mysql" && table.foreignKeys.some((fk) => fk.name === name && fk.columns.join() === columns.join());
  const action = (a: ReferentialAction) => (dialect === "mysql" && (a === "restrict" || a === "no action") ? "no action/restrict" : a);
  return {
    name: table.name,
    columns: table.columns.map((c) => `${c.name} ${c.nullable ? "null" : "not null"}${c.default === null ? "" : ` default ${normaliseDefault(c.default)}`}`),
    primaryKey: [...table.primaryKey],
    indexes: table.indexes
      .filter((i) => !fkIndex(i.name, i.columns))
      .map((i) => `${i.name}(${i.columns.join(", ")})${i.unique ? " unique" : ""}`)
      .sort(),
    foreignKeys: table.foreignKeys
      .map((fk) => `${fk.name}: ${fk.columns.join(", ")} -> ${fk.refTable}(${fk.refColumns.join(", ")}) on delete ${action(fk.onDelete)} on update ${action(fk.onUpdate)}`)
      .sort(),
    checks: table.checks.map((c) => c.name).filter((name) => !enumChecks.has(name)).sort(),
  };
}

/**
 * A default as each database spells it, in one form: `'draft'::text` (PostgreSQL) and
 * `'draft'` read `draft`; `current_timestamp()` and `current_timestamp(3)` (MariaDB) and `CURRENT_TIMESTAMP` read
 * `current_timestamp`; `false` (PostgreSQL) and `0` (tinyint, SQLite) read `0`; `0.00`
 * (MySQL decimal) reads `0`.
 */
export function normaliseDefault(value: string): string {
  let text = value.trim().replace(/^\((.*)\)$/s, "$1").replace(/(::[a-z ]+(\(\d+(,\d+)?\))?)+$/i, "");
  if (/^'.*'$/s.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  // current_timestamp(3) (MySQL datetime(3)) is current_timestamp at another precision.
  text = text.toLowerCase().replace(/^(current_timestamp)\(\d*\)$/, "$1").replace(/\(\)$/, "");
  if (text === "false") return "0";
  if (text === "true") return "1";
  if (/^-?\d+(\.\d+)?$/.test(text)) return String(Number(text));
  return text;
}
