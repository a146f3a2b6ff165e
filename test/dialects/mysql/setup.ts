import { onTestFinished } from "vitest";
import { createMysqlDialect } from "../../../src/dialects/mysql/index.ts";
import type { Catalog, ConnectionOptions, Dialect, Session, Statement, TableInfo } from "../../../src/dialects/dialect.ts";
import type { Operation } from "../../../src/schema/operations.ts";
import { withRecorder } from "../../../src/schema/recorder.ts";
import { describeUrl } from "../../../src/util/redact.ts";
import { testDatabase, type TestDatabase } from "../../helpers/databases.ts";

export interface MysqlFixture {
  db: TestDatabase;
  options: ConnectionOptions;
  dialect: Dialect;
  session: Session;
  catalog: Catalog;
  /** Records the Schema calls fn makes, as a migration's up() would. */
  record(fn: () => void): Promise<Operation[]>;
  compile(op: Operation): Promise<Statement[]>;
  /** Records, compiles and executes, one operation at a time, as the executor does. */
  run(fn: () => void): Promise<Statement[]>;
  /** Compiles and executes already recorded operations. */
  apply(ops: readonly Operation[]): Promise<Statement[]>;
  table(name: string): Promise<TableInfo | undefined>;
  isMariaDb: boolean;
}

/** A fresh database, a dialect on it and one open session; all closed and dropped after the test. */
export async function openMysql(extra: Partial<ConnectionOptions> = {}): Promise<MysqlFixture> {
  const db = await testDatabase("mysql");
  const options: ConnectionOptions = { url: db.url, described: describeUrl(db.url), ...extra };
  const dialect = createMysqlDialect(options);
  onTestFinished(() => dialect.driver.close());
  const session = await dialect.driver.open();
  const catalog: Catalog = { table: (name) => dialect.introspector.table(session, name) };
  const compile = (op: Operation) => dialect.compiler.compileOperation(op, catalog);
  const record = async (fn: () => void) => {
    const ops: Operation[] = [];
    await withRecorder({ record: (op) => ops.push(op) }, fn);
    return ops;
  };
  const apply = async (ops: readonly Operation[]) => {
    const all: Statement[] = [];
    for (const op of ops) {
      for (const statement of await compile(op)) {
        await session.execute(statement.sql, statement.params);
        all.push(statement);
      }
    }
    return all;
  };
  const { rows } = await session.execute("select version() as v");
  return {
    db,
    options,
    dialect,
    session,
    catalog,
    record,
    compile,
    run: async (fn) => apply(await record(fn)),
    apply,
    table: (name) => dialect.introspector.table(session, name),
    isMariaDb: /mariadb/i.test(String(rows[0]?.v)),
  };
}
