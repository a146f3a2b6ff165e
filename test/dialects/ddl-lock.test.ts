import { describe, expect, it } from "vitest";
import { Migrator, type MigratorEvent } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * Lock-friendly DDL: a migration waiting behind a long transaction gives up after
 * ddl.lockTimeout instead of queueing all traffic behind it, and is retried ddl.retries
 * times with backoff.
 */
const files = {
  "migrations/20260101000000_create.sql": "-- migrate:up\ncreate table accounts (id int primary key, name varchar(20));\ninsert into accounts values (1, 'a');\n-- migrate:down\ndrop table accounts;\n",
  "migrations/20260102000000_alter.sql": "-- migrate:up\nalter table accounts add column note varchar(20);\n-- migrate:down\nalter table accounts drop column note;\n",
};

async function holdLock(dialect: "postgres" | "mysql", url: string): Promise<{ release(): Promise<void> }> {
  if (dialect === "postgres") {
    const { default: postgres } = await import("postgres");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const reserved = await sql.reserve();
    await reserved.unsafe("begin; select * from accounts for update");
    return {
      async release() {
        await reserved.unsafe("rollback");
        reserved.release();
        await sql.end();
      },
    };
  }
  const mysql = await import("mysql2/promise");
  const conn = await mysql.createConnection({ uri: url });
  await conn.query("start transaction");
  await conn.query("select * from accounts for update");
  return {
    async release() {
      await conn.query("rollback");
      await conn.end();
    },
  };
}

forEachDialect(
  (dialect) => {
    describe("DDL lock timeout and retries", () => {
      it("gives up after ddl.lockTimeout, retries with backoff, and fails clearly when the lock stays", async () => {
        const db = await testDatabase(dialect);
        const dir = await writeProject(files);
        const events: MigratorEvent[] = [];
        const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations", ddl: { lockTimeout: 1000, retries: 1 }, onEvent: (e) => events.push(e) });
        await migrator().run({ to: "20260101000000_create" });
        const holder = await holdLock(dialect as "postgres" | "mysql", db.url);
        try {
          const error = await migrator().run().catch((e) => e);
          expect(error.migrationId).toBe("20260102000000_alter");
          expect(error.message).toMatch(/lock/i);
          expect(error.hint).toContain("Another transaction held a lock this migration needs for longer than ddl.lockTimeout, on each of 2 tries");
          expect(events.filter((e) => e.event === "retrying")).toHaveLength(1);
        } finally {
          await holder.release();
        }
        const columns = await query(db.url, dialect === "postgres" ? "select column_name as c from information_schema.columns where table_name = 'accounts'" : "select column_name as c from information_schema.columns where table_schema = database() and table_name = 'accounts'");
        expect(columns.map((r) => r.c)).not.toContain("note");
      });

      it("succeeds on a retry once the blocking transaction ends", async () => {
        const db = await testDatabase(dialect);
        const dir = await writeProject(files);
        const events: MigratorEvent[] = [];
        const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations", ddl: { lockTimeout: 1000, retries: 3 }, onEvent: (e) => events.push(e) });
        await migrator().run({ to: "20260101000000_create" });
        const holder = await holdLock(dialect as "postgres" | "mysql", db.url);
        // Release while the first attempt waits: a retry then gets the lock.
        const releasing = new Promise<void>((resolve) => setTimeout(() => void holder.release().then(resolve), 1500));
        const result = await migrator().run();
        await releasing;
        expect(result.applied).toEqual(["20260102000000_alter"]);
        expect(events.some((e) => e.event === "retrying")).toBe(true);
      });
    });
  },
  ["postgres", "mysql"],
);

forEachDialect(
  () => {
    describe("CREATE INDEX CONCURRENTLY that gives up waiting", () => {
      it("is retried after its INVALID index is dropped, and ends with a valid index", async () => {
        const db = await testDatabase("postgres");
        const dir = await writeProject({
          "migrations/20260101000000_create.sql": "-- migrate:up\ncreate table accounts (id int primary key, name varchar(20));\ninsert into accounts values (1, 'a');\n-- migrate:down\ndrop table accounts;\n",
          "migrations/20260102000000_index.sql": "-- migrate:up\ncreate index concurrently accounts_name_idx on accounts (name);\n-- migrate:down\ndrop index concurrently accounts_name_idx;\n",
        });
        const events: MigratorEvent[] = [];
        const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations", ddl: { lockTimeout: 1000, retries: 3 }, onEvent: (e) => events.push(e) });
        await migrator().run({ to: "20260101000000_create" });
        // An open transaction that wrote to the table: CONCURRENTLY waits for it, past lockTimeout.
        const { default: postgres } = await import("postgres");
        const sql = postgres(db.url, { max: 1, onnotice: () => {} });
        const reserved = await sql.reserve();
        await reserved.unsafe("begin; insert into accounts values (2, 'b')");
        const releasing = new Promise<void>((resolve) => setTimeout(() => void reserved.unsafe("commit").then(() => { reserved.release(); return sql.end(); }).then(() => resolve()), 1800));
        const result = await migrator().run();
        await releasing;
        expect(result.applied).toEqual(["20260102000000_index"]);
        expect(events.some((e) => e.event === "retrying")).toBe(true);
        expect(await query(db.url, "select indisvalid as valid from pg_index where indexrelid = 'accounts_name_idx'::regclass")).toEqual([{ valid: true }]);
      });
    });
  },
  ["postgres"],
);
