import type { ColumnDef, ReferentialAction } from "../../schema/columns.ts";
import type { CreateTable, Operation } from "../../schema/operations.ts";
import { errors } from "../../errors.ts";
import { BaseCompiler } from "../base-compiler.ts";
import type { Catalog, Statement, TableInfo } from "../dialect.ts";
import type { SplitOptions } from "../split-statements.ts";
import { hasDropConstraint, type MysqlServerState } from "./server.ts";
import { mysqlColumnType, needsExpressionDefault, timestampPrecision } from "./types.ts";

const stmt = (sql: string): Statement => ({ sql, params: [] });
const DIALECT = "MySQL/MariaDB";
const CURRENT_TIME = /^(current_timestamp|now|localtime|localtimestamp)\s*(\(\s*\d*\s*\))?$/i;

/**
 * MySQL and MariaDB: backtick identifiers of at most 64 characters, `?` placeholders,
 * native enums, inline comments, `modify column` for alterColumn. The few statements the
 * two servers spell differently are chosen from the server version the driver read at
 * the first open; before that (a --dry-run plan) the spelling both accept is used.
 */
export class MysqlCompiler extends BaseCompiler {
  protected readonly maxIdentifierLength = 64;
  protected override readonly splitOptions: SplitOptions = { backslashEscapes: true, hashComments: true, delimiterCommand: true, executableComments: true };
  readonly #state: MysqlServerState;

  readonly #database: string | undefined;

  constructor(state: MysqlServerState, database?: string) {
    super();
    this.#state = state;
    this.#database = database;
  }

  override quoteOwnTable(name: string): string {
    return this.#database === undefined ? this.quoteTable(name) : `${this.quoteIdentifier(this.#database)}.${this.quoteTable(name)}`;
  }

  override quoteIdentifier(name: string): string {
    this.checkIdentifier(name);
    return `\`${name.replace(/`/g, "``")}\``;
  }

  /** MySQL counts identifier length in characters, not bytes, and refuses a few names outright instead of truncating. */
  protected override checkIdentifier(name: string): void {
    if (typeof name !== "string" || name.length === 0) throw errors.identifierInvalid(String(name), "is empty.");
    if (name.includes("\0")) throw errors.identifierInvalid(name.replace(/\0/g, "\\0"), "contains a NUL character.");
    const length = [...name].length;
    if (length > this.maxIdentifierLength) {
      throw errors.identifierInvalid(name, `is ${length} characters long; MySQL/MariaDB keep at most ${this.maxIdentifierLength}.`);
    }
    if (name.endsWith(" ")) throw errors.identifierInvalid(name, "ends with a space, which MySQL/MariaDB do not allow in names.");
    if (/[\u{10000}-\u{10FFFF}]/u.test(name)) throw errors.identifierInvalid(name, "contains a character outside the Basic Multilingual Plane, which MySQL/MariaDB do not allow in names.");
  }

  /** Backslash is an escape in MySQL strings (the session clears NO_BACKSLASH_ESCAPES), so it is doubled along with quotes. */
  protected override stringLiteral(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\0/g, "\\0")}'`;
  }

  columnType(column: ColumnDef): string {
    return mysqlColumnType(column, (v) => this.stringLiteral(v));
  }

  // ---- column definitions -------------------------------------------------------------

  protected override columnDefinition(_table: string, column: ColumnDef, inAlter = false): string {
    const parts = [this.quoteIdentifier(column.name), this.columnType(column)];
    const autoPrimary = column.primary && column.autoIncrement;
    parts.push(column.nullable && !column.primary ? "null" : "not null");
    if (column.default && !autoPrimary) parts.push(`default ${this.defaultValue(column)}`);
    if (column.autoIncrement) parts.push("auto_increment");
    // MODIFY COLUMN keeps the table's primary key; repeating it would add a second one.
    if (autoPrimary && !inAlter) parts.push("primary key");
    const comment = this.inlineComment(column);
    if (comment) parts.push(comment);
    return parts.join(" ");
  }

  protected autoIncrementPrimaryKey(_column: ColumnDef): string {
    return "auto_increment primary key";
  }

  protected override defaultValue(column: ColumnDef): string {
    const d = column.default!;
    if (d.kind === "raw") return this.rawDefault(column, d.sql);
    if (d.value === null) return "null";
    if (column.type === "json") return `(${this.stringLiteral(JSON.stringify(d.value))})`;
    const literal = column.type === "boolean" && typeof d.value === "boolean" ? this.booleanLiteral(d.value) : this.literal(d.value);
    return needsExpressionDefault(column) ? `(${literal})` : literal;
  }

  /**
   * MySQL takes a function call as a default only in parentheses (8.0.13+), except the
   * current-time functions on datetime; TEXT/BLOB/JSON take any default only in
   * parentheses. MariaDB accepts both forms. A datetime(p) default of CURRENT_TIMESTAMP
   * must carry the same precision, or MySQL refuses it.
   */
  protected rawDefault(column: ColumnDef, sql: string): string {
    const text = sql.trim();
    const now = CURRENT_TIME.exec(text);
    if (now) {
      if (column.type === "timestamp" && !/\d/.test(now[2] ?? "")) return `current_timestamp(${timestampPrecision(column)})`;
      return text;
    }
    if (/^\(.*\)$/s.test(text)) return text;
    return needsExpressionDefault(column) || text.includes("(") ? `(${text})` : text;
  }

  /** Enums are native on MySQL: no check constraint. */
  protected override inlineEnumCheck(): string | undefined {
    return undefined;
  }

  protected override inlineComment(column: ColumnDef): string | undefined {
    return column.comment === undefined ? undefined : `comment ${this.stringLiteral(column.comment)}`;
  }

  /** InnoDB has no SET DEFAULT: MySQL rejects it, MariaDB silently stores RESTRICT. Refused rather than changed. */
  /**
   * MariaDB reports a rule the DDL left out as RESTRICT, PostgreSQL and SQLite as NO ACTION:
   * writing NO ACTION out makes every database read the same key back.
   */
  protected override foreignKeyClause(name: string, columns: readonly string[], refTable: string, refColumns: readonly string[], onDelete?: ReferentialAction, onUpdate?: ReferentialAction): string {
    return super.foreignKeyClause(name, columns, refTable, refColumns, onDelete ?? "no action", onUpdate ?? "no action");
  }

  protected override referentialAction(action: ReferentialAction): string {
    if (action === "set default") {
      throw errors.unsupported('The referential action "set default"', `${DIALECT} (InnoDB)`, 'Use "set null", "cascade", "restrict" or "no action".');
    }
    return action;
  }

  /**
   * strata's progress markers go to MyISAM: written after every statement of a migration,
   * in InnoDB they would cost a redo-log flush each (Aria's own log costs more still). A
   * marker survives a killed client; the history itself stays in InnoDB.
   */
  protected override tableSuffix(op: CreateTable): string {
    const engine = op.nonTransactional ? "MyISAM" : "InnoDB";
    return ` engine=${engine}${op.comment === undefined ? "" : ` comment ${this.stringLiteral(op.comment)}`}`;
  }

  // ---- operations ---------------------------------------------------------------------

  /**
   * `update t join (select ? as k, ? as c union all select ?, ? ...) as v on t.k = v.k set
   * t.c = v.c`: one statement per chunk. Not an upsert: INSERT ... ON DUPLICATE KEY UPDATE
   * would bring back a row the application deleted meanwhile.
   */
  override compileBulkUpdate(table: string, keyColumns: readonly string[], columns: readonly string[], rows: readonly (readonly unknown[])[]): Statement[] {
    const all = [...keyColumns, ...columns];
    const first = `select ${all.map((c) => `? as ${this.quoteIdentifier(c)}`).join(", ")}`;
    const rest = `select ${all.map(() => "?").join(", ")}`;
    const derived = [first, ...rows.slice(1).map(() => rest)].join(" union all ");
    const join = keyColumns.map((k) => `t.${this.quoteIdentifier(k)} = v.${this.quoteIdentifier(k)}`).join(" and ");
    const sets = columns.map((c) => `t.${this.quoteIdentifier(c)} = v.${this.quoteIdentifier(c)}`).join(", ");
    return [{ sql: `update ${this.quoteTable(table)} as t join (${derived}) as v on ${join} set ${sets}`, params: rows.flat() }];
  }

  /** MySQL may not use the index for a row comparison: `a > ? or (a = ? and b > ?)` instead. */
  override keysetCondition(keyColumns: readonly string[], op: ">" | "<=", _firstParam: number): string {
    if (keyColumns.length === 1) return `${this.quoteIdentifier(keyColumns[0])} ${op} ?`;
    const strict = op === ">" ? ">" : "<";
    const parts = keyColumns.map((_, i) => [...keyColumns.slice(0, i).map((k) => `${this.quoteIdentifier(k)} = ?`), `${this.quoteIdentifier(keyColumns[i])} ${i === keyColumns.length - 1 ? op : strict} ?`].join(" and "));
    return `(${parts.map((p) => `(${p})`).join(" or ")})`;
  }

  /** A UNIQUE constraint is an index in MySQL; `drop index` works on every version. */
  protected override dropUnique(table: string, name: string): Statement {
    return stmt(`alter table ${this.quoteTable(table)} drop index ${this.quoteIdentifier(name)}`);
  }

  /**
   * InnoDB drops the index it made for a foreign key once another index covers the key's
   * columns, and then refuses (1553) to drop that other index. Dropping it here re-adds an
   * index for each foreign key left without one, in the same ALTER.
   */
  override async compileOperation(op: Operation, catalog: Catalog): Promise<Statement[]> {
    if (op.kind !== "DropIndex" && op.kind !== "DropUnique") return super.compileOperation(op, catalog);
    const info = await catalog.table(op.table);
    const remaining = (info?.indexes ?? []).filter((index) => index.name !== op.name).map((index) => index.columns);
    if (info && info.primaryKey.length > 0) remaining.push(info.primaryKey);
    const uncovered = (info?.foreignKeys ?? []).filter((fk) => !remaining.some((columns) => fk.columns.every((c, i) => columns[i] === c)));
    if (uncovered.length === 0) return super.compileOperation(op, catalog);
    const clauses = [`drop index ${this.quoteIdentifier(op.name)}`, ...uncovered.map((fk) => `add index ${this.quoteIdentifier(fk.name)} (${this.quoteList(fk.columns)})`)];
    const online = op.kind === "DropIndex" && op.concurrently ? ", algorithm=inplace, lock=none" : "";
    return [stmt(`alter table ${this.quoteTable(op.table)} ${clauses.join(", ")}${online}`)];
  }

  protected async alterColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]> {
    const current = await catalog.table(table);
    return [stmt(`alter table ${this.quoteTable(table)} modify column ${this.columnDefinition(table, column, true)}`), ...this.missingColumnConstraints(table, column, current)];
  }

  /**
   * MySQL refuses to drop a column a foreign key or a table-level check uses (PostgreSQL
   * drops those with it), so they are dropped first, read from the catalog. An index over
   * the column and others goes too, as on PostgreSQL and SQLite (MySQL would narrow it to
   * the other columns); a foreign key left without an index then gets one of its name.
   */
  protected override async dropColumn(table: string, column: string, catalog: Catalog): Promise<Statement[]> {
    const quotedColumn = this.quoteIdentifier(column);
    const info = await catalog.table(table);
    const widened = (info?.indexes ?? []).filter((index) => index.columns.length > 1 && index.columns.includes(column));
    const keptForeignKeys = (info?.foreignKeys ?? []).filter((fk) => !fk.columns.includes(column));
    const remaining = [...(info?.indexes ?? []).filter((index) => !index.columns.includes(column)).map((index) => index.columns), ...(info?.primaryKey.length ? [info.primaryKey] : [])];
    const uncovered = widened.length === 0 ? [] : keptForeignKeys.filter((fk) => !remaining.some((columns) => fk.columns.every((c, i) => columns[i] === c)));
    const clauses = [
      ...(info?.foreignKeys ?? []).filter((fk) => fk.columns.includes(column)).map((fk) => `drop foreign key ${this.quoteIdentifier(fk.name)}`),
      ...(info?.checks ?? []).filter((check) => check.expression.includes(quotedColumn)).map((check) => this.dropCheckClause(check.name)),
      ...widened.map((index) => `drop index ${this.quoteIdentifier(index.name)}`),
      ...uncovered.map((fk) => `add index ${this.quoteIdentifier(fk.name)} (${this.quoteList(fk.columns)})`),
    ];
    const out = clauses.length > 0 ? [stmt(`alter table ${this.quoteTable(table)} ${clauses.join(", ")}`)] : [];
    out.push(stmt(`alter table ${this.quoteTable(table)} drop column ${quotedColumn}`));
    return out;
  }

  /**
   * MySQL has no partial indexes: refused, never created without its predicate.
   * `concurrently` becomes InnoDB online DDL (ALGORITHM=INPLACE, LOCK=NONE): the server
   * refuses the statement instead of silently locking the table when it cannot comply.
   */
  protected override createIndex(table: string, name: string, columns: readonly string[], unique: boolean, where: string | undefined, concurrently: boolean): Statement {
    if (where !== undefined) {
      throw errors.unsupported("A partial index (where)", DIALECT, "Drop the where option, or index a generated column that is NULL where the predicate is false.");
    }
    const online = concurrently ? " algorithm=inplace lock=none" : "";
    return stmt(`create ${unique ? "unique " : ""}index ${this.quoteIdentifier(name)} on ${this.quoteTable(table)} (${this.quoteList(columns)})${online}`);
  }

  /** MariaDB's DROP INDEX takes no ALGORITHM/LOCK options; ALTER TABLE does on both servers. */
  protected override dropIndex(table: string, name: string, concurrently: boolean): Statement {
    if (concurrently) return stmt(`alter table ${this.quoteTable(table)} drop index ${this.quoteIdentifier(name)}, algorithm=inplace, lock=none`);
    return stmt(`drop index ${this.quoteIdentifier(name)} on ${this.quoteTable(table)}`);
  }

  /**
   * InnoDB creates an index named after a foreign key when no index covers its columns,
   * and keeps it when the key is dropped. That index goes with the key, in the same
   * statement, so dropping a key leaves the table as it was before adding it; unless
   * another foreign key of the table may be using it.
   */
  protected override async dropForeignKey(table: string, name: string, catalog: Catalog): Promise<Statement[]> {
    const clauses = [`drop foreign key ${this.quoteIdentifier(name)}`];
    if (ownIndex(await catalog.table(table), name)) clauses.push(`drop index ${this.quoteIdentifier(name)}`);
    return [stmt(`alter table ${this.quoteTable(table)} ${clauses.join(", ")}`)];
  }

  protected override async dropCheck(table: string, name: string, _catalog: Catalog): Promise<Statement[]> {
    return [stmt(`alter table ${this.quoteTable(table)} ${this.dropCheckClause(name)}`)];
  }

  /** `drop constraint` on MariaDB and MySQL 8.0.19+; MySQL 8.0.16-8.0.18 know only `drop check`. */
  protected dropCheckClause(name: string): string {
    const info = this.#state.info;
    const keyword = info && !hasDropConstraint(info) ? "check" : "constraint";
    return `drop ${keyword} ${this.quoteIdentifier(name)}`;
  }

  /** MySQL has no "LIMIT all": OFFSET alone needs the largest LIMIT. */
  protected override unlimited(): string {
    return "18446744073709551615";
  }
}

function ownIndex(info: TableInfo | undefined, fkName: string): boolean {
  const fk = info?.foreignKeys.find((f) => f.name === fkName);
  const index = info?.indexes.find((i) => i.name === fkName);
  if (!info || !fk || !index || index.unique || !sameList(index.columns, fk.columns)) return false;
  return !info.foreignKeys.some((other) => other.name !== fkName && sameList(index.columns.slice(0, other.columns.length), other.columns));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
