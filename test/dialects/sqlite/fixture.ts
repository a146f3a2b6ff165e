import { onTestFinished } from "vitest";
import type { Catalog, Dialect, Session, TableInfo } from "../../../src/dialects/dialect.ts";
import { createSqliteDialect } from "../../../src/dialects/sqlite/index.ts";
import type { Operation } from "../../../src/schema/operations.ts";
import { withRecorder } from "../../../src/schema/recorder.ts";
import { testDatabase } from "../../helpers/databases.ts";

export interface SqliteFixture {
  dialect: Dialect;
  session: Session;
  url: string;
  file: string;
  catalog: Catalog;
  /** Records the Schema calls `fn` makes. */
  record(fn: () => void): Promise<Operation[]>;
  /** Records, compiles and executes the Schema calls in one migration transaction (adapter begin/commit). */
  apply(fn: () => void): Promise<void>;
  table(name: string): Promise<TableInfo>;
  rows(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** A fresh SQLite file with an open session, closed and removed when the test finishes. */
export async function sqliteFixture(): Promise<SqliteFixture> {
  const db = await testDatabase("sqlite");
  const dialect = createSqliteDialect({ url: db.url, described: db.url });
  const session = await dialect.driver.open();
  onTestFinished(() => dialect.driver.close());
  const catalog: Catalog = { table: (name) => dialect.introspector.table(session, name) };
  const record = async (fn: () => void) => {
    const ops: Operation[] = [];
    await withRecorder({ record: (op) => ops.push(op) }, fn);
    return ops;
  };
  return {
    dialect,
    session,
    url: db.url,
    file: db.name,
    catalog,
    record,
    async apply(fn) {
      const ops = await record(fn);
      await dialect.adapter.begin(session);
      try {
        for (const op of ops) {
          for (const statement of await dialect.compiler.compileOperation(op, catalog)) await session.execute(statement.sql, statement.params);
        }
        await dialect.adapter.commit(session);
      } catch (error) {
        await dialect.adapter.rollback(session);
        throw error;
      }
    },
    async table(name) {
      const info = await dialect.introspector.table(session, name);
      if (!info) throw new Error(`table ${name} does not exist`);
      return info;
    },
    async rows(sql, params = []) {
      return (await session.execute(sql, params)).rows;
    },
    exec: (sql) => session.executeScript(sql),
  };
}
