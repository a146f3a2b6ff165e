import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { describeSqliteTarget, parseSqliteUrl } from "../../../src/dialects/sqlite/driver.ts";
import { wrapSqliteError } from "../../../src/dialects/sqlite/session.ts";
import { createSqliteDialect } from "../../../src/dialects/sqlite/index.ts";
import { sqliteFixture } from "./fixture.ts";

const open = (url: string) => {
  const dialect = createSqliteDialect({ url, described: url });
  onTestFinished(() => dialect.driver.close());
  return dialect;
};

describe("sqlite URLs", () => {
  it("reads every accepted form", () => {
    expect(parseSqliteUrl("file:./data/app.db", "x")).toEqual({ kind: "file", path: resolve("data/app.db") });
    expect(parseSqliteUrl("file:/abs/path.db", "x")).toEqual({ kind: "file", path: "/abs/path.db" });
    expect(parseSqliteUrl("file:///abs/path.db", "x")).toEqual({ kind: "file", path: "/abs/path.db" });
    expect(parseSqliteUrl("file:///abs/my%20db.db?mode=rwc", "x")).toEqual({ kind: "file", path: "/abs/my db.db" });
    expect(parseSqliteUrl("sqlite:path.db", "x")).toEqual({ kind: "file", path: resolve("path.db") });
    expect(parseSqliteUrl("sqlite://path.db", "x")).toEqual({ kind: "file", path: resolve("path.db") });
    expect(parseSqliteUrl("sqlite::memory:", "x")).toEqual({ kind: "memory" });
    expect(parseSqliteUrl("file::memory:", "x")).toEqual({ kind: "memory" });
    expect(parseSqliteUrl("libsql://db.example.com?authToken=tok3n", "x")).toEqual({ kind: "remote", url: "libsql://db.example.com", authToken: "tok3n" });
  });

  it("never names a token, and rejects URLs without a path or host", () => {
    expect(describeSqliteTarget(parseSqliteUrl("libsql://db.example.com:8080/?authToken=tok3n", "x"))).toBe("libSQL database libsql://db.example.com:8080");
    expect(() => parseSqliteUrl("sqlite:", "sqlite:")).toThrow(expect.objectContaining({ code: "URL_INVALID", exitCode: 2 }));
    expect(() => parseSqliteUrl("libsql://", "libsql://")).toThrow(expect.objectContaining({ code: "URL_INVALID" }));
  });
});

describe("sqlite driver", () => {
  it("creates the folder of a new database file, and turns foreign keys on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-sqlite-dir-"));
    const file = join(dir, "data", "nested", "strata.db");
    const dialect = open(`file:${file}`);
    const session = await dialect.driver.open();
    expect(existsSync(file)).toBe(true);
    expect((await session.execute("pragma foreign_keys")).rows).toEqual([{ foreign_keys: 1 }]);
    expect((await session.execute("pragma busy_timeout")).rows).toEqual([{ timeout: 5000 }]);
  });

  it("read-only sessions create nothing and write nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-sqlite-ro-"));
    const file = join(dir, "data", "strata.db");
    const url = `file:${file}`;
    const reader = createSqliteDialect({ url, described: url, readOnly: true });
    onTestFinished(() => reader.driver.close());
    const missing = await reader.driver.open();
    expect(await reader.introspector.listTables(missing)).toEqual([]);
    expect(await reader.adapter.tableExists(missing, "migrations")).toBe(false);
    expect(existsSync(join(dir, "data"))).toBe(false);
    await expect(missing.execute("create table t (x)")).rejects.toMatchObject({ code: "DATABASE_ERROR" });

    const writer = await open(url).driver.open();
    await writer.execute("create table t (x)");
    const existing = await reader.driver.open();
    expect(await reader.introspector.listTables(existing)).toEqual(["t"]);
    await expect(existing.execute("insert into t values (1)")).rejects.toMatchObject({ code: "DATABASE_ERROR" });
    expect((await writer.execute("select count(*) as n from t")).rows).toEqual([{ n: 0 }]);
  });

  it("leaves the journal mode of an existing database as it is", async () => {
    const db = await sqliteFixture();
    await db.session.execute("pragma journal_mode = wal");
    const again = await open(db.url).driver.open();
    expect((await again.execute("pragma journal_mode")).rows).toEqual([{ journal_mode: "wal" }]);
    const fresh = await sqliteFixture();
    expect((await fresh.session.execute("pragma journal_mode")).rows).toEqual([{ journal_mode: "delete" }]);
  });

  it("converts parameters: booleans, dates, JSON, bytes, bigints", async () => {
    const db = await sqliteFixture();
    await db.exec("create table v (b, d, o, a, buf, u8, big, n)");
    const date = new Date("2026-01-02T03:04:05.678Z");
    const result = await db.session.execute("insert into v values (?, ?, ?, ?, ?, ?, ?, ?)", [true, date, { a: 1 }, [1, "x"], Buffer.from("hi"), new Uint8Array([1, 2]), 2n ** 40n, undefined]);
    expect(result.rowCount).toBe(1);
    const [row] = await db.rows("select b, d, o, a, buf, u8, big, n, typeof(buf) as t from v");
    expect(row).toEqual({ b: 1, d: "2026-01-02T03:04:05.678Z", o: '{"a":1}', a: '[1,"x"]', buf: Buffer.from("hi"), u8: Buffer.from([1, 2]), big: 2 ** 40, n: null, t: "blob" });
  });

  it("reports changed rows for writes, returned rows for queries, none for DDL", async () => {
    const db = await sqliteFixture();
    expect((await db.session.execute("create table t (x)")).rowCount).toBe(0);
    expect((await db.session.execute("insert into t values (1), (2), (3)")).rowCount).toBe(3);
    expect((await db.session.execute("create index t_x on t (x)")).rowCount).toBe(0);
    expect((await db.session.execute("update t set x = x + 1 where x > 1")).rowCount).toBe(2);
    expect((await db.session.execute("select * from t")).rowCount).toBe(3);
    expect((await db.session.execute("delete from t returning x")).rowCount).toBe(3);
  });

  it("wraps errors with SQLite's code and the statement, never the bound values", async () => {
    const db = await sqliteFixture();
    await db.exec("create table t (email text unique)");
    await db.session.execute("insert into t values (?)", ["s3cret@example.com"]);
    const error = await db.session.execute("insert into t values (?)", ["s3cret@example.com"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_CONSTRAINT_UNIQUE", statement: "insert into t values (?)" } });
    expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details })).not.toContain("s3cret");
    await expect(db.session.execute("selec 1")).rejects.toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_ERROR", statement: "selec 1" } });
    await expect(db.session.executeScript("create table a (x); create tabel b (x);")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_ERROR" } });
  });

  it("a path that cannot be opened is CONNECTION_FAILED", async () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-sqlite-dir-"));
    await expect(open(`file:${dir}`).driver.open()).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
  });

  it("sessions on :memory: share one database", async () => {
    const dialect = open("sqlite::memory:");
    const a = await dialect.driver.open();
    const b = await dialect.driver.open();
    await a.execute("create table t (x)");
    await a.close();
    expect(await dialect.introspector.listTables(b)).toEqual(["t"]);
  });

  it("splits scripts with CREATE TRIGGER bodies", () => {
    const { compiler } = createSqliteDialect({ url: "sqlite::memory:", described: "sqlite::memory:" });
    const parts = compiler.splitStatements(`create table t (x); create trigger tr after insert on t begin update t set x = 1; delete from t where x = 'end;'; end; begin immediate; commit;`);
    expect(parts).toEqual([
      "create table t (x)",
      "create trigger tr after insert on t begin update t set x = 1; delete from t where x = 'end;'; end",
      "begin immediate",
      "commit",
    ]);
  });
});

describe("remote libSQL", () => {
  it("an unreachable server is CONNECTION_FAILED, naming the server but not the token", async () => {
    const { createServer } = await import("node:net");
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    const dialect = open(`libsql://127.0.0.1:${port}?tls=0&authToken=t0ken-s3cret`);
    const error = await dialect.driver.open().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect((error as Error).message).toContain(`libSQL database libsql://127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain("t0ken-s3cret");
  });
});

describe("sqlite errors", () => {
  it("a double-quoted string read as a column name gets a hint saying so", () => {
    const error = wrapSqliteError(Object.assign(new Error("no such column: SHORTLET"), { code: "SQLITE_ERROR" }), `create table l (type text check (type in ("SHORTLET")))`);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", hint: expect.stringContaining("'SHORTLET'") });
    expect(wrapSqliteError(new Error("no such column: nme"), "select nme from t").hint).toBeUndefined();
  });
});
