import type { ReferentialAction } from "../../schema/columns.ts";
import type { CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, Introspector, Row, SchemaInfo, Session, TableInfo } from "../dialect.ts";

/**
 * The managed schema (options.schema, else current_schema()) read from pg_catalog: one
 * query per aspect for the whole schema, or for one table, never one per table.
 * `$1` is the schema (null: current_schema()), `$2` one table name or null for all.
 */
const TABLES = `
  select c.oid::bigint as oid, c.relname as table_name, obj_description(c.oid, 'pg_class') as comment, n.nspname as schema_name
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = coalesce($1::text, current_schema())
     and c.relkind in ('r', 'p')
     and ($2::text is null or c.relname = $2::text)
   order by c.relname`;

const COLUMNS = `
  select a.attrelid::bigint as oid, a.attname as name, lower(pg_catalog.format_type(a.atttypid, a.atttypmod)) as type,
         not a.attnotnull as nullable,
         case when a.attgenerated = '' then pg_catalog.pg_get_expr(d.adbin, d.adrelid) end as default_sql,
         a.attidentity <> '' or coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') like 'nextval(%' as auto_increment,
         pg_catalog.col_description(a.attrelid, a.attnum) as comment
    from pg_catalog.pg_attribute a
    left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where a.attrelid = any(array(${oidsOf()}))
     and a.attnum > 0 and not a.attisdropped
   order by a.attrelid, a.attnum`;

const INDEXES = `
  select ix.indrelid::bigint as oid, i.relname as name, ix.indisprimary as is_primary, ix.indisunique as is_unique,
         ix.indisvalid as is_valid, pg_catalog.pg_get_expr(ix.indpred, ix.indrelid) as predicate,
         array(select coalesce(a.attname::text, pg_catalog.pg_get_indexdef(ix.indexrelid, k.ord::int, true))
                 from unnest(ix.indkey::int2[]) with ordinality as k(attnum, ord)
                 left join pg_catalog.pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum and k.attnum > 0
                where k.ord <= ix.indnkeyatts
                order by k.ord)::text[] as columns
    from pg_catalog.pg_index ix
    join pg_catalog.pg_class i on i.oid = ix.indexrelid
   where ix.indrelid = any(array(${oidsOf()}))
   order by ix.indrelid, i.relname`;

const CONSTRAINTS = `
  select con.conrelid::bigint as oid, con.conname as name, con.contype as kind,
         pg_catalog.pg_get_constraintdef(con.oid, true) as definition,
         ref.relname as ref_table, refns.nspname as ref_schema, con.confdeltype as on_delete, con.confupdtype as on_update,
         array(select a.attname::text from unnest(con.conkey) with ordinality as k(attnum, ord)
                 join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns,
         array(select a.attname::text from unnest(con.confkey) with ordinality as k(attnum, ord)
                 join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[] as ref_columns
    from pg_catalog.pg_constraint con
    left join pg_catalog.pg_class ref on ref.oid = con.confrelid
    left join pg_catalog.pg_namespace refns on refns.oid = ref.relnamespace
   where con.conrelid = any(array(${oidsOf()}))
     and con.contype in ('f', 'c')
   order by con.conrelid, con.conname`;

function oidsOf(): string {
  return `select c.oid from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where n.nspname = coalesce($1::text, current_schema()) and c.relkind in ('r', 'p')
             and ($2::text is null or c.relname = $2::text)`;
}

const ACTIONS: Record<string, ReferentialAction> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

export class PostgresIntrospector implements Introspector {
  readonly #schema: string | undefined;

  constructor(options: { schema?: string } = {}) {
    this.#schema = options.schema;
  }

  async listTables(session: Session): Promise<string[]> {
    const { rows } = await session.execute(TABLES, [this.#schema ?? null, null]);
    return rows.map((r) => String(r.table_name));
  }

  async table(session: Session, name: string): Promise<TableInfo | undefined> {
    return (await this.load(session, name))[0];
  }

  async schema(session: Session, options: { exclude?: readonly string[] } = {}): Promise<SchemaInfo> {
    const exclude = new Set(options.exclude ?? []);
    const tables = await this.load(session, null);
    return { tables: tables.filter((t) => !exclude.has(t.name)) };
  }

  protected async load(session: Session, name: string | null): Promise<TableInfo[]> {
    const params = [this.#schema ?? null, name];
    const tables = (await session.execute(TABLES, params)).rows;
    if (tables.length === 0) return [];
    const [columns, indexes, constraints] = await Promise.all([
      session.execute(COLUMNS, params),
      session.execute(INDEXES, params),
      session.execute(CONSTRAINTS, params),
    ]);
    const schemaName = String(tables[0].schema_name);
    const byOid = new Map<string, TableInfo>();
    for (const t of tables) {
      byOid.set(String(t.oid), {
        name: String(t.table_name),
        columns: [],
        primaryKey: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
        ...(t.comment !== null ? { comment: String(t.comment) } : {}),
      });
    }
    for (const r of columns.rows) byOid.get(String(r.oid))?.columns.push(toColumn(r));
    for (const r of indexes.rows) {
      const table = byOid.get(String(r.oid));
      if (!table) continue;
      if (r.is_primary === true) table.primaryKey = r.columns as string[];
      else table.indexes.push(toIndex(r));
    }
    for (const r of constraints.rows) {
      const table = byOid.get(String(r.oid));
      if (!table) continue;
      if (r.kind === "f") table.foreignKeys.push(toForeignKey(r, schemaName));
      else table.checks.push(toCheck(r));
    }
    return [...byOid.values()];
  }
}

function toColumn(r: Row): ColumnInfo {
  return {
    name: String(r.name),
    type: String(r.type),
    nullable: r.nullable === true,
    default: r.default_sql === null ? null : String(r.default_sql),
    autoIncrement: r.auto_increment === true,
    ...(r.comment !== null ? { comment: String(r.comment) } : {}),
  };
}

function toIndex(r: Row): IndexInfo {
  return {
    name: String(r.name),
    columns: r.columns as string[],
    unique: r.is_unique === true,
    ...(r.predicate !== null ? { where: stripOuterParens(String(r.predicate)) } : {}),
    // Only the exception is reported: an index a failed CREATE INDEX CONCURRENTLY left behind.
    ...(r.is_valid === true ? {} : { valid: false }),
  };
}

function toForeignKey(r: Row, schemaName: string): ForeignKeyInfo {
  const refTable = r.ref_schema === schemaName ? String(r.ref_table) : `${String(r.ref_schema)}.${String(r.ref_table)}`;
  return {
    name: String(r.name),
    columns: r.columns as string[],
    refTable,
    refColumns: r.ref_columns as string[],
    onDelete: ACTIONS[String(r.on_delete)] ?? "no action",
    onUpdate: ACTIONS[String(r.on_update)] ?? "no action",
  };
}

/** pg_get_constraintdef gives `CHECK (expr)`, with ` NOT VALID` for an unvalidated one. */
function toCheck(r: Row): CheckInfo {
  const definition = String(r.definition).replace(/\s+NOT VALID$/, "");
  const match = /^CHECK \(([\s\S]*)\)$/.exec(definition);
  return { name: String(r.name), expression: match ? match[1] : definition };
}

/** pg_get_expr wraps a partial index predicate in one pair of parentheses the user did not write. */
function stripOuterParens(expression: string): string {
  if (!expression.startsWith("(") || !expression.endsWith(")")) return expression;
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'") {
      i = expression.indexOf("'", i + 1);
      if (i < 0) return expression;
    } else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0 && i < expression.length - 1) return expression;
  }
  return expression.slice(1, -1);
}
