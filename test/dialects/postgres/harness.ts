import { onTestFinished } from "vitest";
import type { Catalog, ConnectionOptions, Dialect, Session, TableInfo } from "../../../src/dialects/dialect.ts";
import { createPostgresDialect } from "../../../src/dialects/postgres/index.ts";
import type { Operation } from "../../../src/schema/operations.ts";
import { withRecorder } from "../../../src/schema/recorder.ts";
import { describeUrl } from "../../../src/util/redact.ts";
import { testDatabase, type TestDatabase } from "../../helpers/databases.ts";

export interface PostgresHarness {
  db: TestDatabase;
  dialect: Dialect;
  session: Session;
  catalog: Catalog;
  /** Another session of the same driver, closed when the test finishes. */
  open(): Promise<Session>;
  /** The operations the Schema calls inside `fn` record. */
  record(fn: () => void): Promise<Operation[]>;
  /** Records, compiles (each op against the live catalog) and executes on `session`. */
  apply(fn: () => void, on?: Session): Promise<void>;
  table(name: string): Promise<TableInfo>;
  rows(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** A fresh database, a PostgreSQL dialect on it and one open session. */
export async function postgresHarness(options: Partial<Omit<ConnectionOptions, "url" | "described">> = {}): Promise<PostgresHarness> {
  const db = await testDatabase("postgres");
  const dialect = createPostgresDialect({ url: db.url, described: describeUrl(db.url), ...options });
  onTestFinished(() => dialect.driver.close());
  const open = async () => {
    const s = await dialect.driver.open();
    onTestFinished(() => s.close());
    return s;
  };
  const session = await open();
  const catalogOf = (s: Session): Catalog => ({ table: (name) => dialect.introspector.table(s, name) });
  const record = async (fn: () => void) => {
    const ops: Operation[] = [];
    await withRecorder({ record: (op) => ops.push(op) }, fn);
    return ops;
  };
  return {
    db,
    dialect,
    session,
    catalog: catalogOf(session),
    open,
    record,
    async apply(fn, on = session) {
      for (const op of await record(fn)) {
        for (const statement of await dialect.compiler.compileOperation(op, catalogOf(on))) {
          await on.execute(statement.sql, statement.params);
        }
      }
    },
    async table(name) {
      const info = await dialect.introspector.table(session, name);
      if (!info) throw new Error(`table ${name} not found`);
      return info;
    },
    async rows(sql, params = []) {
      return (await session.execute(sql, params)).rows;
    },
  };
}

export function column(table: TableInfo, name: string) {
  const found = table.columns.find((c) => c.name === name);
  if (!found) throw new Error(`column ${name} not in ${table.name}: ${table.columns.map((c) => c.name).join(", ")}`);
  return found;
}
