import { describe, expect, it } from "vitest";
import type { Catalog } from "../../../src/dialects/dialect.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { sqliteFixture, type SqliteFixture } from "./fixture.ts";

async function family(db: SqliteFixture) {
  await db.apply(() => {
    Schema.createTable("parents", [Schema.id(), Schema.string("name"), Schema.string("code", { unique: true }), Schema.integer("rank", { nullable: true, index: true })]);
    Schema.createTable("children", [Schema.id(), Schema.foreignKey("parent_id", "parents", "id", { onDelete: "cascade" }), Schema.string("name")]);
  });
  await db.exec(`
    create table audit (msg text);
    create trigger parents_audit after update of name on parents begin
      insert into audit (msg) values ('renamed ' || old.name || ' to ' || new.name);
    end;
    create view parent_names as select name from parents;
    insert into parents (name, code, rank) values ('ann', 'A', 1), ('bob', 'B', 2), ('cid', 'C', 3);
    delete from parents where id = 3;
    insert into children (parent_id, name) values (1, 'a1'), (1, 'a2'), (2, 'b1');
  `);
}

describe("sqlite table rebuild", () => {
  it("altering a parent's column keeps child rows, indexes, triggers, views and the AUTOINCREMENT counter", async () => {
    const db = await sqliteFixture();
    await family(db);
    const indexesBefore = (await db.table("parents")).indexes;
    await db.apply(() => Schema.alterColumn("parents", Schema.text("name", { default: "anonymous" })));

    expect(await db.rows("select id, parent_id, name from children order by id")).toEqual([
      { id: 1, parent_id: 1, name: "a1" },
      { id: 2, parent_id: 1, name: "a2" },
      { id: 3, parent_id: 2, name: "b1" },
    ]);
    const parents = await db.table("parents");
    expect(parents.columns.find((c) => c.name === "name")).toMatchObject({ default: "'anonymous'", nullable: false });
    expect(parents.indexes).toEqual(indexesBefore);
    expect(parents.columns[0]).toMatchObject({ name: "id", autoIncrement: true });
    expect(await db.rows("select name from parent_names order by name")).toEqual([{ name: "ann" }, { name: "bob" }]);
    await db.session.execute("update parents set name = 'anna' where id = 1");
    expect(await db.rows("select msg from audit")).toEqual([{ msg: "renamed ann to anna" }]);
    await expect(db.session.execute("insert into parents (name, code) values ('x', 'A')")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_UNIQUE" } });
    // id 3 was handed out before the rebuild; AUTOINCREMENT never reuses it.
    const inserted = await db.session.execute("insert into parents (code) values ('D') returning id");
    expect(inserted.rows).toEqual([{ id: 4 }]);
    // The child's foreign key points at the rebuilt table and is enforced again.
    await expect(db.session.execute("insert into children (parent_id, name) values (42, 'orphan')")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_FOREIGNKEY" } });
    await db.session.execute("delete from parents where id = 1");
    expect(await db.rows("select name from children order by id")).toEqual([{ name: "b1" }]);
    expect(await db.rows("select name from sqlite_master where name like '%strata%'")).toEqual([]);
  });

  it("a foreign key check failure at commit throws and leaves the database as it was", async () => {
    const db = await sqliteFixture();
    await db.apply(() => {
      Schema.createTable("owners", [Schema.id()]);
      Schema.createTable("pets", [Schema.id(), Schema.bigInteger("owner_id")]);
    });
    await db.exec("insert into owners (id) values (1); insert into pets (owner_id) values (1), (5);");
    const before = await db.table("pets");
    const error = await db.apply(() => Schema.addForeignKey("pets", "owner_id", "owners")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_CONSTRAINT_FOREIGNKEY", statement: "pragma foreign_key_check" } });
    expect((error as Error).message).toContain(`table "pets" rowid 2 references a missing row of "owners"`);
    expect(await db.table("pets")).toEqual(before);
    expect(await db.rows("select id, owner_id from pets order by id")).toEqual([{ id: 1, owner_id: 1 }, { id: 2, owner_id: 5 }]);
    expect(await db.rows("pragma foreign_keys")).toEqual([{ foreign_keys: 1 }]);
  });

  it("rebuild statements refuse to run while foreign keys are on, before touching anything", async () => {
    const db = await sqliteFixture();
    await family(db);
    const ops = await db.record(() => Schema.alterColumn("parents", Schema.text("name", { nullable: true })));
    const statements = await db.dialect.compiler.compileOperation(ops[0], db.catalog);
    await db.session.execute("begin");
    const error = await (async () => {
      for (const s of statements) await db.session.execute(s.sql, s.params);
    })().catch((e: unknown) => e);
    await db.session.execute("rollback");
    expect(error).toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_CHECK" } });
    expect((error as Error).message).toContain("foreign keys are on");
    expect(await db.rows("select count(*) as n from children")).toEqual([{ n: 3 }]);
  });

  it("keeps what the neutral schema cannot say: collations, generated columns, self references, table options", async () => {
    const db = await sqliteFixture();
    await db.exec(`
      create table nodes (
        id integer primary key,
        name text collate nocase not null,
        lower_name text generated always as (lower(name)) virtual,
        parent_id integer references nodes (id) on delete set null,
        note text
      ) strict;
      insert into nodes (id, name, parent_id) values (1, 'Root', null), (2, 'Leaf', 1);
    `);
    await db.apply(() => Schema.alterColumn("nodes", Schema.text("note", { nullable: true, default: "-" })));
    const sql = String((await db.rows("select sql from sqlite_master where name = 'nodes'"))[0].sql);
    expect(sql).toMatch(/\)\s*strict$/);
    expect(await db.rows("select id, lower_name, note from nodes where name = 'ROOT'")).toEqual([{ id: 1, lower_name: "root", note: null }]);
    expect((await db.table("nodes")).foreignKeys).toEqual([{ name: "nodes_parent_id_fkey", columns: ["parent_id"], refTable: "nodes", refColumns: ["id"], onDelete: "set null", onUpdate: "no action" }]);
    await db.session.execute("delete from nodes where id = 1");
    expect(await db.rows("select id, parent_id from nodes")).toEqual([{ id: 2, parent_id: null }]);
  });

  it("works from a catalog that copies the TableInfo (rebuilt from the neutral shape)", async () => {
    const db = await sqliteFixture();
    await family(db);
    const copying: Catalog = { table: async (name) => structuredClone(await db.catalog.table(name)) };
    const ops = await db.record(() => Schema.dropColumn("parents", "rank"));
    await db.dialect.adapter.begin(db.session);
    for (const s of await db.dialect.compiler.compileOperation(ops[0], copying)) await db.session.execute(s.sql, s.params);
    await db.dialect.adapter.commit(db.session);
    const parents = await db.table("parents");
    expect(parents.columns.map((c) => c.name)).toEqual(["id", "name", "code"]);
    expect(parents.indexes.map((i) => i.name)).toEqual(["parents_code_key"]);
    expect(await db.rows("select count(*) as n from children")).toEqual([{ n: 3 }]);
  });
});
