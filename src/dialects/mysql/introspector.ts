import type { ReferentialAction } from "../../schema/columns.ts";
import type { CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, Introspector, Row, SchemaInfo, Session, TableInfo } from "../dialect.ts";
import { atLeast, detectServer, type MysqlServerState } from "./server.ts";

const TABLE_TYPES = "('BASE TABLE', 'SYSTEM VERSIONED')";
const ACTIONS: Record<string, ReferentialAction> = {
  CASCADE: "cascade",
  RESTRICT: "restrict",
  "SET NULL": "set null",
  "SET DEFAULT": "set default",
  "NO ACTION": "no action",
};

/** information_schema values may arrive as Buffers (binary columns on MySQL 8); names are compared exactly. */
const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString("utf8") : String(value ?? ""));
const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : text(value));

/**
 * The current database's tables from information_schema. Every query aliases its
 * columns (MySQL 8 returns information_schema labels in upper case) and filters rows by
 * exact name in JS, because information_schema compares names case-insensitively while
 * table names are case-sensitive on most Unix servers.
 */
export class MysqlIntrospector implements Introspector {
  readonly #state: MysqlServerState;

  constructor(state: MysqlServerState) {
    this.#state = state;
  }

  async listTables(session: Session): Promise<string[]> {
    const { rows } = await session.execute(`select table_name as name from information_schema.tables where table_schema = database() and table_type in ${TABLE_TYPES}`);
    return rows.map((r) => text(r.name)).sort();
  }

  async table(session: Session, name: string): Promise<TableInfo | undefined> {
    const exact = (rows: Row[]) => rows.filter((r) => text(r.tbl) === name);
    const tables = exact((await session.execute(
      `select table_name as tbl, table_comment as comment from information_schema.tables where table_schema = database() and table_type in ${TABLE_TYPES} and table_name = ?`,
      [name],
    )).rows);
    if (tables.length === 0) return undefined;
    const checks = await this.#checks(session, name);
    const jsonColumns = new Set(checks.filter((c) => c.auto).map((c) => c.name));
    const columns = exact((await session.execute(
      `select table_name as tbl, column_name as name, column_type as type, is_nullable as nullable, column_default as dflt, extra as extra, column_comment as comment
       from information_schema.columns where table_schema = database() and table_name = ? order by ordinal_position`,
      [name],
    )).rows).map((r) => toColumn(r, jsonColumns));
    const server = await detectServer(session, this.#state);
    // Functional indexes (an EXPRESSION column instead of a column name): MySQL 8.0.13+ only.
    const expression = server.flavour === "mysql" && atLeast(server, 8, 0, 13) ? "expression" : "null";
    const statistics = exact((await session.execute(
      `select table_name as tbl, index_name as name, column_name as col, ${expression} as expr, non_unique as non_unique
       from information_schema.statistics where table_schema = database() and table_name = ? order by index_name, seq_in_index`,
      [name],
    )).rows);
    const { primaryKey, indexes } = toIndexes(statistics);
    const foreignKeys = toForeignKeys(exact((await session.execute(
      `select k.table_name as tbl, k.constraint_name as name, k.column_name as col, k.referenced_table_name as ref_table, k.referenced_column_name as ref_col,
              r.delete_rule as on_delete, r.update_rule as on_update
       from information_schema.key_column_usage k
       join information_schema.referential_constraints r
         on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name and r.table_name = k.table_name
       where k.table_schema = database() and k.table_name = ? and k.referenced_table_name is not null
       order by k.constraint_name, k.ordinal_position`,
      [name],
    )).rows));
    const comment = text(tables[0].comment);
    return {
      name,
      columns,
      primaryKey,
      indexes,
      foreignKeys,
      checks: checks.filter((c) => !c.auto).map(({ name: n, expression }) => ({ name: n, expression })),
      ...(comment ? { comment } : {}),
    };
  }

  async schema(session: Session, options: { exclude?: readonly string[] } = {}): Promise<SchemaInfo> {
    const exclude = new Set(options.exclude ?? []);
    const tables: TableInfo[] = [];
    for (const name of await this.listTables(session)) {
      if (exclude.has(name)) continue;
      const info = await this.table(session, name);
      if (info) tables.push(info);
    }
    return { tables };
  }

  /**
   * MariaDB lists check constraints with their table (names are per table there) and
   * marks column-level ones; the `json_valid(col)` check its JSON alias adds is flagged
   * `auto`. MySQL names checks per schema and lists them with their table only in
   * table_constraints.
   */
  async #checks(session: Session, table: string): Promise<(CheckInfo & { auto: boolean })[]> {
    const info = await detectServer(session, this.#state);
    // MySQL parsed and ignored CHECK before 8.0.16; there is no table to read.
    if (info.flavour === "mysql" && !atLeast(info, 8, 0, 16)) return [];
    const sql = info.flavour === "mariadb"
      ? `select table_name as tbl, constraint_name as name, check_clause as clause, level as level from information_schema.check_constraints
         where constraint_schema = database() and table_name = ? order by constraint_name`
      : `select tc.table_name as tbl, tc.constraint_name as name, cc.check_clause as clause, 'Table' as level
         from information_schema.table_constraints tc
         join information_schema.check_constraints cc on cc.constraint_schema = tc.constraint_schema and cc.constraint_name = tc.constraint_name
         where tc.table_schema = database() and tc.table_name = ? and tc.constraint_type = 'CHECK' order by tc.constraint_name`;
    const { rows } = await session.execute(sql, [table]);
    return rows.filter((r) => text(r.tbl) === table).map((r) => {
      const name = text(r.name);
      const expression = text(r.clause);
      const auto = text(r.level) === "Column" && expression === `json_valid(\`${name.replace(/`/g, "``")}\`)`;
      return { name, expression, auto };
    });
  }
}

function toColumn(row: Row, jsonColumns: ReadonlySet<string>): ColumnInfo {
  const name = text(row.name);
  const extra = text(row.extra).toLowerCase();
  const comment = text(row.comment);
  return {
    name,
    type: jsonColumns.has(name) ? "json" : normalizeType(text(row.type)),
    nullable: text(row.nullable) === "YES",
    default: normalizeDefault(nullableText(row.dflt)),
    autoIncrement: extra.includes("auto_increment"),
    ...(comment ? { comment } : {}),
  };
}

/** Display widths are gone in MySQL 8.0.19+ and mean nothing; MariaDB still prints them. tinyint(1) keeps its width: it is the boolean. */
export function normalizeType(type: string): string {
  const lower = type.toLowerCase();
  if (/^tinyint\(1\)/.test(lower)) return lower;
  return lower.replace(/^(tinyint|smallint|mediumint|int|integer|bigint|year)\(\d+\)/, "$1");
}

/** MariaDB 10.2.7+ reports a column without a default as the text NULL (a NULL literal default reads 'NULL' in quotes). */
function normalizeDefault(value: string | null): string | null {
  return value === null || value === "NULL" ? null : value;
}

function toIndexes(rows: Row[]): { primaryKey: string[]; indexes: IndexInfo[] } {
  const byName = new Map<string, IndexInfo>();
  const primaryKey: string[] = [];
  for (const row of rows) {
    const name = text(row.name);
    const column = row.col == null ? `(${text(row.expr)})` : text(row.col);
    if (name === "PRIMARY") {
      primaryKey.push(column);
      continue;
    }
    const index = byName.get(name) ?? { name, columns: [], unique: Number(row.non_unique) === 0 };
    index.columns.push(column);
    byName.set(name, index);
  }
  return { primaryKey, indexes: [...byName.values()] };
}

function toForeignKeys(rows: Row[]): ForeignKeyInfo[] {
  const byName = new Map<string, ForeignKeyInfo>();
  for (const row of rows) {
    const name = text(row.name);
    let fk = byName.get(name);
    if (!fk) {
      fk = { name, columns: [], refTable: text(row.ref_table), refColumns: [], onDelete: action(row.on_delete), onUpdate: action(row.on_update) };
      byName.set(name, fk);
    }
    fk.columns.push(text(row.col));
    fk.refColumns.push(text(row.ref_col));
  }
  return [...byName.values()];
}

function action(rule: unknown): ReferentialAction {
  return ACTIONS[text(rule).toUpperCase()] ?? "no action";
}
