import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { sqliteFixture, type SqliteFixture } from "./fixture.ts";

async function usersTable(db: SqliteFixture) {
  await db.apply(() => Schema.createTable("users", [Schema.id(), Schema.string("name"), Schema.string("email", { nullable: true }), Schema.integer("age", { nullable: true })]));
  await db.session.execute("insert into users (name, email, age) values ('ann', 'a@x', 30), ('bob', null, null)");
}

const columnOf = async (db: SqliteFixture, table: string, name: string) => (await db.table(table)).columns.find((c) => c.name === name);

describe("sqlite operations: columns", () => {
  it("addColumn in place: nullable, NOT NULL with a constant default, unique and indexed", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    const ops = await db.record(() => Schema.addColumn("users", Schema.string("nickname", { nullable: true })));
    expect(await db.dialect.compiler.compileOperation(ops[0], db.catalog)).toHaveLength(1);
    await db.apply(() => {
      Schema.addColumn("users", Schema.string("nickname", { nullable: true }));
      Schema.addColumn("users", Schema.boolean("active", { default: false }));
      Schema.addColumn("users", Schema.string("handle", { nullable: true, unique: true, index: true }));
    });
    const t = await db.table("users");
    expect(t.columns.slice(4)).toEqual([
      { name: "nickname", type: "text", nullable: true, default: null, autoIncrement: false },
      { name: "active", type: "boolean", nullable: false, default: "0", autoIncrement: false },
      { name: "handle", type: "text", nullable: true, default: null, autoIncrement: false },
    ]);
    expect(t.indexes.map((i) => [i.name, i.unique])).toEqual([["users_handle_idx", false], ["users_handle_key", true]]);
    expect(await db.rows("select name, active from users order by id")).toEqual([{ name: "ann", active: false }, { name: "bob", active: false }]);
  });

  it("addColumn that ALTER TABLE cannot do (CURRENT_TIMESTAMP default, NOT NULL foreign key) is a rebuild keeping the rows", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    await db.apply(() => Schema.createTable("teams", [Schema.id(), Schema.string("name")]));
    await db.session.execute("insert into teams (id, name) values (7, 'core')");
    await db.apply(() => {
      Schema.addColumn("users", Schema.timestamp("joined_at", { defaultRaw: "CURRENT_TIMESTAMP" }));
      Schema.addColumn("users", Schema.foreignKey("team_id", "teams", "id", { default: 7, onDelete: "cascade" }));
    });
    const t = await db.table("users");
    expect(t.columns.find((c) => c.name === "joined_at")).toMatchObject({ nullable: false, default: "CURRENT_TIMESTAMP" });
    expect(t.foreignKeys).toEqual([{ name: "users_team_id_fkey", columns: ["team_id"], refTable: "teams", refColumns: ["id"], onDelete: "cascade", onUpdate: "no action" }]);
    const rows = await db.rows("select id, name, team_id, joined_at is not null as stamped from users order by id");
    expect(rows).toEqual([
      { id: 1, name: "ann", team_id: 7, stamped: 1 },
      { id: 2, name: "bob", team_id: 7, stamped: 1 },
    ]);
  });

  it("addColumn NOT NULL without a default fails clearly when the table has rows, and changes nothing", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    const before = await db.table("users");
    const error = await db.apply(() => Schema.addColumn("users", Schema.string("required"))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_CONSTRAINT_TRIGGER" } });
    expect((error as Error).message).toContain(`Column "required" cannot be added to table "users" as NOT NULL without a default`);
    expect(await db.table("users")).toEqual(before);
    expect(await db.rows("select count(*) as n from users")).toEqual([{ n: 2 }]);
  });

  it("dropColumn in place, and through a rebuild when the column is indexed", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    await db.apply(() => Schema.createIndex("users", ["email", "name"]));
    await db.apply(() => Schema.createIndex("users", ["name"]));
    const simple = await db.record(() => Schema.dropColumn("users", "age"));
    expect((await db.dialect.compiler.compileOperation(simple[0], db.catalog)).map((s) => s.sql)).toEqual([`alter table "users" drop column "age"`]);
    await db.apply(() => {
      Schema.dropColumn("users", "age");
      Schema.dropColumn("users", "email");
    });
    const t = await db.table("users");
    expect(t.columns.map((c) => c.name)).toEqual(["id", "name"]);
    expect(t.indexes.map((i) => i.name)).toEqual(["users_name_idx"]);
    expect(await db.rows("select id, name from users order by id")).toEqual([{ id: 1, name: "ann" }, { id: 2, name: "bob" }]);
  });

  it("renameColumn renames it in the table and its indexes", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    await db.apply(() => Schema.createIndex("users", ["email"], { name: "by_email" }));
    await db.apply(() => Schema.renameColumn("users", "email", "mail"));
    const t = await db.table("users");
    expect(t.columns.map((c) => c.name)).toEqual(["id", "name", "mail", "age"]);
    expect(t.indexes).toEqual([{ name: "by_email", columns: ["mail"], unique: false }]);
    expect(await db.rows("select mail from users order by id")).toEqual([{ mail: "a@x" }, { mail: null }]);
  });

  it("alterColumn changes type, default and nullability through a rebuild", async () => {
    const db = await sqliteFixture();
    await db.apply(() => Schema.createTable("items", [Schema.id(), Schema.string("qty"), Schema.string("label", { nullable: true })]));
    await db.session.execute("insert into items (qty, label) values ('12', 'a'), ('7', 'b')");
    await db.apply(() => {
      Schema.alterColumn("items", Schema.integer("qty", { default: 1 }));
      Schema.alterColumn("items", Schema.string("label", { default: "none" }));
    });
    expect(await columnOf(db, "items", "qty")).toEqual({ name: "qty", type: "integer", nullable: false, default: "1", autoIncrement: false });
    expect(await columnOf(db, "items", "label")).toEqual({ name: "label", type: "text", nullable: false, default: "'none'", autoIncrement: false });
    expect(await db.rows("select qty, typeof(qty) as kind, label from items order by id")).toEqual([
      { qty: 12, kind: "integer", label: "a" },
      { qty: 7, kind: "integer", label: "b" },
    ]);
    await db.apply(() => Schema.alterColumn("items", Schema.string("label", { nullable: true })));
    expect(await columnOf(db, "items", "label")).toMatchObject({ nullable: true, default: null });
    await db.session.execute("insert into items (qty) values (3)");
    expect(await db.rows("select qty, label from items where id = 3")).toEqual([{ qty: 3, label: null }]);
  });

  it("alterColumn to NOT NULL over rows holding NULL fails clearly and leaves table and rows as they were", async () => {
    const db = await sqliteFixture();
    await usersTable(db);
    const before = await db.table("users");
    const error = await db.apply(() => Schema.alterColumn("users", Schema.string("email"))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_CONSTRAINT_TRIGGER" } });
    expect((error as Error).message).toContain(`Column "email" of table "users" holds NULL in some rows, so it cannot become NOT NULL`);
    expect(await db.table("users")).toEqual(before);
    expect(await db.rows("select name, email from users order by id")).toEqual([{ name: "ann", email: "a@x" }, { name: "bob", email: null }]);
    expect(await db.rows("select name from sqlite_master where name like '_strata%'")).toEqual([]);
  });

  it("alterColumn of an enum column replaces its check", async () => {
    const db = await sqliteFixture();
    await db.apply(() => Schema.createTable("tasks", [Schema.id(), Schema.enum("state", ["open", "done"])]));
    await db.session.execute("insert into tasks (state) values ('open')");
    await db.apply(() => Schema.alterColumn("tasks", Schema.enum("state", ["open", "done", "won't fix"])));
    expect((await db.table("tasks")).checks).toEqual([{ name: "tasks_state_check", expression: `"state" in ('open', 'done', 'won''t fix')` }]);
    await db.session.execute("insert into tasks (state) values ('won''t fix')");
    await expect(db.session.execute("insert into tasks (state) values ('later')")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_CHECK" } });
  });
});
