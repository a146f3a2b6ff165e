import type { ColumnDef } from "../../schema/columns.ts";
import { generatedName } from "../../schema/names.ts";
import type { CreateTable, Operation } from "../../schema/operations.ts";
import { errors } from "../../errors.ts";
import { BaseCompiler } from "../base-compiler.ts";
import type { Catalog, Statement, TableInfo } from "../dialect.ts";
import { parseCreateTable } from "./parse-create-table.ts";
import { mentionsIdentifier } from "./tokenize.ts";
import { compileRebuild, type RebuildChange } from "./rebuild.ts";
import { namedConstraints, sameName, sourceFromTableInfo, sqliteSourceOf } from "./table-source.ts";
import { defaultExpression, isConstantDefault, SQLITE_MAX_IDENTIFIER_LENGTH, sqliteColumnType } from "./types.ts";

const stmt = (sql: string): Statement => ({ sql, params: [] });

/**
 * SQLite's compiler: the shared one, with UNIQUE as named unique indexes (SQLite cannot
 * name an inline UNIQUE constraint in what it reports), and a table rebuild wherever
 * ALTER TABLE falls short. SQLite has no table or column comments, so `comment` is dropped.
 */
export class SqliteCompiler extends BaseCompiler {
  /** The write transaction is the lock on SQLite: no row locking clause. */
  override lockRowsClause(_skipLocked: boolean): string {
    return "";
  }

  protected readonly maxIdentifierLength = SQLITE_MAX_IDENTIFIER_LENGTH;

  columnType(column: ColumnDef): string {
    return sqliteColumnType(column);
  }

  protected autoIncrementPrimaryKey(_column: ColumnDef): string {
    return "primary key autoincrement";
  }

  protected override booleanLiteral(value: boolean): string {
    return value ? "1" : "0";
  }

  protected override defaultValue(column: ColumnDef): string {
    const d = column.default!;
    return d.kind === "raw" ? defaultExpression(d.sql) : super.defaultValue(column);
  }

  override async compileOperation(op: Operation, catalog: Catalog): Promise<Statement[]> {
    switch (op.kind) {
      case "DropUnique":
        return this.dropUniqueOrConstraint(op.table, op.name, catalog);
      default:
        return super.compileOperation(op, catalog);
    }
  }

  // ---- CREATE TABLE ----------------------------------------------------------------------

  protected override inlineUnique(_table: string, _column: ColumnDef): string[] {
    return [];
  }

  protected override afterCreateTable(op: CreateTable): Statement[] {
    const unique = op.columns.filter((c) => c.unique && !c.primary).map((c) => this.indexStatement(op.table, generatedName(op.table, [c.name], "key"), [c.name], true, undefined, op.ifNotExists));
    const plain = op.columns.filter((c) => c.index).map((c) => this.indexStatement(op.table, generatedName(op.table, [c.name], "idx"), [c.name], false, undefined, op.ifNotExists));
    return [...unique, ...plain];
  }

  // ---- indexes ---------------------------------------------------------------------------

  /** SQLite has no CREATE INDEX CONCURRENTLY: it builds every index under the write lock, so the flag is ignored. */
  protected override createIndex(table: string, name: string, columns: readonly string[], unique: boolean, where: string | undefined, _concurrently: boolean): Statement {
    return this.indexStatement(table, name, columns, unique, where, false);
  }

  protected override dropIndex(_table: string, name: string, _concurrently: boolean): Statement {
    return stmt(`drop index ${this.quoteIdentifier(name)}`);
  }

  private indexStatement(table: string, name: string, columns: readonly string[], unique: boolean, where: string | undefined, ifNotExists: boolean): Statement {
    const predicate = where ? ` where ${where}` : "";
    return stmt(`create ${unique ? "unique " : ""}index ${ifNotExists ? "if not exists " : ""}${this.quoteIdentifier(name)} on ${this.quoteTable(table)} (${this.quoteList(columns)})${predicate}`);
  }

  protected override dropUnique(_table: string, name: string): Statement {
    return stmt(`drop index ${this.quoteIdentifier(name)}`);
  }

  /** An explicit unique index is dropped; a UNIQUE constraint written inside CREATE TABLE needs a rebuild. */
  private async dropUniqueOrConstraint(table: string, name: string, catalog: Catalog): Promise<Statement[]> {
    const info = await catalog.table(table);
    const source = info && sqliteSourceOf(info);
    const parsed = source && parseCreateTable(source.sql);
    const isIndex = source?.indexes.some((i) => sameName(i.name, name)) ?? true;
    if (!isIndex && info && parsed && namedConstraints(info.name, parsed).some((c) => c.kind === "unique" && sameName(c.name, name))) {
      return this.rebuild(table, catalog, { kind: "dropConstraint", name, constraint: "unique" });
    }
    return [this.dropUnique(table, name)];
  }

  // ---- columns ---------------------------------------------------------------------------

  /**
   * ALTER TABLE ADD COLUMN takes a column that is not a key, whose NOT NULL comes with a
   * constant non-null default, with no CURRENT_* or parenthesised default, and (with
   * foreign keys on) whose REFERENCES column defaults to NULL. The rest is a rebuild.
   * https://www.sqlite.org/lang_altertable.html#altertabaddcol
   */
  protected override async addColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]> {
    const d = column.default;
    const constantDefault = !d || d.kind === "value" || isConstantDefault(d.sql);
    const nullDefault = !d || (d.kind === "value" ? d.value === null : /^null$/i.test(d.sql.trim()));
    const inPlace = !column.primary && constantDefault && (column.nullable || !nullDefault) && (!column.references || (column.nullable && nullDefault));
    const definition = this.fullColumnDefinition(table, column);
    const out = inPlace
      ? [stmt(`alter table ${this.quoteTable(table)} add column ${definition}`)]
      : await this.rebuild(table, catalog, {
          kind: "addColumn",
          column,
          definition,
          ...(column.primary && !column.autoIncrement ? { constraint: `constraint ${this.quoteIdentifier(generatedName(table, [], "pkey"))} primary key (${this.quoteIdentifier(column.name)})` } : {}),
        });
    if (column.unique && !column.primary) out.push(this.indexStatement(table, generatedName(table, [column.name], "key"), [column.name], true, undefined, false));
    if (column.index) out.push(this.indexStatement(table, generatedName(table, [column.name], "idx"), [column.name], false, undefined, false));
    return out;
  }

  /** The column definition with its REFERENCES clause as a named column constraint. */
  private fullColumnDefinition(table: string, column: ColumnDef): string {
    const definition = this.columnDefinition(table, column);
    const r = column.references;
    if (!r) return definition;
    let reference = `constraint ${this.quoteIdentifier(r.name ?? generatedName(table, [column.name], "fkey"))} references ${this.quoteTable(r.table)} (${this.quoteIdentifier(r.column)})`;
    if (r.onDelete) reference += ` on delete ${this.referentialAction(r.onDelete)}`;
    if (r.onUpdate) reference += ` on update ${this.referentialAction(r.onUpdate)}`;
    return `${definition} ${reference}`;
  }

  /**
   * ALTER TABLE DROP COLUMN (SQLite 3.35+) refuses a column that is a key, indexed, in a
   * foreign key or in another column's or the table's CHECK; those go through a rebuild.
   */
  protected override async dropColumn(table: string, column: string, catalog: Catalog): Promise<Statement[]> {
    const info = await catalog.table(table);
    if (info && this.dropNeedsRebuild(info, column)) return this.rebuild(table, catalog, { kind: "dropColumn", column });
    return [stmt(`alter table ${this.quoteTable(table)} drop column ${this.quoteIdentifier(column)}`)];
  }

  private dropNeedsRebuild(info: TableInfo, column: string): boolean {
    const named = (names: readonly string[]) => names.some((n) => sameName(n, column));
    const mentions = (text: string | undefined) => text !== undefined && mentionsIdentifier(text, column);
    if (named(info.primaryKey) || info.foreignKeys.some((fk) => named(fk.columns))) return true;
    if (info.indexes.some((i) => i.columns.some(mentions) || mentions(i.where))) return true;
    const source = sqliteSourceOf(info);
    const parsed = source && parseCreateTable(source.sql);
    if (!parsed) return info.checks.some((c) => mentions(c.expression));
    // A CHECK written on the dropped column itself goes with it; any other that names it blocks the drop.
    return namedConstraints(info.name, parsed).some((c) => c.kind === "check" && mentions(c.check) && !(c.column && sameName(c.column.name, column)));
  }

  /** SQLite cannot change a column in place: every change is a rebuild. */
  protected async alterColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]> {
    const current = await catalog.table(table);
    const rebuilt = await this.rebuild(table, catalog, { kind: "alterColumn", column, definition: this.columnDefinition(table, column) });
    // A reference is part of the rebuilt column's definition; unique and index are indexes beside it.
    return [...rebuilt, ...this.missingColumnConstraints(table, column, current, false)];
  }

  /** SQLite cannot add a constraint to a table: a unique index does the same. */
  protected override addUniqueStatement(table: string, name: string, columns: readonly string[]): Statement {
    return this.createIndex(table, name, columns, true, undefined, false);
  }

  // ---- constraints -----------------------------------------------------------------------

  protected override async addForeignKey(op: Extract<Operation, { kind: "AddForeignKey" }>, catalog: Catalog): Promise<Statement[]> {
    const definition = this.foreignKeyClause(op.name, op.columns, op.refTable, op.refColumns, op.onDelete, op.onUpdate);
    return this.rebuild(op.table, catalog, { kind: "addConstraint", definition });
  }

  protected override async dropForeignKey(table: string, name: string, catalog: Catalog): Promise<Statement[]> {
    return this.rebuild(table, catalog, { kind: "dropConstraint", name, constraint: "foreign" });
  }

  protected override async addCheck(table: string, name: string, expression: string, catalog: Catalog): Promise<Statement[]> {
    return this.rebuild(table, catalog, { kind: "addConstraint", definition: `constraint ${this.quoteIdentifier(name)} check (${expression})` });
  }

  protected override async dropCheck(table: string, name: string, catalog: Catalog): Promise<Statement[]> {
    return this.rebuild(table, catalog, { kind: "dropConstraint", name, constraint: "check" });
  }

  private async rebuild(table: string, catalog: Catalog, change: RebuildChange): Promise<Statement[]> {
    const info = await catalog.table(table);
    if (!info) {
      throw errors.databaseError(`Table "${table}" does not exist, so it cannot be rebuilt for this change.`, {});
    }
    const quote = (name: string) => this.quoteIdentifier(name);
    const source = sqliteSourceOf(info) ?? sourceFromTableInfo(info, quote);
    return compileRebuild(info, source, change, { quote, string: (value) => this.stringLiteral(value) });
  }
}
