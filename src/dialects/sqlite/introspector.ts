import type { ReferentialAction } from "../../schema/columns.ts";
import { generatedName } from "../../schema/names.ts";
import type { CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, Introspector, Row, SchemaInfo, Session, TableInfo } from "../dialect.ts";
import { parseCreateIndex, parseCreateTable, type ParsedTable } from "./parse-create-table.ts";
import { attachSource, namedConstraints, sameName, type NamedConstraint } from "./table-source.ts";

const text = (value: unknown): string => (value === null || value === undefined ? "" : String(value));
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The live schema from sqlite_master and the table-valued pragma functions. Constraint
 * names and CHECK expressions are not reported by any pragma, so they are read from the
 * stored CREATE TABLE text. Each TableInfo carries that text (see table-source.ts) for the
 * compiler's table rebuilds.
 */
export class SqliteIntrospector implements Introspector {
  async listTables(session: Session): Promise<string[]> {
    const { rows } = await session.execute("select \"name\" from \"sqlite_master\" where \"type\" = 'table' and \"name\" not like 'sqlite\\_%' escape '\\' order by \"name\"");
    return rows.map((r) => text(r.name));
  }

  async table(session: Session, name: string): Promise<TableInfo | undefined> {
    // SQLite compares identifiers case-insensitively (ASCII), so "Users" finds "users".
    const master = await session.execute("select \"name\", \"sql\" from \"sqlite_master\" where \"type\" = 'table' and \"name\" = ? collate nocase", [name]);
    if (master.rows.length === 0) return undefined;
    const table = text(master.rows[0].name);
    const sql = text(master.rows[0].sql);
    const parsed = parseCreateTable(sql);
    const constraints = parsed ? namedConstraints(table, parsed) : [];

    const xinfo = (await session.execute("select * from pragma_table_xinfo(?) order by \"cid\"", [table])).rows.filter((r) => Number(r.hidden) !== 1);
    const primaryKey = xinfo.filter((r) => Number(r.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((r) => text(r.name));
    const withoutRowid = /\bwithout\s+rowid\b/i.test(parsed?.options ?? "");
    const columns = xinfo.map((r) => this.column(r, primaryKey, withoutRowid, parsed));

    const objects = (await session.execute("select \"type\", \"name\", \"sql\" from \"sqlite_master\" where \"type\" in ('index', 'trigger') and \"tbl_name\" = ? collate nocase order by \"name\"", [table])).rows;
    const indexSql = new Map(objects.filter((o) => o.type === "index" && o.sql).map((o) => [text(o.name), text(o.sql)]));
    const info: TableInfo = {
      name: table,
      columns,
      primaryKey,
      indexes: await this.indexes(session, table, indexSql),
      foreignKeys: await this.foreignKeys(session, table, constraints),
      checks: constraints.filter((c) => c.kind === "check").map((c): CheckInfo => ({ name: c.name, expression: c.check ?? "" })).sort(byName),
    };
    attachSource(info, {
      sql,
      indexes: [...indexSql].map(([indexName, indexText]) => ({ name: indexName, sql: indexText })),
      triggers: objects.filter((o) => o.type === "trigger" && o.sql).map((o) => ({ name: text(o.name), sql: text(o.sql) })),
      computedColumns: xinfo.filter((r) => Number(r.hidden) >= 2).map((r) => text(r.name)),
    });
    return info;
  }

  async schema(session: Session, options: { exclude?: readonly string[] } = {}): Promise<SchemaInfo> {
    const exclude = options.exclude ?? [];
    const names = (await this.listTables(session)).filter((n) => !exclude.some((e) => sameName(e, n)));
    const tables: TableInfo[] = [];
    for (const name of names) {
      const info = await this.table(session, name);
      if (info) tables.push(info);
    }
    return { tables };
  }

  private column(r: Row, primaryKey: readonly string[], withoutRowid: boolean, parsed: ParsedTable | undefined): ColumnInfo {
    const name = text(r.name);
    const type = text(r.type).toLowerCase();
    const parsedColumn = parsed?.columns.find((c) => sameName(c.name, name));
    const autoIncrement = parsedColumn?.segments.some((s) => s.kind === "primary" && s.autoIncrement) ?? false;
    // An INTEGER PRIMARY KEY is the rowid and can never be NULL, though the pragma says
    // notnull = 0; in a WITHOUT ROWID table every key column is NOT NULL.
    const isRowid = primaryKey.length === 1 && sameName(primaryKey[0], name) && type === "integer";
    const isKey = Number(r.pk) > 0 && (isRowid || withoutRowid);
    return {
      name,
      type,
      nullable: Number(r.notnull) === 0 && !isKey,
      default: r.dflt_value === null || r.dflt_value === undefined ? null : String(r.dflt_value),
      autoIncrement,
    };
  }

  private async indexes(session: Session, table: string, indexSql: ReadonlyMap<string, string>): Promise<IndexInfo[]> {
    const list = (await session.execute("select * from pragma_index_list(?)", [table])).rows.filter((r) => r.origin !== "pk");
    const out: IndexInfo[] = [];
    for (const index of list) {
      const name = text(index.name);
      const parsed = indexSql.has(name) ? parseCreateIndex(indexSql.get(name)!) : undefined;
      const terms = (await session.execute("select * from pragma_index_info(?) order by \"seqno\"", [name])).rows;
      const info: IndexInfo = {
        name,
        // An expression term has no column name; its text as written stands in.
        columns: terms.map((t) => (t.name === null || t.name === undefined ? (parsed?.terms[Number(t.seqno)] ?? "") : text(t.name))),
        unique: Number(index.unique) === 1,
      };
      if (Number(index.partial) === 1 && parsed?.where) info.where = parsed.where;
      out.push(info);
    }
    return out.sort(byName);
  }

  private async foreignKeys(session: Session, table: string, constraints: readonly NamedConstraint[]): Promise<ForeignKeyInfo[]> {
    const rows = (await session.execute("select * from pragma_foreign_key_list(?) order by \"id\", \"seq\"", [table])).rows;
    const groups = new Map<number, Row[]>();
    for (const r of rows) groups.set(Number(r.id), [...(groups.get(Number(r.id)) ?? []), r]);
    const unused = constraints.filter((c) => c.kind === "foreign");
    const out: ForeignKeyInfo[] = [];
    // SQLite lists foreign keys last-declared first; walk them in declaration order so
    // two keys on the same columns get their names in the order they were written.
    for (const group of [...groups.values()].reverse()) {
      const columns = group.map((r) => text(r.from));
      const refTable = text(group[0].table);
      let refColumns = group.map((r) => text(r.to));
      if (group.some((r) => r.to === null || r.to === undefined)) {
        const pk = (await session.execute("select \"name\" from pragma_table_info(?) where \"pk\" > 0 order by \"pk\"", [refTable])).rows;
        refColumns = pk.map((r) => text(r.name));
      }
      const match = unused.findIndex((c) => sameName(c.reference!.table, refTable) && c.columns.length === columns.length && c.columns.every((col, i) => sameName(col, columns[i])));
      const name = match >= 0 ? unused.splice(match, 1)[0].name : generatedName(table, columns, "fkey");
      out.push({ name, columns, refTable, refColumns, onDelete: action(group[0].on_delete), onUpdate: action(group[0].on_update) });
    }
    return out.sort(byName);
  }
}

function action(value: unknown): ReferentialAction {
  const lower = text(value).toLowerCase();
  return (["cascade", "restrict", "set null", "set default"].includes(lower) ? lower : "no action") as ReferentialAction;
}
