import type { Row, Statement } from "../dialects/dialect.ts";
import { COMPARISON_OPERATORS, type ComparisonOperator, type Condition, type OrderBy, type Query } from "../schema/query.ts";

/** Runs one compiled statement for `this.db` (the migration context flushes pending schema operations first). */
export interface StatementRunner {
  run(statement: Statement): Promise<{ rows: Row[]; rowCount: number }>;
  compile(query: Query): Statement;
  placeholder(index: number): string;
  /** Most bound parameters per statement. */
  readonly maxParameters: number;
}

export type WhereInput = Record<string, unknown>;

/**
 * `this.db` inside migrations and seeders: a small query builder over one table, and the
 * `sql` tag for parameterised raw SQL. Builders are immutable: each call returns a new one.
 */
export interface Db {
  table<T extends Row = Row>(name: string): TableQuery<T>;
  /** Tagged template: every `${value}` becomes a bound parameter. Resolves with the rows. */
  sql<T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /** Raw SQL with `?` placeholders for `params` (converted to the dialect's markers). */
  raw<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface InsertManyOptions {
  /** Rows per INSERT statement (default 500, lowered to fit the database's parameter limit). */
  chunkSize?: number;
}

export class TableQuery<T extends Row = Row> {
  readonly #runner: StatementRunner;
  readonly #table: string;
  readonly #where: readonly Condition[];
  readonly #orderBy: readonly OrderBy[];
  readonly #limit?: number;
  readonly #offset?: number;

  constructor(runner: StatementRunner, table: string, where: readonly Condition[] = [], orderBy: readonly OrderBy[] = [], limit?: number, offset?: number) {
    if (typeof table !== "string" || table === "") throw new TypeError(`db.table(): the table name must be a non-empty string, got ${JSON.stringify(table)}.`);
    this.#runner = runner;
    this.#table = table;
    this.#where = where;
    this.#orderBy = orderBy;
    this.#limit = limit;
    this.#offset = offset;
  }

  #with(changes: { where?: readonly Condition[]; orderBy?: readonly OrderBy[]; limit?: number; offset?: number }): TableQuery<T> {
    return new TableQuery<T>(this.#runner, this.#table, changes.where ?? this.#where, changes.orderBy ?? this.#orderBy, "limit" in changes ? changes.limit : this.#limit, "offset" in changes ? changes.offset : this.#offset);
  }

  /** `where({ id: 1, deleted_at: null })`, `where("age", 18)`, `where("age", ">", 18)`, `where("id", "in", [1, 2])`. */
  where(column: string | WhereInput, opOrValue?: unknown, value?: unknown): TableQuery<T> {
    const added: Condition[] = [];
    if (typeof column === "object" && column !== null) {
      for (const [key, v] of Object.entries(column)) added.push(equality(key, v));
    } else if (arguments.length === 2) {
      added.push(equality(column, opOrValue));
    } else {
      const op = String(opOrValue).toLowerCase() as ComparisonOperator;
      if (!COMPARISON_OPERATORS.includes(op)) throw new TypeError(`db.table("${this.#table}").where(): operator "${String(opOrValue)}" is not one of ${COMPARISON_OPERATORS.join(", ")}.`);
      if ((op === "in" || op === "not in") && !Array.isArray(value)) throw new TypeError(`db.table("${this.#table}").where("${column}", "${op}", ...): pass an array.`);
      added.push({ column, op, value });
    }
    return this.#with({ where: [...this.#where, ...added] });
  }

  whereIn(column: string, values: readonly unknown[]): TableQuery<T> {
    return this.where(column, "in", values);
  }

  whereNull(column: string): TableQuery<T> {
    return this.#with({ where: [...this.#where, { column, op: "is null" }] });
  }

  whereNotNull(column: string): TableQuery<T> {
    return this.#with({ where: [...this.#where, { column, op: "is not null" }] });
  }

  orderBy(column: string, direction: "asc" | "desc" = "asc"): TableQuery<T> {
    return this.#with({ orderBy: [...this.#orderBy, { column, direction: direction === "desc" ? "desc" : "asc" }] });
  }

  limit(count: number): TableQuery<T> {
    return this.#with({ limit: count });
  }

  offset(count: number): TableQuery<T> {
    return this.#with({ offset: count });
  }

  async select(columns: readonly string[] | "*" = "*"): Promise<T[]> {
    const ordered = this.#orderBy.length > 0 || this.#limit !== undefined || this.#offset !== undefined;
    const rows: T[] = [];
    for (const where of this.#wherePieces(0, ordered ? "select() with orderBy, limit or offset" : undefined)) {
      const query: Query = { kind: "select", table: this.#table, columns, where, orderBy: this.#orderBy, limit: this.#limit, offset: this.#offset };
      rows.push(...((await this.#runner.run(this.#runner.compile(query))).rows as T[]));
    }
    return rows;
  }

  /**
   * The where clause as statements that fit the database's parameter limit: an `in` list
   * too long for one statement is split (its values deduplicated), one statement per piece;
   * each row matches one piece at most. `refuse` names an operation whose result pieces
   * cannot make up (a `not in` list cannot be split at all).
   */
  #wherePieces(otherParameters: number, refuse?: string): (readonly Condition[])[] {
    const size = (c: Condition) => (c.op === "in" || c.op === "not in" ? (c.value as readonly unknown[]).length : c.op === "is null" || c.op === "is not null" ? 0 : 1);
    const total = this.#where.reduce((n, c) => n + size(c), otherParameters);
    if (total <= this.#runner.maxParameters) return [this.#where];
    const largest = this.#where.reduce((best, c, i) => (size(c) > size(this.#where[best]) ? i : best), 0);
    const list = this.#where[largest];
    const room = this.#runner.maxParameters - (total - size(list));
    const tooMany = `db.table("${this.#table}"): ${total} bound values do not fit in one statement (at most ${this.#runner.maxParameters} here)`;
    if (list.op !== "in" || room < 1) throw new TypeError(`${tooMany}: only one long "in" list can be split.`);
    if (refuse) throw new TypeError(`${tooMany}: ${refuse} cannot be split; select in pieces of at most ${room} values.`);
    const values = [...new Set(list.value as readonly unknown[])];
    const pieces: (readonly Condition[])[] = [];
    for (let i = 0; i < values.length; i += room) pieces.push(this.#where.map((c, j) => (j === largest ? { ...c, value: values.slice(i, i + room) } : c)));
    return pieces;
  }

  async first(columns: readonly string[] | "*" = "*"): Promise<T | undefined> {
    return (await this.limit(1).select(columns))[0];
  }

  async count(): Promise<number> {
    let count = 0;
    for (const where of this.#wherePieces(0)) {
      const row = (await this.#runner.run(this.#runner.compile({ kind: "select", table: this.#table, columns: "*", where, orderBy: [], count: true }))).rows[0];
      count += Number(row ? Object.values(row)[0] : 0);
    }
    return count;
  }

  /** Inserts one row or an array of rows. Resolves with the number of rows inserted. */
  insert(rows: Partial<T> | readonly Partial<T>[]): Promise<number> {
    return this.insertMany(Array.isArray(rows) ? rows : [rows as Partial<T>]);
  }

  /**
   * Inserts rows in chunks, one statement per chunk, in the order given. Consecutive rows
   * with the same keys share a statement; a missing key takes the column default, not NULL.
   */
  async insertMany(rows: readonly Partial<T>[], options: InsertManyOptions = {}): Promise<number> {
    if (!Array.isArray(rows)) throw new TypeError(`db.table("${this.#table}").insertMany(): pass an array of row objects.`);
    const groups: { key: string; columns: string[]; rows: unknown[][] }[] = [];
    for (const row of rows) {
      if (row === null || typeof row !== "object" || Array.isArray(row)) throw new TypeError(`db.table("${this.#table}").insertMany(): every row must be an object of column -> value.`);
      const columns = Object.keys(row).filter((k) => (row as Row)[k] !== undefined);
      if (columns.length === 0) throw new TypeError(`db.table("${this.#table}").insertMany(): a row has no columns.`);
      const key = columns.join("\u0000");
      let group = groups[groups.length - 1];
      if (group?.key !== key) groups.push((group = { key, columns, rows: [] }));
      group.rows.push(columns.map((c) => (row as Row)[c]));
    }
    let inserted = 0;
    for (const { columns, rows: values } of groups) {
      const fit = Math.max(1, Math.floor(this.#runner.maxParameters / columns.length));
      const size = Math.max(1, Math.min(options.chunkSize ?? 500, fit));
      for (let i = 0; i < values.length; i += size) {
        const chunk = values.slice(i, i + size);
        await this.#runner.run(this.#runner.compile({ kind: "insert", table: this.#table, columns, rows: chunk }));
        inserted += chunk.length;
      }
    }
    return inserted;
  }

  /** Updates the rows matching the where clause. Resolves with the number of rows changed. */
  async update(values: Partial<T>): Promise<number> {
    const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length === 0) throw new TypeError(`db.table("${this.#table}").update(): pass at least one column to set.`);
    let changed = 0;
    for (const where of this.#wherePieces(Object.keys(defined).length)) changed += (await this.#runner.run(this.#runner.compile({ kind: "update", table: this.#table, values: defined, where }))).rowCount;
    return changed;
  }

  /** Deletes the rows matching the where clause. Resolves with the number of rows deleted. */
  async delete(): Promise<number> {
    let deleted = 0;
    for (const where of this.#wherePieces(0)) deleted += (await this.#runner.run(this.#runner.compile({ kind: "delete", table: this.#table, where }))).rowCount;
    return deleted;
  }
}

function equality(column: string, value: unknown): Condition {
  if (value === null) return { column, op: "is null" };
  if (Array.isArray(value)) return { column, op: "in", value };
  return { column, op: "=", value };
}

const QUOTED_OR_QUESTION_MARK = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/|\?/g;

/** The `this.db` object over a statement runner. */
export function createDb(runner: StatementRunner): Db {
  const raw = async <T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> => {
    let index = 0;
    // A `?` inside a string, a quoted name, a dollar-quoted body or a comment is text, not a parameter.
    const text = runner.placeholder(1) === "?" ? sql : sql.replace(QUOTED_OR_QUESTION_MARK, (m) => (m === "?" ? runner.placeholder(++index) : m));
    return (await runner.run({ sql: text, params })).rows as T[];
  };
  return {
    table: <T extends Row>(name: string) => new TableQuery<T>(runner, name),
    sql<T extends Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> {
      let text = strings[0];
      for (let i = 0; i < values.length; i++) text += runner.placeholder(i + 1) + strings[i + 1];
      return runner.run({ sql: text, params: values }).then((r) => r.rows as T[]);
    },
    raw,
  };
}
