import { createHash } from "node:crypto";
import type { TestDialectName } from "../../helpers/databases.ts";
import { query } from "../../helpers/dump.ts";
import { STRATA_TABLES } from "./normalise.ts";

/** The bookkeeping tables of strata and of dbmate, left out of every listing. */
const BOOKKEEPING = [...STRATA_TABLES, "schema_migrations"];
const NOT_BOOKKEEPING = (column: string) => `${column} not in (${BOOKKEEPING.map((t) => `'${t}'`).join(", ")})`;

/**
 * Everything a migration folder can create, read back from the database's own catalog, one
 * sorted line per object: tables, columns, indexes, constraints, routines, triggers, types,
 * views and row counts. Routine and trigger bodies are compared by hash. The introspector
 * covers tables only, and only the managed schema, which real folders do not stay within
 * (functions, triggers, other schemas, operators).
 */
export async function readCatalogObjects(url: string, dialect: TestDialectName): Promise<string[]> {
  const lines: string[] = [];
  for (const sql of QUERIES[dialect]) lines.push(...(await query(url, sql)).map((r) => String(r.o)));
  for (const table of lines.filter((l) => l.startsWith("table ")).map((l) => l.split(" ")[1])) {
    const [{ n }] = await query(url, `select count(*) as n from ${quoteTable(table, dialect)}`);
    lines.push(`rows ${table} ${Number(n)}`);
  }
  return lines.map(hashBodies).sort();
}

function quoteTable(name: string, dialect: TestDialectName): string {
  if (dialect === "mysql") return `\`${name}\``;
  return name.split(".").map((p) => `"${p}"`).join(".");
}

/** `body:<text>` at the end of a line becomes a hash; CRLF reads as LF (see the test). */
function hashBodies(line: string): string {
  const at = line.indexOf(" body:");
  if (at < 0) return line;
  return `${line.slice(0, at)} body#${createHash("sha256").update(line.slice(at + 6).replace(/\r\n/g, "\n")).digest("hex").slice(0, 12)}`;
}

const PG_USER_NS = "n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg\\_temp%' and n.nspname not like 'pg\\_toast\\_temp%'";

const QUERIES: Record<TestDialectName, string[]> = {
  postgres: [
    `select 'schema ' || n.nspname as o from pg_namespace n where ${PG_USER_NS}`,
    `select 'extension ' || e.extname || ' in ' || n.nspname as o from pg_extension e join pg_namespace n on n.oid = e.extnamespace`,
    `select 'publication ' || pubname as o from pg_publication`,
    `select 'table ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text as o from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f') and ${PG_USER_NS} and ${NOT_BOOKKEEPING("c.relname")}`,
    `select 'sequence ' || n.nspname || '.' || s.relname as o from pg_class s join pg_namespace n on n.oid = s.relnamespace
      left join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i') left join pg_class t on t.oid = d.refobjid
      where s.relkind = 'S' and ${PG_USER_NS} and (t.relname is null or ${NOT_BOOKKEEPING("t.relname")})`,
    `select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') || ' ' || coalesce(collation_name, '-') as o
      from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema') and ${NOT_BOOKKEEPING("table_name")}`,
    `select 'index ' || schemaname || '.' || indexname || ' ' || indexdef as o from pg_indexes
      where schemaname not in ('pg_catalog', 'information_schema') and ${NOT_BOOKKEEPING("tablename")}`,
    `select 'constraint ' || coalesce(t.relname, format_type(c.contypid, null)) || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid) as o
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace left join pg_class t on t.oid = c.conrelid
      where ${PG_USER_NS} and (t.relname is null or ${NOT_BOOKKEEPING("t.relname")})`,
    `select 'routine ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || p.prokind::text || ' ' || l.lanname || ' body:' || p.prosrc as o
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang where ${PG_USER_NS}`,
    `select 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid) as o from pg_trigger t where not t.tgisinternal`,
    `select 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text || ' ' || coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '') as o
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where (t.typtype in ('e', 'd') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c')) and ${PG_USER_NS}`,
    `select 'operator ' || n.nspname || '.' || o.oprname || '(' || format_type(o.oprleft, null) || ', ' || format_type(o.oprright, null) || ')' as o
      from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where ${PG_USER_NS}`,
    `select 'cast ' || format_type(castsource, null) || ' -> ' || format_type(casttarget, null) || ' ' || castcontext::text as o from pg_cast where oid >= 16384`,
    `select 'collation ' || n.nspname || '.' || c.collname as o from pg_collation c join pg_namespace n on n.oid = c.collnamespace where ${PG_USER_NS}`,
  ],
  mysql: [
    `select concat('table ', table_name, ' ', table_type, ' ', coalesce(engine, '-')) as o from information_schema.tables where table_schema = database() and ${NOT_BOOKKEEPING("table_name")}`,
    `select concat_ws(' ', 'column', concat(table_name, '.', column_name), column_type, is_nullable, coalesce(column_default, '-'), extra, column_comment) as o
      from information_schema.columns where table_schema = database() and ${NOT_BOOKKEEPING("table_name")}`,
    `select concat_ws(' ', 'index', concat(table_name, '.', index_name), non_unique, group_concat(column_name order by seq_in_index)) as o
      from information_schema.statistics where table_schema = database() and ${NOT_BOOKKEEPING("table_name")} group by table_name, index_name, non_unique`,
    `select concat_ws(' ', 'foreign key', concat(table_name, '.', constraint_name), column_name, '->', concat(referenced_table_name, '.', referenced_column_name)) as o
      from information_schema.key_column_usage where table_schema = database() and referenced_table_name is not null`,
    `select concat_ws(' ', 'check', constraint_name, check_clause) as o from information_schema.check_constraints where constraint_schema = database()`,
    `select concat_ws(' ', 'routine', routine_type, routine_name, coalesce(dtd_identifier, '-'), sql_mode, concat('body:', routine_definition)) as o
      from information_schema.routines where routine_schema = database()`,
    `select concat_ws(' ', 'trigger', trigger_name, action_timing, event_manipulation, event_object_table, sql_mode, concat('body:', action_statement)) as o
      from information_schema.triggers where trigger_schema = database()`,
  ],
  sqlite: [
    `select 'table ' || name as o from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and ${NOT_BOOKKEEPING("name")}`,
    `select 'column ' || m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || coalesce(p.dflt_value, '-') || ' ' || p.pk as o
      from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\' and ${NOT_BOOKKEEPING("m.name")}`,
    `select 'index ' || m.name || '.' || il.name || ' ' || il."unique" || ' ' || (select group_concat(ii.name) from pragma_index_info(il.name) ii) as o
      from sqlite_master m join pragma_index_list(m.name) il where m.type = 'table' and ${NOT_BOOKKEEPING("m.name")}`,
    `select 'foreign key ' || m.name || ' ' || f."from" || ' -> ' || f."table" || '.' || coalesce(f."to", '-') || ' ' || f.on_delete as o
      from sqlite_master m join pragma_foreign_key_list(m.name) f where m.type = 'table'`,
    `select 'definition ' || type || ' ' || name || ' on ' || tbl_name || ' body:' || sql as o from sqlite_master where type in ('trigger', 'view')
      or (type = 'table' and name not like 'sqlite\\_%' escape '\\' and ${NOT_BOOKKEEPING("name")})`,
  ],
};
