import type { ColumnDef, JsonValue, ReferentialAction } from "../schema/columns.ts";
import { generatedName } from "../schema/names.ts";
import { assertNever, type Operation } from "../schema/operations.ts";
import type { Condition, Query } from "../schema/query.ts";
import { errors } from "../errors.ts";
import type { Catalog, Compiler, Statement, TableInfo } from "./dialect.ts";
import { splitSqlStatements, type SplitOptions } from "./split-statements.ts";

const stmt = (sql: string, params: readonly unknown[] = []): Statement => ({ sql, params });

/**
 * Shared compilation, in lowercase SQL with every identifier quoted and every value bound.
 * Dialects override small methods: quoting, placeholders, types, and the few statements
 * their SQL spells differently.
 */
export abstract class BaseCompiler implements Compiler {
  /** Longest identifier the dialect keeps intact (bytes). */
  protected abstract readonly maxIdentifierLength: number;
  protected readonly splitOptions: SplitOptions = {};

  abstract columnType(column: ColumnDef): string;

  // ---- quoting and literals ---------------------------------------------------------

  quoteIdentifier(name: string): string {
    this.checkIdentifier(name);
    return `"${name.replace(/"/g, '""')}"`;
  }

  quoteTable(name: string): string {
    return this.quoteIdentifier(name);
  }

  quoteOwnTable(name: string): string {
    return this.quoteTable(name);
  }

  protected quoteList(names: readonly string[]): string {
    return names.map((n) => this.quoteIdentifier(n)).join(", ");
  }

  protected checkIdentifier(name: string): void {
    if (typeof name !== "string" || name.length === 0) throw errors.identifierInvalid(String(name), "is empty.");
    if (name.includes("\0")) throw errors.identifierInvalid(name.replace(/\0/g, "\\0"), "contains a NUL character.");
    if (Buffer.byteLength(name) > this.maxIdentifierLength) {
      throw errors.identifierInvalid(name, `is ${Buffer.byteLength(name)} bytes long; this database keeps at most ${this.maxIdentifierLength}.`);
    }
  }

  literal(value: JsonValue): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return this.booleanLiteral(value);
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as a SQL literal.`);
      return String(value);
    }
    if (typeof value === "string") return this.stringLiteral(value);
    return this.stringLiteral(JSON.stringify(value));
  }

  protected stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? "true" : "false";
  }

  /** `$1` on PostgreSQL, `?` elsewhere. `index` starts at 1. */
  placeholder(_index: number): string {
    return "?";
  }

  // ---- column definitions -------------------------------------------------------------

  protected columnDefinition(table: string, column: ColumnDef): string {
    const parts = [this.quoteIdentifier(column.name), this.columnType(column)];
    if (column.primary && column.autoIncrement) {
      parts.push(this.autoIncrementPrimaryKey(column));
      return parts.filter(Boolean).join(" ");
    }
    if (!column.nullable) parts.push("not null");
    if (column.default) parts.push(`default ${this.defaultValue(column)}`);
    const inlineCheck = this.inlineEnumCheck(table, column);
    if (inlineCheck) parts.push(inlineCheck);
    const comment = this.inlineComment(column);
    if (comment) parts.push(comment);
    return parts.join(" ");
  }

  /** The clause after the type for `id()`: identity / auto_increment / integer primary key. */
  protected abstract autoIncrementPrimaryKey(column: ColumnDef): string;

  protected defaultValue(column: ColumnDef): string {
    const d = column.default!;
    if (d.kind === "raw") return d.sql;
    if (column.type === "boolean" && typeof d.value === "boolean") return this.booleanLiteral(d.value);
    if (column.type === "json" && d.value !== null) return this.jsonDefault(JSON.stringify(d.value));
    return this.literal(d.value);
  }

  protected jsonDefault(json: string): string {
    return this.stringLiteral(json);
  }

  /** Enum columns without a native enum type get a named check constraint. */
  protected inlineEnumCheck(table: string, column: ColumnDef): string | undefined {
    if (column.type !== "enum" || !column.values) return undefined;
    const name = generatedName(table, [column.name], "check");
    return `constraint ${this.quoteIdentifier(name)} check (${this.quoteIdentifier(column.name)} in (${column.values.map((v) => this.stringLiteral(v)).join(", ")}))`;
  }

  protected inlineComment(_column: ColumnDef): string | undefined {
    return undefined;
  }

  protected referentialAction(action: ReferentialAction): string {
    return action;
  }

  protected foreignKeyClause(name: string, columns: readonly string[], refTable: string, refColumns: readonly string[], onDelete?: ReferentialAction, onUpdate?: ReferentialAction): string {
    let sql = `constraint ${this.quoteIdentifier(name)} foreign key (${this.quoteList(columns)}) references ${this.quoteTable(refTable)} (${this.quoteList(refColumns)})`;
    if (onDelete) sql += ` on delete ${this.referentialAction(onDelete)}`;
    if (onUpdate) sql += ` on update ${this.referentialAction(onUpdate)}`;
    return sql;
  }

  // ---- operations ---------------------------------------------------------------------

  async compileOperation(op: Operation, catalog: Catalog): Promise<Statement[]> {
    switch (op.kind) {
      case "CreateTable":
        return this.createTable(op);
      case "DropTable":
        return [stmt(`drop table ${op.ifExists ? "if exists " : ""}${this.quoteTable(op.table)}`)];
      case "RenameTable":
        return this.renameTable(op.from, op.to);
      case "AddColumn":
        return this.addColumn(op.table, op.column, catalog);
      case "DropColumn":
        return this.dropColumn(op.table, op.column, catalog);
      case "RenameColumn":
        return [stmt(`alter table ${this.quoteTable(op.table)} rename column ${this.quoteIdentifier(op.from)} to ${this.quoteIdentifier(op.to)}`)];
      case "AlterColumn":
        return this.alterColumn(op.table, op.column, catalog);
      case "CreateIndex":
        return [this.createIndex(op.table, op.name, op.columns, op.unique, op.where, op.concurrently)];
      case "DropIndex":
        return [this.dropIndex(op.table, op.name, op.concurrently)];
      case "AddForeignKey":
        return this.addForeignKey(op, catalog);
      case "DropForeignKey":
        return this.dropForeignKey(op.table, op.name, catalog);
      case "AddUnique":
        return [this.addUniqueStatement(op.table, op.name, op.columns)];
      case "DropUnique":
        return [this.dropUnique(op.table, op.name)];
      case "AddCheck":
        return this.addCheck(op.table, op.name, op.expression, catalog);
      case "DropCheck":
        return this.dropCheck(op.table, op.name, catalog);
      case "Raw":
        return this.splitStatements(op.sql).map((sql) => stmt(sql));
      default:
        return assertNever(op);
    }
  }

  protected createTable(op: Extract<Operation, { kind: "CreateTable" }>): Statement[] {
    const table = op.table;
    const lines = op.columns.map((c) => this.columnDefinition(table, c));
    const primary = op.columns.filter((c) => c.primary && !c.autoIncrement).map((c) => c.name);
    if (primary.length > 0) lines.push(`constraint ${this.quoteIdentifier(generatedName(table, [], "pkey"))} primary key (${this.quoteList(primary)})`);
    for (const c of op.columns) {
      if (c.unique && !c.primary) lines.push(...this.inlineUnique(table, c));
    }
    for (const c of op.columns) {
      if (c.references) {
        const r = c.references;
        lines.push(this.foreignKeyClause(r.name ?? generatedName(table, [c.name], "fkey"), [c.name], r.table, [r.column], r.onDelete, r.onUpdate));
      }
    }
    const statements = [stmt(`create table ${op.ifNotExists ? "if not exists " : ""}${this.quoteTable(table)} (\n  ${lines.join(",\n  ")}\n)${this.tableSuffix(op)}`)];
    statements.push(...this.afterCreateTable(op));
    return statements;
  }

  /** A UNIQUE column inside CREATE TABLE: a named constraint where the dialect can name it. */
  protected inlineUnique(table: string, column: ColumnDef): string[] {
    return [`constraint ${this.quoteIdentifier(generatedName(table, [column.name], "key"))} unique (${this.quoteIdentifier(column.name)})`];
  }

  protected tableSuffix(_op: Extract<Operation, { kind: "CreateTable" }>): string {
    return "";
  }

  /** Indexes for `index: true` columns, comments and whatever else follows CREATE TABLE. */
  protected afterCreateTable(op: Extract<Operation, { kind: "CreateTable" }>): Statement[] {
    return op.columns.filter((c) => c.index).map((c) => this.createIndex(op.table, generatedName(op.table, [c.name], "idx"), [c.name], false, undefined, false));
  }

  protected renameTable(from: string, to: string): Statement[] {
    return [stmt(`alter table ${this.quoteTable(from)} rename to ${this.quoteIdentifier(to)}`)];
  }

  protected async addColumn(table: string, column: ColumnDef, _catalog: Catalog): Promise<Statement[]> {
    const out = [stmt(`alter table ${this.quoteTable(table)} add column ${this.columnDefinition(table, column)}`)];
    if (column.unique) out.push(stmt(`alter table ${this.quoteTable(table)} add constraint ${this.quoteIdentifier(generatedName(table, [column.name], "key"))} unique (${this.quoteIdentifier(column.name)})`));
    if (column.index) out.push(this.createIndex(table, generatedName(table, [column.name], "idx"), [column.name], false, undefined, false));
    if (column.references) {
      const r = column.references;
      out.push(stmt(`alter table ${this.quoteTable(table)} add ${this.foreignKeyClause(r.name ?? generatedName(table, [column.name], "fkey"), [column.name], r.table, [r.column], r.onDelete, r.onUpdate)}`));
    }
    return out;
  }

  protected async dropColumn(table: string, column: string, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(table)} drop column ${this.quoteIdentifier(column)}`)];
  }

  protected abstract alterColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]>;

  /**
   * alterColumn: unique / index / references of the new definition that the column does not
   * have yet. Never drops one the definition leaves out (dropUnique, dropIndex, dropForeignKey do).
   */
  protected missingColumnConstraints(table: string, column: ColumnDef, current: TableInfo | undefined, withReferences = true): Statement[] {
    const out: Statement[] = [];
    const only = (columns: readonly string[]) => columns.length === 1 && columns[0] === column.name;
    const t = this.quoteTable(table);
    if (column.unique && !column.primary && !current?.indexes.some((i) => i.unique && !i.where && only(i.columns))) {
      out.push(this.addUniqueStatement(table, generatedName(table, [column.name], "key"), [column.name]));
    }
    if (column.index && !current?.indexes.some((i) => i.columns[0] === column.name)) {
      out.push(this.createIndex(table, generatedName(table, [column.name], "idx"), [column.name], false, undefined, false));
    }
    const ref = column.references;
    if (ref && withReferences && !current?.foreignKeys.some((f) => only(f.columns))) {
      out.push(stmt(`alter table ${t} add ${this.foreignKeyClause(ref.name ?? generatedName(table, [column.name], "fkey"), [column.name], ref.table, [ref.column], ref.onDelete, ref.onUpdate)}`));
    }
    return out;
  }

  protected addUniqueStatement(table: string, name: string, columns: readonly string[]): Statement {
    return stmt(`alter table ${this.quoteTable(table)} add constraint ${this.quoteIdentifier(name)} unique (${this.quoteList(columns)})`);
  }

  protected createIndex(table: string, name: string, columns: readonly string[], unique: boolean, where: string | undefined, concurrently: boolean): Statement {
    const conc = concurrently ? "concurrently " : "";
    const predicate = where ? ` where ${where}` : "";
    return stmt(`create ${unique ? "unique " : ""}index ${conc}${this.quoteIdentifier(name)} on ${this.quoteTable(table)} (${this.quoteList(columns)})${predicate}`);
  }

  protected dropIndex(_table: string, name: string, concurrently: boolean): Statement {
    return stmt(`drop index ${concurrently ? "concurrently " : ""}${this.quoteIdentifier(name)}`);
  }

  protected dropUnique(table: string, name: string): Statement {
    return stmt(`alter table ${this.quoteTable(table)} drop constraint ${this.quoteIdentifier(name)}`);
  }

  protected async addForeignKey(op: Extract<Operation, { kind: "AddForeignKey" }>, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(op.table)} add ${this.foreignKeyClause(op.name, op.columns, op.refTable, op.refColumns, op.onDelete, op.onUpdate)}`)];
  }

  protected async dropForeignKey(table: string, name: string, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(table)} drop constraint ${this.quoteIdentifier(name)}`)];
  }

  protected async addCheck(table: string, name: string, expression: string, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(table)} add constraint ${this.quoteIdentifier(name)} check (${expression})`)];
  }

  protected async dropCheck(table: string, name: string, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(table)} drop constraint ${this.quoteIdentifier(name)}`)];
  }

  splitStatements(sql: string): string[] {
    return splitSqlStatements(sql, this.splitOptions);
  }

  /** Where the database refuses a name it cannot hold by itself (MySQL), or has no limit (SQLite), nothing to do. */
  checkSqlIdentifiers(_sql: string): void {}

  keysetCondition(keyColumns: readonly string[], op: ">" | "<=", firstParam: number): string {
    const params = keyColumns.map((_, i) => this.placeholder(firstParam + i));
    if (keyColumns.length === 1) return `${this.quoteIdentifier(keyColumns[0])} ${op} ${params[0]}`;
    return `(${this.quoteList(keyColumns)}) ${op} (${params.join(", ")})`;
  }

  /** Default: one `update ... where key = ?` per row; dialects with a set-based form override it. */
  compileBulkUpdate(table: string, keyColumns: readonly string[], columns: readonly string[], rows: readonly (readonly unknown[])[], _types: Readonly<Record<string, string>>): Statement[] {
    const n = keyColumns.length;
    const sets = columns.map((c, i) => `${this.quoteIdentifier(c)} = ${this.placeholder(i + 1)}`).join(", ");
    const where = keyColumns.map((k, i) => `${this.quoteIdentifier(k)} = ${this.placeholder(columns.length + i + 1)}`).join(" and ");
    const sql = `update ${this.quoteTable(table)} set ${sets} where ${where}`;
    return rows.map((row) => stmt(sql, [...row.slice(n), ...row.slice(0, n)]));
  }

  lockRowsClause(skipLocked: boolean): string {
    return skipLocked ? " for update skip locked" : " for update";
  }

  // ---- data statements -----------------------------------------------------------------

  /** An insert replacing the row with the same key: `replace into` (SQLite, MySQL). */
  protected replacing(values: string, _columns: readonly string[], _key: readonly string[]): string {
    return `replace into ${values}`;
  }

  compileQuery(query: Query): Statement {
    const statement = this.#compileQuery(query);
    return query.own ? { ...statement, prepare: true } : statement;
  }

  #compileQuery(query: Query): Statement {
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return this.placeholder(params.length);
    };
    const table = query.own ? this.quoteOwnTable(query.table) : this.quoteTable(query.table);
    switch (query.kind) {
      case "select": {
        const cols = query.count ? "count(*) as count" : query.columns === "*" ? "*" : this.quoteList(query.columns);
        let sql = `select ${cols} from ${table}${this.whereClause(query.where, bind)}`;
        if (query.orderBy.length) sql += ` order by ${query.orderBy.map((o) => `${this.quoteIdentifier(o.column)} ${o.direction}`).join(", ")}`;
        if (query.limit !== undefined) sql += ` limit ${bind(query.limit)}`;
        if (query.offset !== undefined) sql += `${query.limit === undefined ? ` limit ${this.unlimited()}` : ""} offset ${bind(query.offset)}`;
        return stmt(sql, params);
      }
      case "insert": {
        const rows = query.rows.map((row) => `(${row.map((v) => bind(v)).join(", ")})`);
        const values = `${table} (${this.quoteList(query.columns)}) values ${rows.join(", ")}`;
        return stmt(query.replace ? this.replacing(values, query.columns, query.replace) : `insert into ${values}`, params);
      }
      case "update": {
        const sets = Object.entries(query.values).map(([column, value]) => `${this.quoteIdentifier(column)} = ${bind(value)}`);
        return stmt(`update ${table} set ${sets.join(", ")}${this.whereClause(query.where, bind)}`, params);
      }
      case "delete":
        return stmt(`delete from ${table}${this.whereClause(query.where, bind)}`, params);
      default:
        return assertNever(query);
    }
  }

  /** LIMIT value meaning "no limit", for OFFSET without LIMIT. */
  protected unlimited(): string {
    return "-1";
  }

  protected whereClause(conditions: readonly Condition[], bind: (value: unknown) => string): string {
    if (conditions.length === 0) return "";
    const parts = conditions.map((c) => {
      const column = this.quoteIdentifier(c.column);
      switch (c.op) {
        case "is null":
        case "is not null":
          return `${column} ${c.op}`;
        case "in":
        case "not in": {
          const values = c.value as readonly unknown[];
          if (values.length === 0) return c.op === "in" ? "1 = 0" : "1 = 1";
          return `${column} ${c.op} (${values.map((v) => bind(v)).join(", ")})`;
        }
        case "!=":
          return `${column} <> ${bind(c.value)}`;
        default:
          return `${column} ${c.op} ${bind(c.value)}`;
      }
    });
    return ` where ${parts.join(" and ")}`;
  }
}
