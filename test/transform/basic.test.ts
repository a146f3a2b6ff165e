import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { cat, counters, emailOf, expectTransformShape, fillSql, migrationFile, transformStatus, usersMigration } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const N = 3000;

/** The row function of the method transforms: every tenth row is left as it is. */
const STAMP = `  stamp(row: { id: number; email: string; counter: number }) {
    if (Number(row.id) % 10 === 0) return undefined;
    return { email_hash: "h:" + row.email, counter: row.counter + 1 };
  }`;

const transformMigration = (className: string, call: string, methods = STAMP) =>
  migrationFile(className, `  async up() {\n    ${call}\n  }\n${methods}`);

forEachDialect((dialect) => {
  describe("a method transform", () => {
    it("writes every row once, leaves rows the function returns undefined for, and workers: 0 and 2 agree", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        [`migrations/${CREATE}.ts`]: usersMigration(dialect, N),
        "migrations/20260101000001_create_inline.ts": usersMigration(dialect, N, "users_inline").replace("CreateUsers", "CreateInline"),
        "migrations/20260102000000_stamp.ts": transformMigration("Stamp", `await this.transform("users", { columns: ["email", "counter"], batchSize: 400, workers: 2 }, "stamp");`),
        "migrations/20260102000001_stamp_inline.ts": transformMigration("StampInline", `await this.transform("users_inline", { columns: ["email", "counter"], batchSize: 400, workers: 0 }, "stamp");`),
      });
      // Before any transform: an empty list, and nothing created by asking.
      expect(await transformStatus(dir, db.url)).toEqual({ transforms: [] });
      expect(await tableNames(db.url)).toEqual([]);
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);

      // Every row once; every tenth row untouched (returned undefined).
      expect(await counters(db.url)).toEqual({ 0: N / 10, 1: N - N / 10 });
      const rows = await query(db.url, "select id, email, email_hash, counter from users order by id");
      for (const row of rows) {
        const skipped = Number(row.id) % 10 === 0;
        expect(row.email_hash, `row ${row.id}`).toBe(skipped ? null : `h:${row.email}`);
      }
      // workers: 0 runs the same function in the main thread with the same result.
      const inline = await query(db.url, "select id, email, email_hash, counter from users_inline order by id");
      expect(inline.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(rows.map((r) => ({ ...r, id: Number(r.id) })));

      const status = await transformStatus(dir, db.url);
      expectTransformShape(status);
      expect(status.transforms).toEqual([
        { id: "20260102000000_stamp.users", table: "users", state: "done", rowsDone: N, rowsTotal: N },
        { id: "20260102000001_stamp_inline.users_inline", table: "users_inline", state: "done", rowsDone: N, rowsTotal: N },
      ]);
      expect(Object.values(states(await statusJson(dir, ["--url", db.url])))).toEqual(["applied", "applied", "applied", "applied"]);
    });

    it("hands JSON columns to the row function parsed, and writes returned objects as JSON", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        [`migrations/${CREATE}.ts`]: usersMigration(dialect, 500),
        "migrations/20260102000000_profile.ts": transformMigration(
          "Profile",
          `await this.transform("users", { columns: ["profile", "counter"], batchSize: 100, workers: 1 }, "profile");`,
          `  profile(row: { profile: any; counter: number }) {
    return { profile: { n: row.profile?.n, parsed: typeof row.profile, tags: ["a", "b"] }, counter: row.counter + 1 };
  }`,
        ),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      const rows = await query(db.url, "select id, profile from users order by id");
      expect(rows).toHaveLength(500);
      for (const row of rows) {
        const value = typeof row.profile === "string" ? JSON.parse(row.profile) : row.profile;
        expect(value, `row ${row.id}`).toEqual({ n: Number(row.id), parsed: "object", tags: ["a", "b"] });
      }
    });
  });

  describe("where, { set }, into, a composite key", () => {
    it("filters rows, updates with SQL, copies into a new table, and walks a composite key", async () => {
      const db = await testDatabase(dialect);
      const setup = migrationFile(
        "Tables",
        `  up() {
    Schema.createTable("tagged", [Schema.id(), Schema.integer("kind"), Schema.integer("counter", { default: 0 }), Schema.string("note", { nullable: true })]);
    Schema.raw(${JSON.stringify(fillSql(dialect, "tagged", ["kind"], ["g % 3"], 1500))});
    Schema.createTable("prices", [Schema.id(), Schema.integer("price"), Schema.integer("counter", { default: 0 })]);
    Schema.raw(${JSON.stringify(fillSql(dialect, "prices", ["price"], ["g"], 1500))});
    Schema.createTable("source", [Schema.id(), Schema.string("email"), Schema.integer("counter", { default: 0 })]);
    Schema.raw(${JSON.stringify(fillSql(dialect, "source", ["email"], [emailOf(dialect)], 1200))});
    Schema.createTable("copies", [Schema.integer("id", { primary: true }), Schema.string("email"), Schema.string("email_upper"), Schema.integer("counter")]);
    Schema.createTable("domains", [Schema.integer("id", { primary: true }), Schema.string("domain")]);
    Schema.createTable("memberships", [Schema.integer("org_id", { primary: true }), Schema.integer("user_id", { primary: true }), Schema.string("role", { nullable: true }), Schema.integer("counter", { default: 0 })]);
    Schema.raw(${JSON.stringify(fillSql(dialect, "memberships", ["org_id", "user_id"], ["g % 7", "g"], 2000))});
  }`,
      );
      const dir = await writeProject({
        "migrations/20260101000000_tables.ts": setup,
        "migrations/20260102000000_where.ts": transformMigration(
          "Where",
          `await this.transform("tagged", { columns: ["kind", "counter"], batchSize: 100, workers: 1, where: "kind = 1" }, "bump");`,
          `  bump(row: { kind: number; counter: number }) {
    return { counter: row.counter + 1, note: "seen kind " + row.kind };
  }`,
        ),
        "migrations/20260102000001_set.ts": transformMigration("SetPrices", `await this.transform("prices", { batchSize: 250 }, { set: { price: "price * 2", counter: "counter + 1" } });`),
        "migrations/20260102000002_into.ts": transformMigration(
          "Copy",
          `await this.transform("source", { columns: ["email", "counter"], batchSize: 200, workers: 1, into: "copies" }, "copy");`,
          `  copy(row: { email: string; counter: number }) {
    return { email_upper: row.email.toUpperCase(), counter: row.counter + 1 };
  }`,
        ),
        // into a table without the columns read: only what it has is copied.
        "migrations/20260102000004_narrow.ts": transformMigration(
          "Narrow",
          `await this.transform("source", { columns: ["email", "counter"], batchSize: 500, workers: 1, into: "domains" }, "domain");`,
          `  domain(row: { email: string }) {
    return { domain: row.email.split("@")[1] };
  }`,
        ),
        "migrations/20260102000003_composite.ts": transformMigration(
          "Composite",
          `await this.transform("memberships", { columns: ["counter"], batchSize: 150, workers: 1 }, "role");`,
          `  role(row: { org_id: number; user_id: number; counter: number }) {
    return { role: "r" + row.org_id + "-" + row.user_id, counter: row.counter + 1 };
  }`,
        ),
      });
      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);

      // where: only kind = 1 was read and written; rowsTotal counts the filtered rows.
      const tagged = await query(db.url, "select kind, counter, note, count(*) as n from tagged group by kind, counter, note order by kind");
      expect(tagged.map((r) => [Number(r.kind), Number(r.counter), r.note, Number(r.n)])).toEqual([[0, 0, null, 500], [1, 1, "seen kind 1", 500], [2, 0, null, 500]]);

      // { set }: one SQL update per chunk, every row once.
      expect(await counters(db.url, "prices")).toEqual({ 1: 1500 });
      expect(Number((await query(db.url, "select count(*) as n from prices where price <> id * 2"))[0].n)).toBe(0);

      // into: every source row copied with the function's columns; the source is unchanged.
      expect(await counters(db.url, "source")).toEqual({ 0: 1200 });
      const copies = await query(db.url, "select id, email, email_upper, counter from copies order by id");
      expect(copies).toHaveLength(1200);
      copies.forEach((row, i) => expect({ ...row, id: Number(row.id) }).toEqual({ id: i + 1, email: `user${i + 1}@example.com`, email_upper: `USER${i + 1}@EXAMPLE.COM`, counter: 1 }));

      const domains = await query(db.url, "select domain, count(*) as n, min(id) as first, max(id) as last from domains group by domain");
      expect(domains.map((r) => [r.domain, Number(r.n), Number(r.first), Number(r.last)])).toEqual([["example.com", 1200, 1, 1200]]);

      // Composite key (org_id, user_id): chunks cross org boundaries, every row once.
      expect(await counters(db.url, "memberships")).toEqual({ 1: 2000 });
      const wrong = await query(db.url, `select count(*) as n from memberships where role <> ${cat(dialect, "'r'", "org_id", "'-'", "user_id")}`);
      expect(Number(wrong[0].n)).toBe(0);

      const status = await transformStatus(dir, db.url);
      expectTransformShape(status);
      expect(status.transforms.map((t) => [t.id, t.state, t.rowsDone, t.rowsTotal])).toEqual([
        ["20260102000000_where.tagged", "done", 500, 500],
        ["20260102000001_set.prices", "done", 1500, 1500],
        ["20260102000002_into.source", "done", 1200, 1200],
        ["20260102000003_composite.memberships", "done", 2000, 2000],
        ["20260102000004_narrow.source", "done", 1200, 1200],
      ]);
    });
  });
});

forEachDialect((dialect) => {
  describe("a transform in down()", () => {
    it("runs on every rollback, and after each up again, never mistaken for the up one", async () => {
      const db = await testDatabase(dialect);
      const BUMP = "20260102000000_bump";
      const dir = await writeProject({
        [`migrations/${CREATE}.ts`]: usersMigration(dialect, N),
        [`migrations/${BUMP}.ts`]: migrationFile(
          "Bump",
          `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 500 }, "bump");
  }
  async down() {
    await this.transform("users", { columns: ["counter"], batchSize: 500 }, "unbump");
  }
  bump(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }
  unbump(row: { counter: number }) {
    return { counter: row.counter - 1 };
  }`,
        ),
      });
      const url = ["--url", db.url];
      expectExit(await strata(dir, ["up", ...url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });
      for (let round = 0; round < 2; round++) {
        expectExit(await strata(dir, ["down", "--steps", "1", ...url]), 0);
        expect(await counters(db.url)).toEqual({ 0: N });
        expect(states(await statusJson(dir, url))[BUMP]).toBe("pending");
        expectExit(await strata(dir, ["up", ...url]), 0);
        expect(await counters(db.url)).toEqual({ 1: N });
      }
      // Nothing of the rolled-back runs is left: only the last up's transform.
      expect((await transformStatus(dir, db.url)).transforms.map((t) => [t.id, t.state])).toEqual([[`${BUMP}.users`, "done"]]);
    });
  });
});

forEachDialect((dialect) => {
  describe("a binary primary key", () => {
    it("is walked chunk by chunk like any other: every row once", async () => {
      const db = await testDatabase(dialect);
      const type = { postgres: "bytea", mysql: "binary(16)", sqlite: "blob" }[dialect];
      const bytes = { postgres: "decode(md5(g::text), 'hex')", mysql: "unhex(md5(g))", sqlite: "randomblob(16)" }[dialect];
      const dir = await writeProject({
        [`migrations/${CREATE}.ts`]: migrationFile(
          "CreateKeys",
          `  async up() {
    Schema.raw("create table keyed (id ${type} primary key, counter integer not null default 0)", "drop table keyed");
    Schema.raw(${JSON.stringify(fillSql(dialect, "keyed", ["id"], [bytes], 1000))});
  }`,
        ),
        "migrations/20260102000000_bump.ts": transformMigration("Bump", `await this.transform("keyed", { columns: ["counter"], batchSize: 100, maxBatchSize: 100 }, "bump");`, "  bump(row: { counter: number }) {\n    return { counter: row.counter + 1 };\n  }"),
      });
      const up = await strata(dir, ["up", "--url", db.url], {});
      expectExit(up, 0);
      expect(await counters(db.url, "keyed")).toEqual({ 1: 1000 });
      const chunks = await query(db.url, "select count(*) as n from migrations_transform_chunks");
      expect(Number(chunks[0].n)).toBeLessThanOrEqual(11);
    });
  });
});

