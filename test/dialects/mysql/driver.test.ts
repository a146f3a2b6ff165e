import { describe, expect, it, onTestFinished } from "vitest";
import { createMysqlDialect } from "../../../src/dialects/mysql/index.ts";
import { describeUrl } from "../../../src/util/redact.ts";
import { forEachDialect, testDatabase } from "../../helpers/databases.ts";
import { openMysql } from "./setup.ts";

forEachDialect(() => {
  describe("values", () => {
    it("binds JSON, dates, bytes, big integers and booleans, and reads them back", async () => {
      const fx = await openMysql();
      await fx.session.executeScript(`
        create table v (
          id bigint primary key, j json, d datetime(3), day date, b longblob, flag tinyint(1), price decimal(20,4), n int
        );
      `);
      const when = new Date("2024-02-29T23:59:58.123Z");
      const big = 9007199254740993n;
      await fx.session.execute("insert into v values (?, ?, ?, ?, ?, ?, ?, ?)", [big, { a: [1, { b: "it's" }] }, when, "2024-03-01", new Uint8Array([0, 1, 255]), true, "12345678901234.5678", undefined]);
      await fx.session.execute("insert into v (id, j, flag) values (?, ?, ?)", [1, [1, "two"], false]);
      const { rows } = await fx.session.execute("select * from v order by id");
      expect(rows[0]).toEqual({ id: 1, j: [1, "two"], d: null, day: null, b: null, flag: false, price: null, n: null });
      expect(rows[1]).toEqual({ id: big, j: { a: [1, { b: "it's" }] }, d: when, day: "2024-03-01", b: Buffer.from([0, 1, 255]), flag: true, price: "12345678901234.5678", n: null });
      // Stored as UTC whatever the process's time zone.
      expect((await fx.session.execute("select cast(d as char) as text from v where id = ?", [big])).rows).toEqual([{ text: "2024-02-29 23:59:58.123" }]);
    });

    it("reports rows changed and rows matched", async () => {
      const fx = await openMysql();
      await fx.session.executeScript("create table c (id int primary key, n int); insert into c values (1, 0), (2, 0), (3, 1)");
      expect((await fx.session.execute("update c set n = ? where n = ?", [1, 0])).rowCount).toBe(2);
      expect((await fx.session.execute("select * from c where n = ?", [1])).rowCount).toBe(3);
      expect((await fx.session.execute("delete from c")).rowCount).toBe(3);
    });
  });

  describe("errors", () => {
    it("keeps errno and SQLSTATE and the statement, never the bound values", async () => {
      const fx = await openMysql();
      await fx.session.executeScript("create table u (email varchar(100) primary key, n int)");
      await fx.session.execute("insert into u values (?, ?)", ["s3cret-mail@example.com", 1]);
      const error = await fx.session.execute("insert into u values (?, ?)", ["s3cret-mail@example.com", 2]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "1062 (23000)", statement: "insert into u values (?, ?)" } });
      expect((error as Error).message).toContain("Duplicate entry");
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain("s3cret");
      expect((error as Error).cause).toBeUndefined();

      const typed = await fx.session.execute("insert into u values (?, ?)", ["x", "not-a-s3cret-number"]).catch((e: unknown) => e);
      // SQLSTATE 22007 on MariaDB, HY000 on MySQL.
      expect(typed).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: expect.stringMatching(/^1366 \(/) } });
      expect((typed as Error).message).not.toContain("s3cret");

      const syntax = await fx.session.execute("selec 1").catch((e: unknown) => e);
      expect(syntax).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "1064 (42000)", statement: "selec 1" } });
    });

    it("fails to connect with CONNECTION_FAILED and no password", async () => {
      const db = await testDatabase("mysql");
      const url = new URL(db.url);
      url.username = "strata_nobody";
      url.password = "s3cretpw";
      const dialect = createMysqlDialect({ url: url.href, described: describeUrl(url.href) });
      onTestFinished(() => dialect.driver.close());
      const error = await dialect.driver.open().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
      expect((error as Error).message).toContain("***");
      expect((error as Error).message).not.toContain("s3cretpw");

      const closed = createMysqlDialect({ url: "mysql://root@127.0.0.1:1/x", described: "mysql://root@127.0.0.1:1/x" });
      onTestFinished(() => closed.driver.close());
      await expect(closed.driver.open()).rejects.toMatchObject({ code: "CONNECTION_FAILED" });

      const wrong = createMysqlDialect({ url: "postgres://root@127.0.0.1/x", described: "postgres://root@127.0.0.1/x" });
      await expect(wrong.driver.open()).rejects.toMatchObject({ code: "URL_INVALID" });
    });
  });

  describe("TLS", () => {
    it("sslmode=prefer falls back to plain when the server has no TLS; require does not", async () => {
      const db = await testDatabase("mysql");
      const withMode = (mode: string) => {
        const url = `${db.url}?sslmode=${mode}`;
        const dialect = createMysqlDialect({ url, described: url });
        onTestFinished(() => dialect.driver.close());
        return dialect;
      };
      const session = await withMode("prefer").driver.open();
      const { rows } = await session.execute("show session status like 'Ssl_cipher'");
      // prefer took TLS exactly when the server offers it; require must agree.
      const serverHasTls = Boolean(Object.values(rows[0] ?? {})[1]);
      const required = withMode("require").driver.open();
      if (serverHasTls) await expect(required).resolves.toBeDefined();
      else await expect(required).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
    });
  });

  describe("scripts", () => {
    it("runs a script of several statements, and one with DELIMITER", async () => {
      const fx = await openMysql();
      await fx.session.executeScript("create table s (id int primary key, v varchar(20)); insert into s values (1, 'a;b'); insert into s values (2, 'it\\'s')");
      await fx.session.executeScript(`
delimiter //
create procedure add_row(in x int)
begin
  insert into s values (x, concat('row;', x));
end //
delimiter ;
call add_row(3);
`);
      expect((await fx.session.execute("select v from s order by id")).rows).toEqual([{ v: "a;b" }, { v: "it's" }, { v: "row;3" }]);
      const call = await fx.session.execute("call add_row(?)", [4]);
      expect(call.rowCount).toBe(1);
      const failing = await fx.session.executeScript("insert into s values (5, 'x'); insert into nowhere values (1)").catch((e: unknown) => e);
      expect(failing).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "1146 (42S02)" } });
    });
  });

  describe("sessions", () => {
    // As the mysql client and dbmate parse it: a table named like a built-in function, and
    // routines that keep the server's sql_mode (mysql2 would add IGNORE_SPACE).
    it("parses SQL without IGNORE_SPACE, as the mysql client does", async () => {
      const fx = await openMysql();
      await fx.session.executeScript("create table position (id int primary key, count int); create procedure bump() update position set count = count + 1");
      const { rows } = await fx.session.execute("select @@session.sql_mode as mode, (select sql_mode from information_schema.routines where routine_schema = database() and routine_name = 'bump') as routine");
      expect(`${rows[0].mode} ${rows[0].routine}`).not.toMatch(/IGNORE_SPACE/);
    });

    it("bounds DDL lock waits and statement time from the options", async () => {
      const fx = await openMysql({ ddlLockTimeoutMs: 2500, statementTimeoutMs: 1500 });
      const { rows } = await fx.session.execute("select @@session.lock_wait_timeout as lw, @@session.time_zone as tz, @@session.sql_mode as mode");
      expect(rows[0]).toMatchObject({ lw: 3, tz: "+00:00" });
      expect(String(rows[0].mode)).not.toContain("NO_BACKSLASH_ESCAPES");
      const timeout = fx.isMariaDb ? "@@session.max_statement_time" : "@@session.max_execution_time";
      const limit = Number((await fx.session.execute(`select ${timeout} as t`)).rows[0].t);
      expect(limit).toBe(fx.isMariaDb ? 1.5 : 1500);

      const defaults = await openMysql();
      expect((await defaults.session.execute("select @@session.lock_wait_timeout as lw")).rows[0].lw).toBe(10);
    });

    it("resetSession restores the database, the lock wait and what a migration changed", async () => {
      const fx = await openMysql({ ddlLockTimeoutMs: 4000 });
      const other = await testDatabase("mysql");
      await fx.session.executeScript(`use \`${other.name}\`; set session lock_wait_timeout = 31536000; set session foreign_key_checks = 0; set session time_zone = '+05:00'`);
      expect((await fx.session.execute("select database() as db")).rows[0].db).toBe(other.name);
      await fx.dialect.adapter.resetSession(fx.session);
      const { rows } = await fx.session.execute("select database() as db, @@session.lock_wait_timeout as lw, @@session.foreign_key_checks as fk, @@session.time_zone as tz");
      expect(rows[0]).toEqual({ db: fx.db.name, lw: 4, fk: 1, tz: "+00:00" });
      expect(await fx.dialect.adapter.tableExists(fx.session, "nothing")).toBe(false);
    });

    it("a pooled connection comes back clean to the next session", async () => {
      const fx = await openMysql({ poolSize: 1 });
      const other = await testDatabase("mysql");
      await fx.session.executeScript("create table t (id int primary key)");
      const id = (await fx.session.execute("select connection_id() as id")).rows[0].id;
      await fx.session.executeScript(`start transaction; insert into t values (1); use \`${other.name}\`; set @leak = 1; set session lock_wait_timeout = 99`);
      await fx.session.close();
      const next = await fx.dialect.driver.open();
      const { rows } = await next.execute("select connection_id() as id, database() as db, @leak as leak, @@session.lock_wait_timeout as lw, (select count(*) from t) as uncommitted");
      expect(rows[0]).toEqual({ id, db: fx.db.name, leak: null, lw: 10, uncommitted: 0 });
      await next.close();
    });

    it("commits and rolls back data statements", async () => {
      const fx = await openMysql();
      const { adapter } = fx.dialect;
      await fx.session.executeScript("create table t (id int primary key)");
      await adapter.begin(fx.session);
      await fx.session.execute("insert into t values (?)", [1]);
      await adapter.rollback(fx.session);
      await adapter.begin(fx.session);
      await fx.session.execute("insert into t values (?)", [2]);
      await adapter.commit(fx.session);
      expect((await fx.session.execute("select id from t")).rows).toEqual([{ id: 2 }]);
      const scratch = await adapter.scratchDatabase(fx.session);
      expect((await fx.session.execute("select schema_name as n from information_schema.schemata where schema_name = ?", [new URL(scratch.url).pathname.slice(1)])).rows).toHaveLength(1);
      await scratch.drop();
      expect((await fx.session.execute("select schema_name as n from information_schema.schemata where schema_name = ?", [new URL(scratch.url).pathname.slice(1)])).rows).toHaveLength(0);
    });

    it("knows SKIP LOCKED once a session has read the server version", async () => {
      const db = await testDatabase("mysql");
      const dialect = createMysqlDialect({ url: db.url, described: db.url });
      onTestFinished(() => dialect.driver.close());
      expect(dialect.adapter.supportsSkipLocked).toBe(false);
      const session = await dialect.driver.open();
      const version = String((await session.execute("select version() as v")).rows[0].v);
      const [major, minor] = version.split(".").map(Number);
      const expected = /mariadb/i.test(version) ? major > 10 || (major === 10 && minor >= 6) : major >= 8;
      expect(dialect.adapter.supportsSkipLocked).toBe(expected);
      if (expected) {
        await session.executeScript("create table jobs (id int primary key); insert into jobs values (1), (2)");
        await dialect.adapter.begin(session);
        await session.execute("select id from jobs where id = ? for update", [1]);
        const other = await dialect.driver.open();
        await dialect.adapter.begin(other);
        expect((await other.execute("select id from jobs order by id for update skip locked")).rows).toEqual([{ id: 2 }]);
        await dialect.adapter.rollback(other);
        await other.close();
        await dialect.adapter.rollback(session);
      }
    });
  });
}, ["mysql"]);
