import type { ColumnDef } from "../../schema/columns.ts";
import { generatedName } from "../../schema/names.ts";
import type { CreateTable, Operation } from "../../schema/operations.ts";
import { errors } from "../../errors.ts";
import { BaseCompiler } from "../base-compiler.ts";
import type { Catalog, Statement } from "../dialect.ts";
import type { SplitOptions } from "../split-statements.ts";
import { longIdentifiers } from "./identifiers.ts";
import { postgresColumnType } from "./types.ts";

const stmt = (sql: string): Statement => ({ sql, params: [] });

export interface PostgresCompilerOptions {
  /** The schema strata manages; its tables are written schema-qualified. */
  readonly schema?: string;
}

/**
 * PostgreSQL: `$n` placeholders, double-quoted identifiers of at most 63 bytes (PostgreSQL
 * silently truncates longer ones, so they are refused before anything runs), comments as
 * COMMENT ON statements, and CREATE INDEX CONCURRENTLY that cleans up after a failed try.
 */
export class PostgresCompiler extends BaseCompiler {
  protected readonly maxIdentifierLength = 63;
  protected override readonly splitOptions: SplitOptions = { dollarQuotes: true, escapeStrings: true, nestedComments: true };

  override checkSqlIdentifiers(sql: string): void {
    const [name] = longIdentifiers(sql, this.maxIdentifierLength);
    if (name !== undefined) throw errors.identifierInvalid(name, `is ${Buffer.byteLength(name)} bytes long; PostgreSQL keeps at most ${this.maxIdentifierLength} and would silently cut it.`);
  }
  readonly #schema: string | undefined;
  /** current_schema() of the first session, where strata's tables live when no schema is configured. */
  homeSchema?: string;

  constructor(options: PostgresCompilerOptions = {}) {
    super();
    this.#schema = options.schema;
  }

  /** PostgreSQL has no `replace into`: an upsert on the key does the same. */
  protected override replacing(values: string, columns: readonly string[], key: readonly string[]): string {
    const sets = columns.filter((c) => !key.includes(c)).map((c) => `${this.quoteIdentifier(c)} = excluded.${this.quoteIdentifier(c)}`);
    return `insert into ${values} on conflict (${this.quoteList(key)}) do ${sets.length ? `update set ${sets.join(", ")}` : "nothing"}`;
  }

  override quoteOwnTable(name: string): string {
    const schema = this.#schema ?? this.homeSchema;
    return schema === undefined ? this.quoteIdentifier(name) : `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(name)}`;
  }

  /**
   * `update t set c = v.c from unnest($1::bigint[], $2::text[]) as v(k, c) where t.k = v.k`:
   * one statement and one parameter per column whatever the chunk size. Arrays travel as
   * PostgreSQL array literals, cast to the columns' own types.
   */
  override compileBulkUpdate(table: string, keyColumns: readonly string[], columns: readonly string[], rows: readonly (readonly unknown[])[], types: Readonly<Record<string, string>>): Statement[] {
    if (rows.length === 0) return [];
    const all = [...keyColumns, ...columns];
    const arrays = all.map((column, i) => `${this.placeholder(i + 1)}::${arrayType(types[column] ?? "text")}`);
    const sets = columns.map((c) => `${this.quoteIdentifier(c)} = v.${this.quoteIdentifier(c)}`).join(", ");
    const join = keyColumns.map((k) => `t.${this.quoteIdentifier(k)} = v.${this.quoteIdentifier(k)}`).join(" and ");
    // The rows come in key order: their first and last keys bound the table's side of the
    // join. Without the bound a merge join walks the key index from its start, every chunk.
    const tuple = (items: string[]) => (items.length === 1 ? items[0] : `(${items.join(", ")})`);
    const bound = (offset: number) => tuple(keyColumns.map((k, i) => `${this.placeholder(offset + i + 1)}::${types[k] ?? "text"}`));
    const key = tuple(keyColumns.map((k) => `t.${this.quoteIdentifier(k)}`));
    const range = `${key} >= ${bound(all.length)} and ${key} <= ${bound(all.length + keyColumns.length)}`;
    const sql = `update ${this.quoteTable(table)} as t set ${sets} from unnest(${arrays.join(", ")}) as v(${this.quoteList(all)}) where ${join} and ${range}`;
    const keysOf = (row: readonly unknown[]) => row.slice(0, keyColumns.length);
    return [{ sql, params: [...all.map((_, i) => arrayLiteral(rows.map((row) => row[i]))), ...keysOf(rows[0]), ...keysOf(rows[rows.length - 1])] }];
  }

  override placeholder(index: number): string {
    return `$${index}`;
  }

  override quoteTable(name: string): string {
    return this.qualified(name);
  }

  /** A name in the managed schema (tables, and indexes in DROP INDEX). */
  protected qualified(name: string): string {
    const quoted = this.quoteIdentifier(name);
    return this.#schema === undefined ? quoted : `${this.quoteIdentifier(this.#schema)}.${quoted}`;
  }

  columnType(column: ColumnDef): string {
    return postgresColumnType(column);
  }

  /**
   * With standard_conforming_strings off (a server setting), a backslash in '...' is an
   * escape; an E'...' string with backslashes doubled reads the same under either setting.
   */
  protected override stringLiteral(value: string): string {
    const quoted = value.replace(/'/g, "''");
    return value.includes("\\") ? `E'${quoted.replace(/\\/g, "\\\\")}'` : `'${quoted}'`;
  }

  protected autoIncrementPrimaryKey(_column: ColumnDef): string {
    return "generated by default as identity primary key";
  }

  /** OFFSET without LIMIT: PostgreSQL rejects a negative LIMIT but takes LIMIT ALL. */
  protected override unlimited(): string {
    return "all";
  }

  override async compileOperation(op: Operation, catalog: Catalog): Promise<Statement[]> {
    if (op.kind === "CreateIndex") {
      const out: Statement[] = [];
      // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index under the name; PostgreSQL
      // never uses it but keeps maintaining it, and a retry would fail with "already exists".
      const existing = (await catalog.table(op.table))?.indexes.find((i) => i.name === op.name);
      if (existing?.valid === false) out.push(stmt(`drop index ${op.concurrently ? "concurrently " : ""}if exists ${this.qualified(op.name)}`));
      out.push(this.createIndex(op.table, op.name, op.columns, op.unique, op.where, op.concurrently));
      return out;
    }
    return super.compileOperation(op, catalog);
  }

  protected override afterCreateTable(op: CreateTable): Statement[] {
    const out = super.afterCreateTable(op);
    if (op.comment !== undefined) out.push(stmt(`comment on table ${this.quoteTable(op.table)} is ${this.stringLiteral(op.comment)}`));
    for (const column of op.columns) {
      if (column.comment !== undefined) out.push(this.columnComment(op.table, column.name, column.comment));
    }
    return out;
  }

  protected override async addColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]> {
    const out = await super.addColumn(table, column, catalog);
    if (column.comment !== undefined) out.push(this.columnComment(table, column.name, column.comment));
    return out;
  }

  protected columnComment(table: string, column: string, comment: string | null): Statement {
    const text = comment === null ? "null" : this.stringLiteral(comment);
    return stmt(`comment on column ${this.quoteTable(table)}.${this.quoteIdentifier(column)} is ${text}`);
  }

  protected override dropIndex(_table: string, name: string, concurrently: boolean): Statement {
    return stmt(`drop index ${concurrently ? "concurrently " : ""}${this.qualified(name)}`);
  }

  /**
   * One ALTER TABLE, so the change is all or nothing. PostgreSQL runs the subcommands in
   * passes, not in the written order: DROP DEFAULT and DROP CONSTRAINT first, then the type
   * change, then SET DEFAULT and ADD CONSTRAINT. Dropping the old default first means a
   * default that cannot be cast to the new type does not fail the type change.
   */
  protected async alterColumn(table: string, column: ColumnDef, catalog: Catalog): Promise<Statement[]> {
    const current = await catalog.table(table);
    const existing = current?.columns.find((c) => c.name === column.name);
    const c = this.quoteIdentifier(column.name);
    const type = this.columnType(column);
    const checkName = generatedName(table, [column.name], "check");
    // The enum check is found by what it checks: its name may come from the table's or the column's old name.
    const enumChecks = current?.checks.filter((k) => k.name === checkName || isEnumCheckOf(k.expression, column.name)).map((k) => k.name) ?? [checkName];
    const actions: string[] = [];
    if (column.type === "enum" && !enumChecks.includes(checkName)) enumChecks.push(checkName);
    for (const name of enumChecks) actions.push(`drop constraint if exists ${this.quoteIdentifier(name)}`);
    // An identity column has no default to drop: PostgreSQL refuses DROP DEFAULT on it.
    if (!column.autoIncrement && existing?.autoIncrement !== true) actions.push(`alter column ${c} drop default`);
    // Not when the type stays: PostgreSQL refuses any type change of a column a view uses.
    if (existing?.type !== formatType(type)) actions.push(`alter column ${c} type ${type} using ${c}::${type}`);
    // A primary key column is NOT NULL by definition; PostgreSQL refuses DROP NOT NULL on it.
    if (!column.primary && !current?.primaryKey.includes(column.name)) actions.push(`alter column ${c} ${column.nullable ? "drop" : "set"} not null`);
    if (column.default && !column.autoIncrement) actions.push(`alter column ${c} set default ${this.defaultValue(column)}`);
    const enumCheck = this.inlineEnumCheck(table, column);
    if (enumCheck) actions.push(`add ${enumCheck}`);
    const out = [stmt(`alter table ${this.quoteTable(table)} ${actions.join(", ")}`)];
    if (column.comment !== undefined) out.push(this.columnComment(table, column.name, column.comment));
    else if (existing?.comment) out.push(this.columnComment(table, column.name, null));
    out.push(...this.missingColumnConstraints(table, column, current));
    return out;
  }
}

/** Whether a check (as pg_get_constraintdef shows it) is an enum's: `kind = ANY (ARRAY['a'::text, ...])`. */
function isEnumCheckOf(expression: string, column: string): boolean {
  // Bare, or double-quoted where the name needs it (capitals, a reserved word).
  return [column, `"${column.replace(/"/g, '""')}"`].some((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^\\(*${escaped}\\)?(?:::text)? = ANY \\(ARRAY\\[`).test(expression);
  });
}

/** A type as strata writes it, as format_type() reads it back: `varchar(9)` -> `character varying(9)`. */
function formatType(type: string): string {
  const time = /^(timestamp|time)(tz)?(\(\d+\))?$/.exec(type);
  if (time) return `${time[1]}${time[3] ?? ""} ${time[2] ? "with" : "without"} time zone`;
  return type.replace(/^varchar\(/, "character varying(");
}

/** `character varying(255)` -> `character varying(255)[]`; array columns stay as they are. */
function arrayType(type: string): string {
  return type.endsWith("[]") ? type : `${type}[]`;
}

/** A PostgreSQL array literal: every element double-quoted and escaped, NULL bare. */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((value) => {
    if (value === null || value === undefined) return "NULL";
    const text = elementText(value);
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

function elementText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
