import type { Dialect, Row, Session, Statement, TableInfo } from "../dialects/dialect.ts";
import { StrataError } from "../errors.ts";
import type { ResolvedTransform } from "./options.ts";

/**
 * Keyset chunks over the primary key, never OFFSET over the table: a chunk is the key range
 * (from, to], and the next boundary is found by walking the key index `size` entries past
 * the previous one. `to` null is the open-ended last chunk, which also takes rows inserted
 * at the end while the transform ran.
 */
export interface ChunkPlan {
  keys: string[];
  /** Columns read for the row function (keys first). */
  read: string[];
  /** Native type of every column, for PostgreSQL's casts. */
  types: Record<string, string>;
  /** Columns whose values arrive as JSON text and are parsed (SQLite). */
  jsonColumns: string[];
  /** `into`: the target table's columns; a column read is copied only where the target has it. */
  targetColumns?: ReadonlySet<string>;
}

export function planColumns(spec: ResolvedTransform, table: TableInfo, target: TableInfo | undefined): ChunkPlan {
  const keys = table.primaryKey;
  if (keys.length === 0) throw new StrataError("TRANSFORM_FAILED", `Table "${spec.table}" has no primary key; a transform walks the table by it.`, { hint: "Add a primary key (Schema.addUnique is not enough), or transform with plain SQL." });
  const known = new Set(table.columns.map((c) => c.name));
  for (const column of spec.columns) {
    if (!known.has(column)) throw new StrataError("TRANSFORM_FAILED", `Column "${column}" of this.transform("${spec.table}") does not exist.`, { hint: `Columns: ${[...known].join(", ")}.` });
  }
  const read = [...keys, ...spec.columns.filter((c) => !keys.includes(c))];
  const types: Record<string, string> = {};
  for (const c of [...table.columns, ...(target?.columns ?? [])]) types[c.name] ??= c.type;
  const jsonColumns = table.columns.filter((c) => /json/i.test(c.type) && read.includes(c.name)).map((c) => c.name);
  return { keys, read, types, jsonColumns, ...(target ? { targetColumns: new Set(target.columns.map((c) => c.name)) } : {}) };
}

/** The chunk SQL of a transform, from its table (and `into` target) as the session sees them. */
export async function prepareChunks(dialect: Dialect, session: Session, spec: ResolvedTransform): Promise<{ sql: ChunkSql; keys: string[] }> {
  const table = await dialect.introspector.table(session, spec.table);
  if (!table) throw new StrataError("TRANSFORM_FAILED", `this.transform(): table "${spec.table}" does not exist.`, { hint: "Create it in an earlier migration (or earlier in this one)." });
  const target = spec.into ? await dialect.introspector.table(session, spec.into) : undefined;
  if (spec.into && !target) throw new StrataError("TRANSFORM_FAILED", `this.transform(): target table "${spec.into}" (into) does not exist.`, { hint: "Create it before the transform, with the key and the columns the row function returns." });
  const plan = planColumns(spec, table, target);
  return { sql: new ChunkSql(dialect, spec, plan), keys: plan.keys };
}

export class ChunkSql {
  readonly #dialect: Dialect;
  readonly #spec: ResolvedTransform;
  readonly #plan: ChunkPlan;

  constructor(dialect: Dialect, spec: ResolvedTransform, plan: ChunkPlan) {
    this.#dialect = dialect;
    this.#spec = spec;
    this.#plan = plan;
  }

  get #c() {
    return this.#dialect.compiler;
  }

  #keyList(prefix = ""): string {
    return this.#plan.keys.map((k) => `${prefix}${this.#c.quoteIdentifier(k)}`).join(", ");
  }

  /** The range condition (from, to] and the transform's filter, with parameters from `first`. */
  #range(from: unknown[] | null, to: unknown[] | null, first: number): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    const n = this.#plan.keys.length;
    if (from) {
      parts.push(this.#c.keysetCondition(this.#plan.keys, ">", first + params.length));
      params.push(...expand(from, n, this.#dialect.name));
    }
    if (to) {
      parts.push(this.#c.keysetCondition(this.#plan.keys, "<=", first + params.length));
      params.push(...expand(to, n, this.#dialect.name));
    }
    if (this.#spec.where) parts.push(`(${this.#spec.where})`);
    return { sql: parts.length ? ` where ${parts.join(" and ")}` : "", params };
  }

  /** The key `size` rows after `from`, or undefined when fewer rows remain. */
  async nextBoundary(session: Session, from: unknown[] | null, size: number): Promise<unknown[] | undefined> {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (from) {
      parts.push(this.#c.keysetCondition(this.#plan.keys, ">", 1));
      params.push(...expand(from, this.#plan.keys.length, this.#dialect.name));
    }
    const sql = `select ${this.#keyList()} from ${this.#c.quoteTable(this.#spec.table)}${parts.length ? ` where ${parts[0]}` : ""} order by ${this.#keyList()} limit 1 offset ${Math.max(0, size - 1)}`;
    const row = (await session.execute(sql, params)).rows[0];
    return row ? this.#plan.keys.map((k) => row[k]) : undefined;
  }

  async countRows(session: Session): Promise<number> {
    const filter = this.#spec.where ? ` where (${this.#spec.where})` : "";
    const { rows } = await session.execute(`select count(*) as n from ${this.#c.quoteTable(this.#spec.table)}${filter}`);
    return Number(rows[0]?.n ?? 0);
  }

  async read(session: Session, from: unknown[] | null, to: unknown[] | null, limit?: number): Promise<Row[]> {
    const range = this.#range(from, to, 1);
    const columns = this.#plan.read.map((c) => this.#c.quoteIdentifier(c)).join(", ");
    const sql = `select ${columns} from ${this.#c.quoteTable(this.#spec.table)}${range.sql} order by ${this.#keyList()}${limit ? ` limit ${limit}` : ""}`;
    const rows = (await session.execute(sql, range.params)).rows;
    if (this.#plan.jsonColumns.length) for (const row of rows) for (const c of this.#plan.jsonColumns) row[c] = parseJson(row[c]);
    return rows;
  }

  /** `{ set }`: one UPDATE over the chunk's key range, no rows read. */
  setStatement(from: unknown[] | null, to: unknown[] | null): Statement {
    const set = Object.entries(this.#spec.set!).map(([column, expression]) => `${this.#c.quoteIdentifier(column)} = ${expression}`);
    const range = this.#range(from, to, 1);
    return { sql: `update ${this.#c.quoteTable(this.#spec.table)} set ${set.join(", ")}${range.sql}`, params: range.params };
  }

  /** The write-back of one chunk: results grouped by the columns they set (usually one group, one statement). */
  writeStatements(rows: readonly Row[], results: readonly (Row | null)[]): { statements: Statement[]; changed: number } {
    const keys = this.#plan.keys;
    if (this.#spec.into) return this.#insertStatements(rows, results);
    const groups = new Map<string, { columns: string[]; values: unknown[][] }>();
    let changed = 0;
    results.forEach((result, i) => {
      if (!result) return;
      const columns = Object.keys(result).filter((c) => !keys.includes(c) && result[c] !== undefined);
      if (columns.length === 0) return;
      const signature = columns.join("\u0000");
      let group = groups.get(signature);
      if (!group) groups.set(signature, (group = { columns, values: [] }));
      group.values.push([...keys.map((k) => rows[i][k]), ...columns.map((c) => result[c])]);
      changed++;
    });
    const statements = [...groups.values()].flatMap((g) => this.#c.compileBulkUpdate(this.#spec.table, keys, g.columns, g.values, this.#plan.types));
    return { statements, changed };
  }

  /**
   * `into`: the read row's columns the target has, with the function's values (all of them:
   * one the target lacks is an error, not a value dropped), inserted into the target table.
   */
  #insertStatements(rows: readonly Row[], results: readonly (Row | null)[]): { statements: Statement[]; changed: number } {
    const target = this.#plan.targetColumns!;
    const merged = rows.map((row, i) => {
      const copied: Row = {};
      for (const column of Object.keys(row)) if (target.has(column)) copied[column] = row[column];
      return { ...copied, ...(results[i] ?? {}) };
    });
    const groups = new Map<string, { columns: string[]; values: unknown[][] }>();
    for (const row of merged) {
      const columns = Object.keys(row).filter((c) => row[c] !== undefined);
      const signature = columns.join("\u0000");
      let group = groups.get(signature);
      if (!group) groups.set(signature, (group = { columns, values: [] }));
      group.values.push(columns.map((c) => row[c]));
    }
    const statements: Statement[] = [];
    for (const { columns, values } of groups.values()) {
      const per = Math.max(1, Math.floor(this.#dialect.adapter.maxParameters / columns.length));
      for (let i = 0; i < values.length; i += per) {
        statements.push(this.#c.compileQuery({ kind: "insert", table: this.#spec.into!, columns, rows: values.slice(i, i + per) }));
      }
    }
    return { statements, changed: merged.length };
  }
}

/** MySQL's expanded keyset condition repeats the leading key values (see MysqlCompiler.keysetCondition). */
function expand(key: readonly unknown[], n: number, dialect: string): unknown[] {
  if (n === 1 || dialect !== "mysql") return [...key];
  return key.flatMap((_, i) => key.slice(0, i + 1));
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
