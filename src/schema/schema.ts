import { createColumn, parseReferentialAction, type ColumnDef, type ColumnOptions, type ReferentialActionInput } from "./columns.ts";
import { generatedName } from "./names.ts";
import { recordOperation } from "./recorder.ts";

type ColumnList = readonly (ColumnDef | readonly ColumnDef[])[];
type Columns = string | readonly string[];

export interface CreateTableOptions {
  ifNotExists?: boolean;
  comment?: string;
}

export interface IndexOptions {
  name?: string;
  unique?: boolean;
  /** Partial index predicate (PostgreSQL, SQLite). */
  where?: string;
  /** CREATE INDEX CONCURRENTLY on PostgreSQL; the migration then runs outside a transaction. */
  concurrently?: boolean;
}

export interface ForeignKeyOptions {
  name?: string;
  onDelete?: ReferentialActionInput;
  onUpdate?: ReferentialActionInput;
}

const toList = (columns: Columns): string[] => (typeof columns === "string" ? [columns] : [...columns]);

function requireName(value: unknown, what: string, call: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`Schema.${call}(): ${what} must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function requireColumns(columns: Columns, call: string): string[] {
  const list = toList(columns);
  if (list.length === 0) throw new TypeError(`Schema.${call}(): at least one column is required.`);
  list.forEach((c) => requireName(c, "each column", call));
  return list;
}

/** A drop by name, or by columns: the generated name, with the columns to find one named otherwise. */
function named(table: string, nameOrColumns: Columns, suffix: "idx" | "key" | "fkey"): { name: string; columns?: string[] } {
  if (typeof nameOrColumns === "string" && !nameOrColumns.includes(",")) return { name: nameOrColumns };
  const columns = toList(nameOrColumns);
  return { name: generatedName(table, columns, suffix), columns };
}

/**
 * The dialect-neutral schema builder. Calls inside `up()`/`down()` are recorded as
 * operations and compiled per dialect when the migration runs (or printed by --dry-run).
 *
 * @example
 * Schema.createTable("users", [Schema.id(), Schema.string("email", { unique: true }), Schema.timestamps()]);
 * Schema.createIndex("users", ["email"]);
 */
export const Schema = {
  // ---- tables -------------------------------------------------------------------
  createTable(table: string, columns: ColumnList, options: CreateTableOptions = {}): void {
    requireName(table, "the table name", "createTable");
    const flat = (columns as (ColumnDef | readonly ColumnDef[])[]).flat() as ColumnDef[];
    if (flat.length === 0) throw new TypeError(`Schema.createTable("${table}"): a table needs at least one column.`);
    const seen = new Set<string>();
    for (const column of flat) {
      if (!column || typeof column.name !== "string") throw new TypeError(`Schema.createTable("${table}"): columns must be Schema column descriptors such as Schema.string("name").`);
      if (seen.has(column.name)) throw new TypeError(`Schema.createTable("${table}"): column "${column.name}" is listed twice.`);
      seen.add(column.name);
    }
    recordOperation({ kind: "CreateTable", table, columns: flat, ifNotExists: options.ifNotExists ?? false, ...(options.comment ? { comment: options.comment } : {}) }, "createTable");
  },
  dropTable(table: string, options: { ifExists?: boolean } = {}): void {
    recordOperation({ kind: "DropTable", table: requireName(table, "the table name", "dropTable"), ifExists: options.ifExists ?? false }, "dropTable");
  },
  dropTableIfExists(table: string): void {
    Schema.dropTable(table, { ifExists: true });
  },
  renameTable(from: string, to: string): void {
    recordOperation({ kind: "RenameTable", from: requireName(from, "the table name", "renameTable"), to: requireName(to, "the new name", "renameTable") }, "renameTable");
  },

  // ---- columns ------------------------------------------------------------------
  addColumn(table: string, column: ColumnDef): void {
    requireName(table, "the table name", "addColumn");
    if (!column || typeof column.name !== "string") throw new TypeError(`Schema.addColumn("${table}"): pass a column descriptor such as Schema.string("nickname", { nullable: true }).`);
    recordOperation({ kind: "AddColumn", table, column }, "addColumn");
  },
  dropColumn(table: string, column: string): void {
    recordOperation({ kind: "DropColumn", table: requireName(table, "the table name", "dropColumn"), column: requireName(column, "the column name", "dropColumn") }, "dropColumn");
  },
  renameColumn(table: string, from: string, to: string): void {
    recordOperation({ kind: "RenameColumn", table: requireName(table, "the table name", "renameColumn"), from: requireName(from, "the column name", "renameColumn"), to: requireName(to, "the new name", "renameColumn") }, "renameColumn");
  },
  /** Changes a column to the given complete definition (type, nullability, default). */
  alterColumn(table: string, column: ColumnDef): void {
    requireName(table, "the table name", "alterColumn");
    if (!column || typeof column.name !== "string") throw new TypeError(`Schema.alterColumn("${table}"): pass the new column descriptor.`);
    recordOperation({ kind: "AlterColumn", table, column }, "alterColumn");
  },

  // ---- indexes and constraints ------------------------------------------------------
  createIndex(table: string, columns: Columns, options: IndexOptions = {}): void {
    requireName(table, "the table name", "createIndex");
    const list = requireColumns(columns, "createIndex");
    const unique = options.unique ?? false;
    recordOperation({
      kind: "CreateIndex",
      table,
      columns: list,
      name: options.name ?? generatedName(table, list, unique ? "key" : "idx"),
      unique,
      concurrently: options.concurrently ?? false,
      ...(options.where ? { where: options.where } : {}),
    }, "createIndex");
  },
  /** Drops an index by name, or by the columns it was created on (generated name). */
  dropIndex(table: string, nameOrColumns: Columns, options: { concurrently?: boolean; unique?: boolean } = {}): void {
    requireName(table, "the table name", "dropIndex");
    recordOperation({ kind: "DropIndex", table, ...named(table, nameOrColumns, options.unique ? "key" : "idx"), concurrently: options.concurrently ?? false }, "dropIndex");
  },
  addForeignKey(table: string, columns: Columns, refTable: string, refColumns: Columns = "id", options: ForeignKeyOptions = {}): void {
    requireName(table, "the table name", "addForeignKey");
    const list = requireColumns(columns, "addForeignKey");
    const where = `Schema.addForeignKey("${table}")`;
    recordOperation({
      kind: "AddForeignKey",
      table,
      columns: list,
      refTable: requireName(refTable, "the referenced table", "addForeignKey"),
      refColumns: requireColumns(refColumns, "addForeignKey"),
      name: options.name ?? generatedName(table, list, "fkey"),
      ...definedActions(options, where),
    }, "addForeignKey");
  },
  dropForeignKey(table: string, nameOrColumns: Columns): void {
    requireName(table, "the table name", "dropForeignKey");
    recordOperation({ kind: "DropForeignKey", table, ...named(table, nameOrColumns, "fkey") }, "dropForeignKey");
  },
  addUnique(table: string, columns: Columns, options: { name?: string } = {}): void {
    requireName(table, "the table name", "addUnique");
    const list = requireColumns(columns, "addUnique");
    recordOperation({ kind: "AddUnique", table, columns: list, name: options.name ?? generatedName(table, list, "key") }, "addUnique");
  },
  dropUnique(table: string, nameOrColumns: Columns): void {
    requireName(table, "the table name", "dropUnique");
    recordOperation({ kind: "DropUnique", table, ...named(table, nameOrColumns, "key") }, "dropUnique");
  },
  addCheck(table: string, name: string, expression: string): void {
    recordOperation({
      kind: "AddCheck",
      table: requireName(table, "the table name", "addCheck"),
      name: requireName(name, "the constraint name", "addCheck"),
      expression: requireName(expression, "the check expression", "addCheck"),
    }, "addCheck");
  },
  dropCheck(table: string, name: string): void {
    recordOperation({ kind: "DropCheck", table: requireName(table, "the table name", "dropCheck"), name: requireName(name, "the constraint name", "dropCheck") }, "dropCheck");
  },
  /** Raw SQL as written; give `downSql` to make it reversible without a down(). */
  raw(sql: string, downSql?: string): void {
    recordOperation({ kind: "Raw", sql: requireName(sql, "the SQL", "raw"), ...(downSql ? { downSql } : {}) }, "raw");
  },

  // ---- column descriptors ---------------------------------------------------------
  /** Auto-incrementing 64-bit primary key (bigint identity / BIGINT AUTO_INCREMENT / INTEGER PRIMARY KEY). */
  id(name = "id", options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "id", { ...options, primary: true, autoIncrement: true });
  },
  bigId(name = "id", options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "bigId", { ...options, primary: true, autoIncrement: true });
  },
  uuid(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "uuid", options);
  },
  /** Variable-length string; length defaults to 255. `Schema.string("code", 16)` or `{ length: 16 }`. */
  string(name: string, lengthOrOptions?: number | ColumnOptions, options: ColumnOptions = {}): ColumnDef {
    const opts = typeof lengthOrOptions === "object" ? lengthOrOptions : { ...options, length: lengthOrOptions ?? options.length };
    const length = opts.length ?? 255;
    if (!Number.isInteger(length) || length <= 0) throw new TypeError(`Schema.string("${name}"): length must be a positive integer, got ${length}.`);
    return createColumn(name, "string", { ...opts, length });
  },
  text(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "text", options);
  },
  integer(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "integer", options);
  },
  bigInteger(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "bigInteger", options);
  },
  smallInteger(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "smallInteger", options);
  },
  boolean(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "boolean", options);
  },
  /** Exact decimal; precision 10 and scale 2 by default. `Schema.decimal("price", 12, 4)`. */
  decimal(name: string, precisionOrOptions?: number | ColumnOptions, scale?: number, options: ColumnOptions = {}): ColumnDef {
    const opts = typeof precisionOrOptions === "object" ? precisionOrOptions : { ...options, precision: precisionOrOptions ?? options.precision, scale: scale ?? options.scale };
    const precision = opts.precision ?? 10;
    const s = opts.scale ?? 2;
    if (!Number.isInteger(precision) || precision <= 0 || !Number.isInteger(s) || s < 0 || s > precision) {
      throw new TypeError(`Schema.decimal("${name}"): precision must be a positive integer and scale between 0 and precision, got (${precision}, ${s}).`);
    }
    return createColumn(name, "decimal", { ...opts, precision, scale: s });
  },
  float(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "float", options);
  },
  double(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "double", options);
  },
  date(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "date", options);
  },
  time(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "time", options);
  },
  /** Timestamp; `{ tz: true }` (or `withTimezone`) stores the time zone where the dialect can. */
  timestamp(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "timestamp", options);
  },
  timestampTz(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "timestamp", { ...options, withTimezone: true });
  },
  json(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "json", options);
  },
  binary(name: string, options: ColumnOptions = {}): ColumnDef {
    return createColumn(name, "binary", options);
  },
  /** One of fixed string values: a native enum on MySQL, a check constraint elsewhere. */
  enum(name: string, values: readonly string[], options: ColumnOptions = {}): ColumnDef {
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== "string")) {
      throw new TypeError(`Schema.enum("${name}"): values must be a non-empty array of strings.`);
    }
    return createColumn(name, "enum", options, { values: Object.freeze([...values]) });
  },
  /** `created_at` and `updated_at`, not null, defaulting to the current time. */
  timestamps(options: ColumnOptions = {}): ColumnDef[] {
    const opts: ColumnOptions = { defaultRaw: "CURRENT_TIMESTAMP", ...options };
    return [createColumn("created_at", "timestamp", opts), createColumn("updated_at", "timestamp", opts)];
  },
  /** A bigint column referencing `refTable(refColumn)`, with a foreign key. */
  foreignKey(name: string, refTable: string, refColumn = "id", options: ColumnOptions & ForeignKeyOptions = {}): ColumnDef {
    const { name: constraintName, onDelete, onUpdate, ...rest } = options;
    return createColumn(name, "bigInteger", {
      ...rest,
      references: { table: refTable, column: refColumn, onDelete, onUpdate, name: constraintName },
    });
  },
} as const;

function definedActions(options: ForeignKeyOptions, where: string) {
  const onDelete = parseReferentialAction(options.onDelete, where);
  const onUpdate = parseReferentialAction(options.onUpdate, where);
  return { ...(onDelete ? { onDelete } : {}), ...(onUpdate ? { onUpdate } : {}) };
}
