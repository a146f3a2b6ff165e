import { expect, it } from "vitest";
import { createPostgresDialect } from "../../../src/dialects/postgres/index.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { describeUrl } from "../../../src/util/redact.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("binds every value kind strata passes: JSON objects and arrays, dates, bytes, bigints", async () => {
    const h = await postgresHarness();
    await h.apply(() =>
      Schema.createTable("vals", [Schema.id(), Schema.json("doc", { nullable: true }), Schema.timestampTz("at", { nullable: true }), Schema.binary("bytes", { nullable: true }), Schema.bigInteger("big", { nullable: true }), Schema.boolean("flag", { nullable: true })]),
    );
    const at = new Date("2026-01-02T03:04:05.678Z");
    const result = await h.session.execute(`insert into "vals" ("doc", "at", "bytes", "big", "flag") values ($1, $2, $3, $4, $5), ($6, null, null, $7, null)`, [
      { a: [1, 2], b: "x" },
      at,
      Buffer.from([0, 1, 255]),
      9007199254740993n,
      false,
      [1, "two"],
      42,
    ]);
    expect(result.rowCount).toBe(2);
    const rows = await h.rows(`select "doc", "at", "bytes", "big", "flag" from "vals" order by "id"`);
    expect(rows[0]).toEqual({ doc: { a: [1, 2], b: "x" }, at, bytes: Buffer.from([0, 1, 255]), big: 9007199254740993n, flag: false });
    expect(rows[1]).toEqual({ doc: [1, "two"], at: null, bytes: null, big: 42, flag: null });
    expect((await h.session.execute(`update "vals" set "flag" = true`)).rowCount).toBe(2);
    expect(await h.rows(`select count(*) as n from "vals"`)).toEqual([{ n: 2 }]);
    // A timestamp without time zone keeps a Date's UTC wall time and reads back as the same instant, whatever the host's zone.
    await h.session.execute(`alter table "vals" add column "plain" timestamp`);
    await h.session.execute(`update "vals" set "plain" = $1`, [at]);
    expect(await h.rows(`select distinct "plain", "plain"::text as text, current_setting('TimeZone') as tz from "vals"`)).toEqual([{ plain: at, text: "2026-01-02 03:04:05.678", tz: "UTC" }]);
    // Strings for date types go as written, read in the session's zone (UTC), not the host's; a date reads back as its text.
    expect(await h.rows(`select $1::timestamptz as tz, $2::date as d, $3::date as from_date`, ["2026-05-06 07:08:09", "2026-05-06", at])).toEqual([
      { tz: new Date("2026-05-06T07:08:09Z"), d: "2026-05-06", from_date: "2026-01-02" },
    ]);
    expect(await h.session.execute(`select 1 as a; select 2 as b`)).toEqual({ rows: [{ b: 2 }], rowCount: 1 });
    // A string for a JSON column is JSON text; an object bound where text is expected arrives as JSON text.
    await h.session.execute(`update "vals" set "doc" = $1 where "big" = $2`, ['"just a string"', 42]);
    expect(await h.rows(`select "doc", $1::text as t from "vals" where "big" = 42`, [{ k: "v" }])).toEqual([{ doc: "just a string", t: '{"k":"v"}' }]);
  });

  it("runs a multi-statement script in one call and wraps its errors with SQLSTATE, line and column", async () => {
    const h = await postgresHarness();
    await h.session.executeScript(`create table t (a int);\ninsert into t values (1);\ninsert into t values (2)`);
    expect(await h.rows(`select a from t order by a`)).toEqual([{ a: 1 }, { a: 2 }]);

    const script = `insert into t values (3);\nselect\n  nosuch from t`;
    const error = await h.session.executeScript(script).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "42703", line: 3, column: 3, statement: expect.stringContaining("nosuch") } });
    expect((error as Error).message).toMatch(/column "nosuch" does not exist \[42703\] \(line 3, column 3\)/);
  });

  it("never puts a bound value in an error", async () => {
    const h = await postgresHarness();
    const statement = `select $1::int as n,\n  missing_column`;
    const first = await h.session.execute(statement, ["s3cret-value"]).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "42703", line: 2, column: 3 } });
    const second = await h.session.execute(`select $1::int as n`, ["s3cret-value"]).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "22P02" } });
    for (const error of [first, second]) {
      expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details, cause: (error as Error).cause })).not.toContain("s3cret-value");
    }
    expect((second as Error).message).toContain("invalid input syntax for type integer");
  });

  it("reports a connection failure without the password", async () => {
    const url = "postgres://someone:s3cretpw@127.0.0.1:1/nothing";
    const dialect = createPostgresDialect({ url, described: describeUrl(url) });
    const error = await dialect.driver.open().catch((e: unknown) => e);
    await dialect.driver.close();
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect((error as Error).message).toContain("postgres://someone:***@127.0.0.1:1/nothing");
    expect(JSON.stringify({ m: (error as Error).message, h: (error as { hint: string }).hint, c: String((error as Error).cause) })).not.toContain("s3cretpw");

    const missing = createPostgresDialect({ url: `${(await postgresHarness()).db.url}_absent`, described: "the test server" });
    await expect(missing.driver.open()).rejects.toMatchObject({ code: "CONNECTION_FAILED", message: expect.stringContaining("does not exist") });
    await missing.driver.close();
  });

  it("sets application name and timeouts per session, and resetSession restores them", async () => {
    const h = await postgresHarness({ statementTimeoutMs: 300, ddlLockTimeoutMs: 700 });
    const show = async () => (await h.rows(`select current_setting('application_name') as app, current_setting('statement_timeout') as st, current_setting('lock_timeout') as lt`))[0];
    expect(await show()).toEqual({ app: expect.stringMatching(new RegExp(`^strata ${process.pid}@`)), st: "300ms", lt: "700ms" });
    await h.session.executeScript(`set statement_timeout = 0; set lock_timeout = '1s'; set application_name = 'other'`);
    await h.dialect.adapter.resetSession(h.session);
    expect(await show()).toMatchObject({ st: "300ms", lt: "700ms", app: expect.stringMatching(/^strata /) });
    await expect(h.session.execute(`select pg_sleep(5)`)).rejects.toMatchObject({ details: { databaseCode: "57014" } });
    // CREATE DATABASE may take longer than 300 ms on a busy machine.
    await h.session.executeScript("set statement_timeout = 0");
    const scratch = await h.dialect.adapter.scratchDatabase(h.session);
    const exists = async () => (await h.session.execute("select 1 from pg_database where datname = $1", [new URL(scratch.url).pathname.slice(1)])).rows.length;
    expect(await exists()).toBe(1);
    await scratch.drop();
    expect(await exists()).toBe(0);
  });

  it("keeps a session's state away from the next session that reuses its connection", async () => {
    const h = await postgresHarness({ poolSize: 1 });
    const pid = (await h.rows(`select pg_backend_pid() as pid`))[0].pid;
    await h.dialect.adapter.begin(h.session);
    await h.session.executeScript(`create table leftover (a int); set search_path to pg_catalog; select pg_advisory_lock(42)`);
    await h.session.close();

    const next = await h.open();
    const [state] = (await next.execute(`select pg_backend_pid() as pid, current_setting('search_path') as path, (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks`)).rows;
    expect(state).toEqual({ pid, path: '"$user", public', locks: 0 });
    expect(await h.dialect.adapter.tableExists(next, "leftover")).toBe(false);
  });
}, ["postgres"]);
