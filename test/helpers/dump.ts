import type { SchemaInfo } from "../../src/dialects/dialect.ts";
import { loadDialect } from "../../src/dialects/registry.ts";
import { parseDatabaseUrl } from "../../src/config/database-url.ts";

export interface Snapshot {
  schema: SchemaInfo;
  rows: Record<string, unknown[]>;
}

/**
 * Everything a user could observe in a database: the schema read back through strata's
 * introspector and every row of every table (sorted), for "exactly as before" checks.
 */
export async function snapshot(url: string): Promise<Snapshot> {
  const parsed = parseDatabaseUrl(url, process.cwd());
  const dialect = await loadDialect({ url: parsed.url, described: parsed.described });
  const session = await dialect.driver.open();
  try {
    const schema = await dialect.introspector.schema(session);
    const rows: Record<string, unknown[]> = {};
    for (const table of schema.tables) {
      const { rows: data } = await session.execute(`select * from ${dialect.compiler.quoteTable(table.name)}`);
      rows[table.name] = data.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).sort();
    }
    return { schema, rows };
  } finally {
    await session.close();
    await dialect.driver.close();
  }
}

/** Table names in the database. */
export async function tableNames(url: string): Promise<string[]> {
  return (await snapshot(url)).schema.tables.map((t) => t.name);
}

/** Rows of one table, via strata's own driver. */
export async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const parsed = parseDatabaseUrl(url, process.cwd());
  const dialect = await loadDialect({ url: parsed.url, described: parsed.described });
  const session = await dialect.driver.open();
  try {
    return (await session.execute(sql, params)).rows;
  } finally {
    await session.close();
    await dialect.driver.close();
  }
}
