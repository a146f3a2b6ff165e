import type { ColumnDef } from "../../schema/columns.ts";
import { generatedName } from "../../schema/names.ts";
import { errors } from "../../errors.ts";
import type { Statement, TableInfo } from "../dialect.ts";
import { parseCreateIndex, parseCreateTable, type ParsedConstraint, type ParsedSegment, type ParsedTable } from "./parse-create-table.ts";
import { keyword, mentionsIdentifier, tokenize } from "./tokenize.ts";
import { namedConstraints, sameName, type SqliteTableSource } from "./table-source.ts";

/**
 * The table rebuild for changes SQLite's ALTER TABLE cannot make, following
 * https://www.sqlite.org/lang_altertable.html#otheralter: create the new table, copy the
 * rows, drop the old one, rename the new one into place, recreate indexes and triggers.
 * The stored CREATE TABLE text is edited rather than regenerated, so collations,
 * generated columns and table options survive.
 *
 * Foreign keys must be off while this runs (the adapter's begin() does it): with them on,
 * dropping the old parent table deletes, or cascades to, the child rows. PRAGMA
 * foreign_keys is a no-op inside a transaction, so the statements cannot do it themselves;
 * they check it instead and stop before touching anything.
 */
export type RebuildChange =
  /** `definition` is the compiler's column definition; other constraints of the column stay. */
  | { kind: "alterColumn"; column: ColumnDef; definition: string }
  | { kind: "addColumn"; column: ColumnDef; definition: string; constraint?: string }
  | { kind: "dropColumn"; column: string }
  | { kind: "addConstraint"; definition: string }
  | { kind: "dropConstraint"; name: string; constraint: "foreign" | "check" | "unique" };

export interface RebuildWriter {
  quote(name: string): string;
  string(value: string): string;
}

interface ColumnItem {
  name: string;
  head: string;
  segments: ParsedSegment[];
  /** The original text while nothing in the column changed. */
  text?: string;
  copy: boolean;
}

/** The new table as it is being edited from the stored one. */
interface Draft {
  table: string;
  parsed: ParsedTable;
  columns: ColumnItem[];
  constraints: { text: string; parsed?: ParsedConstraint }[];
  indexes: { name: string; sql: string }[];
  triggers: { name: string; sql: string }[];
  notNullGuards: { column: string; message: string }[];
}

const stmt = (sql: string): Statement => ({ sql, params: [] });
const GUARD_TABLE = "_strata_rebuild_guard";

export function compileRebuild(info: TableInfo, source: SqliteTableSource, change: RebuildChange, w: RebuildWriter): Statement[] {
  const parsed = parseCreateTable(source.sql);
  if (!parsed) throw errors.unsupported(`Rebuilding table "${info.name}" (its CREATE TABLE text could not be read)`, "SQLite", "Make this change with Schema.raw().");
  const draft: Draft = {
    table: info.name,
    parsed,
    columns: parsed.columns.map((c) => ({
      name: c.name,
      head: c.head,
      segments: [...c.segments],
      text: c.text,
      copy: !source.computedColumns.some((name) => sameName(name, c.name)),
    })),
    constraints: parsed.constraints.map((c) => ({ text: c.text, parsed: c })),
    indexes: source.indexes,
    triggers: source.triggers,
    notNullGuards: [],
  };
  applyChange(draft, change);
  return writeRebuild(draft, w);
}

function applyChange(draft: Draft, change: RebuildChange): void {
  const { table, columns } = draft;
  switch (change.kind) {
    case "alterColumn": {
      const at = findColumn(draft, change.column.name);
      const enumCheck = generatedName(table, [change.column.name], "check");
      const replacesPrimary = change.column.primary && change.column.autoIncrement;
      const kept = columns[at].segments.filter((s) => {
        if (s.kind === "notnull" || s.kind === "null" || s.kind === "default") return false;
        // The enum's check: by its name, or (made before a rename of the table or column) by what it checks.
        if (s.kind === "check" && s.name !== undefined && (sameName(s.name, enumCheck) || isEnumCheck(s.name, s.check, change.column.name))) return false;
        return !(s.kind === "primary" && replacesPrimary);
      });
      columns[at] = { name: columns[at].name, head: change.definition, segments: kept, copy: columns[at].copy };
      if (!change.column.nullable) {
        draft.notNullGuards.push({ column: change.column.name, message: `Column "${change.column.name}" of table "${table}" holds NULL in some rows, so it cannot become NOT NULL. Update those rows first, or keep the column nullable.` });
      }
      return;
    }
    case "addColumn": {
      const c = change.column;
      columns.push({ name: c.name, head: change.definition, segments: [], copy: false });
      if (change.constraint) draft.constraints.push({ text: change.constraint });
      if (!c.nullable && (!c.default || (c.default.kind === "value" && c.default.value === null))) {
        draft.notNullGuards.push({ column: c.name, message: `Column "${c.name}" cannot be added to table "${table}" as NOT NULL without a default, because the table has rows. Give it a default, or add it nullable and fill it first.` });
      }
      return;
    }
    case "dropColumn":
      return dropColumn(draft, change.column);
    case "addConstraint":
      draft.constraints.push({ text: change.definition });
      return;
    case "dropConstraint": {
      const target = namedConstraints(table, draft.parsed).find((c) => c.kind === change.constraint && sameName(c.name, change.name));
      if (!target) {
        const what = { foreign: "foreign key", check: "check constraint", unique: "unique constraint" }[change.constraint];
        throw errors.databaseError(`Table "${table}" has no ${what} named "${change.name}".`, {});
      }
      draft.constraints = draft.constraints.filter((c) => c.parsed !== target.constraint);
      for (const c of columns) {
        if (target.segment && c.segments.includes(target.segment)) {
          c.segments = c.segments.filter((s) => s !== target.segment);
          c.text = undefined;
        }
      }
      return;
    }
  }
}

/** As PostgreSQL does, constraints and indexes that use the dropped column go with it. */
function dropColumn(draft: Draft, column: string): void {
  const at = findColumn(draft, column);
  if (draft.columns.length === 1) throw errors.databaseError(`Column "${column}" is the only column of table "${draft.table}" and cannot be dropped.`, {});
  draft.columns.splice(at, 1);
  const named = (names: readonly string[]) => names.some((n) => sameName(n, column));
  const mentions = (text: string | undefined) => text !== undefined && mentionsIdentifier(text, column);
  for (const c of draft.columns) {
    const before = c.segments.length;
    c.segments = c.segments.filter((s) => !((s.kind === "check" || s.kind === "generated") && mentions(s.text)));
    if (c.segments.length !== before) c.text = undefined;
  }
  draft.constraints = draft.constraints.filter(({ parsed: p }) => {
    if (!p) return true;
    const selfReference = p.reference !== undefined && sameName(p.reference.table, draft.table) && named(p.reference.columns);
    return !(named(p.columns) || mentions(p.check) || selfReference);
  });
  draft.indexes = draft.indexes.filter((i) => {
    const index = parseCreateIndex(i.sql);
    return !index || !(index.terms.some(mentions) || mentions(index.where));
  });
}

function findColumn(draft: Draft, name: string): number {
  const at = draft.columns.findIndex((c) => sameName(c.name, name));
  if (at < 0) throw errors.databaseError(`Table "${draft.table}" has no column named "${name}".`, {});
  return at;
}

function writeRebuild(draft: Draft, w: RebuildWriter): Statement[] {
  const { table, columns } = draft;
  const q = w.quote;
  const tmp = `_strata_new_${table}`;
  const body = [...columns.map((c) => c.text ?? [c.head, ...c.segments.map((s) => s.text)].join(" ")), ...draft.constraints.map((c) => c.text)];
  const copied = columns.filter((c) => c.copy).map((c) => q(c.name)).join(", ");
  const out = [
    stmt(`create temp table if not exists ${q(GUARD_TABLE)} ("foreign_keys" integer constraint ${q("foreign keys are on: a table rebuild would delete child rows; run it inside the migration transaction")} check ("foreign_keys" = 0))`),
    stmt(`insert into "temp".${q(GUARD_TABLE)} select "foreign_keys" from pragma_foreign_keys`),
    stmt(`drop table "temp".${q(GUARD_TABLE)}`),
    stmt(`create table ${q(tmp)} (\n  ${body.join(",\n  ")}\n)${draft.parsed.options ? ` ${draft.parsed.options}` : ""}`),
  ];
  // A NOT NULL column that existing rows would break fails with a message naming the real
  // table; without it SQLite reports "NOT NULL constraint failed" on the temporary one.
  draft.notNullGuards.forEach((g, i) => {
    out.push(stmt(`create temp trigger ${q(`_strata_not_null_${i}`)} before insert on "main".${q(tmp)} when new.${q(g.column)} is null begin select raise(abort, ${w.string(g.message)}); end`));
  });
  if (copied) out.push(stmt(`insert into ${q(tmp)} (${copied}) select ${copied} from ${q(table)}`));
  draft.notNullGuards.forEach((_, i) => out.push(stmt(`drop trigger "temp".${q(`_strata_not_null_${i}`)}`)));
  if (tokenize(body.join(",")).some((t) => keyword(t) === "autoincrement")) {
    // Keep AUTOINCREMENT's high-water mark, so ids of deleted rows are never handed out again.
    out.push(stmt(`delete from "sqlite_sequence" where "name" = ${w.string(tmp)}`));
    out.push(stmt(`insert into "sqlite_sequence" ("name", "seq") select ${w.string(tmp)}, "seq" from "sqlite_sequence" where "name" = ${w.string(table)}`));
  }
  out.push(stmt(`drop table ${q(table)}`));
  // SQLite 3.26+ checks every view and trigger when a table is renamed, and a view on the
  // table being rebuilt points at nothing for this moment; the legacy rename skips that
  // check and rewrites nothing else.
  out.push(stmt("pragma legacy_alter_table = on"));
  out.push(stmt(`alter table ${q(tmp)} rename to ${q(table)}`));
  out.push(stmt("pragma legacy_alter_table = off"));
  for (const index of draft.indexes) out.push(stmt(index.sql));
  for (const trigger of draft.triggers) out.push(stmt(trigger.sql));
  return out;
}

/** A check strata made for an enum column: named `<table>_<column>_check`, `"<column>" in (...)`. */
function isEnumCheck(name: string, check: string | undefined, column: string): boolean {
  if (!/_check$/i.test(name) || check === undefined) return false;
  const quoted = `"${column.replace(/"/g, '""')}"`.toLowerCase();
  const text = check.trim().toLowerCase();
  return [quoted, column.toLowerCase()].some((c) => text.startsWith(`${c} in (`) || text.startsWith(`${c} in(`));
}
