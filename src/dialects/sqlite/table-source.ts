import type { TableInfo } from "../dialect.ts";
import { generatedName } from "../../schema/names.ts";
import type { ParsedColumn, ParsedConstraint, ParsedReference, ParsedSegment, ParsedTable } from "./parse-create-table.ts";
import { defaultExpression } from "./types.ts";

/**
 * The text SQLite stores for a table: what a rebuild needs to recreate it exactly, and
 * what the neutral TableInfo cannot carry (trigger bodies, collations, table options).
 */
export interface SqliteTableSource {
  /** The CREATE TABLE statement from sqlite_master. */
  sql: string;
  /** Explicit indexes (CREATE INDEX text); indexes behind inline UNIQUE constraints come back with the table. */
  indexes: { name: string; sql: string }[];
  triggers: { name: string; sql: string }[];
  /** Generated columns: SQLite computes them, a rebuild never copies them. */
  computedColumns: string[];
}

// The Catalog interface only hands out TableInfo, so the source rides along with the
// object the SQLite introspector returned, without adding fields to the neutral shape.
const SOURCES = new WeakMap<TableInfo, SqliteTableSource>();

export function attachSource(info: TableInfo, source: SqliteTableSource): void {
  SOURCES.set(info, source);
}

export function sqliteSourceOf(info: TableInfo): SqliteTableSource | undefined {
  return SOURCES.get(info);
}

/**
 * A source written from the neutral shape, for a catalog that did not come from the
 * SQLite introspector (a copied or simulated TableInfo). It has no triggers to give back.
 */
export function sourceFromTableInfo(info: TableInfo, quote: (name: string) => string): SqliteTableSource {
  const list = (names: readonly string[]) => names.map(quote).join(", ");
  const lines = info.columns.map((c) => {
    const head = c.type ? `${quote(c.name)} ${c.type}` : quote(c.name);
    if (c.autoIncrement) return `${head} primary key autoincrement`;
    return `${head}${c.nullable ? "" : " not null"}${c.default === null ? "" : ` default ${defaultExpression(c.default)}`}`;
  });
  if (info.primaryKey.length > 0 && !info.columns.some((c) => c.autoIncrement)) lines.push(`primary key (${list(info.primaryKey)})`);
  const autoIndexes = info.indexes.filter((i) => i.name.startsWith("sqlite_autoindex_"));
  for (const index of autoIndexes) lines.push(`unique (${list(index.columns)})`);
  for (const fk of info.foreignKeys) {
    lines.push(`constraint ${quote(fk.name)} foreign key (${list(fk.columns)}) references ${quote(fk.refTable)} (${list(fk.refColumns)}) on delete ${fk.onDelete} on update ${fk.onUpdate}`);
  }
  for (const check of info.checks) lines.push(`constraint ${quote(check.name)} check (${check.expression})`);
  const indexes = info.indexes
    .filter((i) => !autoIndexes.includes(i))
    .map((i) => ({
      name: i.name,
      sql: `create ${i.unique ? "unique " : ""}index ${quote(i.name)} on ${quote(info.name)} (${list(i.columns)})${i.where ? ` where ${i.where}` : ""}`,
    }));
  return { sql: `create table ${quote(info.name)} (${lines.join(", ")})`, indexes, triggers: [], computedColumns: [] };
}

/** A constraint of a stored table under the name strata reports for it. */
export interface NamedConstraint {
  kind: "foreign" | "check" | "unique";
  name: string;
  columns: string[];
  check?: string;
  reference?: ParsedReference;
  /** The table constraint, or the column and its constraint segment, that spell it. */
  constraint?: ParsedConstraint;
  column?: ParsedColumn;
  segment?: ParsedSegment;
}

/**
 * Every foreign key, check and unique constraint of a parsed table, named: the name
 * written after CONSTRAINT, else the name strata would generate for it (as PostgreSQL
 * does), so dropForeignKey(table, columns) finds an unnamed one too.
 */
export function namedConstraints(table: string, parsed: ParsedTable): NamedConstraint[] {
  const out: NamedConstraint[] = [];
  const used = new Set<string>();
  const name = (explicit: string | undefined, fallback: string) => {
    let candidate = explicit ?? fallback;
    for (let n = 2; explicit === undefined && used.has(candidate.toLowerCase()); n++) candidate = `${fallback}_${n}`;
    used.add(candidate.toLowerCase());
    return candidate;
  };
  for (const column of parsed.columns) {
    for (const segment of column.segments) {
      const columns = [column.name];
      if (segment.kind === "references" && segment.reference) {
        out.push({ kind: "foreign", name: name(segment.name, generatedName(table, columns, "fkey")), columns, reference: segment.reference, column, segment });
      } else if (segment.kind === "check") {
        out.push({ kind: "check", name: name(segment.name, generatedName(table, columns, "check")), columns, check: segment.check ?? "", column, segment });
      } else if (segment.kind === "unique") {
        out.push({ kind: "unique", name: name(segment.name, generatedName(table, columns, "key")), columns, column, segment });
      }
    }
  }
  for (const constraint of parsed.constraints) {
    const columns = constraint.columns;
    if (constraint.kind === "foreign" && constraint.reference) {
      out.push({ kind: "foreign", name: name(constraint.name, generatedName(table, columns, "fkey")), columns, reference: constraint.reference, constraint });
    } else if (constraint.kind === "check") {
      out.push({ kind: "check", name: name(constraint.name, generatedName(table, [], "check")), columns: [], check: constraint.check ?? "", constraint });
    } else if (constraint.kind === "unique") {
      out.push({ kind: "unique", name: name(constraint.name, generatedName(table, columns, "key")), columns, constraint });
    }
  }
  return out;
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
