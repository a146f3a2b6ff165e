import { describe, expect, it } from "vitest";
import { parseCreateIndex, parseCreateTable } from "../../../src/dialects/sqlite/parse-create-table.ts";
import { sqliteFixture } from "./fixture.ts";

describe("sqlite introspector", () => {
  it("reads tables written by hand: quoting styles, named and unnamed constraints, keys without column lists", async () => {
    const db = await sqliteFixture();
    await db.exec(`
      create table [Accounts] (id integer primary key, "org id" integer, region text, unique ("org id", region));
      create table \`members\` (
        -- comments, and strings holding ( and , do not confuse the reader
        id integer primary key autoincrement,
        account_id integer constraint "member account" references Accounts on delete cascade on update set null,
        org integer,
        region text default 'a,(b)',
        age integer check (age >= 0 and age < 200),
        role text not null default 'user' constraint role_ok check (role in ('user', 'admin')),
        foreign key (org, region) references accounts ("org id", region) deferrable initially deferred,
        constraint positive_id check ((id > 0)),
        check (length(region) < 10)
      );
      create index members_adult on members (age) where age >= 18 and role <> 'x';
      create index members_lower_region on members (lower(region), age desc);
    `);
    const t = await db.table("MEMBERS");
    expect(t.name).toBe("members");
    expect(t.columns.map((c) => [c.name, c.type, c.nullable, c.default, c.autoIncrement])).toEqual([
      ["id", "integer", false, null, true],
      ["account_id", "integer", true, null, false],
      ["org", "integer", true, null, false],
      ["region", "text", true, "'a,(b)'", false],
      ["age", "integer", true, null, false],
      ["role", "text", false, "'user'", false],
    ]);
    expect(t.foreignKeys).toEqual([
      { name: "member account", columns: ["account_id"], refTable: "Accounts", refColumns: ["id"], onDelete: "cascade", onUpdate: "set null" },
      { name: "members_org_region_fkey", columns: ["org", "region"], refTable: "accounts", refColumns: ["org id", "region"], onDelete: "no action", onUpdate: "no action" },
    ]);
    expect(t.checks).toEqual([
      { name: "members_age_check", expression: "age >= 0 and age < 200" },
      { name: "members_check", expression: "length(region) < 10" },
      { name: "positive_id", expression: "(id > 0)" },
      { name: "role_ok", expression: "role in ('user', 'admin')" },
    ]);
    expect(t.indexes).toEqual([
      { name: "members_adult", columns: ["age"], unique: false, where: "age >= 18 and role <> 'x'" },
      { name: "members_lower_region", columns: ["lower(region)", "age"], unique: false },
    ]);

    const accounts = await db.table("accounts");
    expect(accounts.columns[0]).toEqual({ name: "id", type: "integer", nullable: false, default: null, autoIncrement: false });
    expect(accounts.indexes).toEqual([{ name: "sqlite_autoindex_Accounts_1", columns: ["org id", "region"], unique: true }]);
  });

  it("lists tables without SQLite's own, and schema() sorts and excludes", async () => {
    const db = await sqliteFixture();
    await db.exec(`create table zeta (id integer primary key autoincrement); create table alpha (id integer); create table migrations (id text); create view v as select 1; insert into zeta default values;`);
    expect(await db.dialect.introspector.listTables(db.session)).toEqual(["alpha", "migrations", "zeta"]);
    const schema = await db.dialect.introspector.schema(db.session, { exclude: ["migrations"] });
    expect(schema.tables.map((t) => t.name)).toEqual(["alpha", "zeta"]);
    expect(await db.dialect.introspector.table(db.session, "v")).toBeUndefined();
    expect(await db.dialect.introspector.table(db.session, "missing")).toBeUndefined();
  });

  it("WITHOUT ROWID keys are NOT NULL; a plain INTEGER column in a composite key is not a rowid", async () => {
    const db = await sqliteFixture();
    await db.exec(`create table kv (k text primary key, v blob) without rowid; create table pair (a integer, b integer, primary key (a, b));`);
    expect((await db.table("kv")).columns.map((c) => c.nullable)).toEqual([false, true]);
    expect((await db.table("pair")).columns.map((c) => c.nullable)).toEqual([true, true]);
  });
});

describe("sqlite CREATE TABLE reader", () => {
  it("splits columns and constraints, keeping each one's text", () => {
    const parsed = parseCreateTable(`CREATE TABLE "a""b" ("x y" TEXT COLLATE NOCASE NOT NULL DEFAULT 'it''s', [n] numeric(10, 2) default -1.5, constraint "c,1" check ("x y" <> ')'), primary key ("x y")) strict`)!;
    expect(parsed.options).toBe("strict");
    expect(parsed.columns.map((c) => [c.name, c.type, c.segments.map((s) => s.kind)])).toEqual([
      ["x y", "TEXT", ["collate", "notnull", "default"]],
      ["n", "numeric(10, 2)", ["default"]],
    ]);
    expect(parsed.columns[0].segments[2].text).toBe("DEFAULT 'it''s'");
    expect(parsed.constraints.map((c) => [c.kind, c.name, c.columns, c.check])).toEqual([
      ["check", "c,1", [], `"x y" <> ')'`],
      ["primary", undefined, ["x y"], undefined],
    ]);
    expect(parseCreateTable("create virtual table f using fts5(a)")).toBeUndefined();
  });

  it("reads an index's terms and WHERE clause", () => {
    expect(parseCreateIndex(`create unique index "i" on "t" ("a", lower(b) desc) where "a" is not null`)).toEqual({ terms: ["a", "lower(b) desc"], where: `"a" is not null` });
    expect(parseCreateIndex(`create index i on t (a)`)).toEqual({ terms: ["a"] });
  });
});
