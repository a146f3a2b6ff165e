import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { sqliteFixture } from "./fixture.ts";

describe("sqlite operations: tables", () => {
  it("createTable with every column type and modifier reads back through the introspector", async () => {
    const db = await sqliteFixture();
    await db.apply(() => {
      Schema.createTable("parents", [Schema.id(), Schema.string("code", { unique: true })]);
      Schema.createTable("everything", [
        Schema.id(),
        Schema.uuid("uid", { unique: true }),
        Schema.string("name", 100),
        Schema.string("nick", { nullable: true, default: "it's" }),
        Schema.text("bio", { nullable: true, comment: "SQLite drops this" }),
        Schema.integer("count", { default: 0, index: true }),
        Schema.bigInteger("big", { default: 9007199254740991 }),
        Schema.smallInteger("small", { default: -1 }),
        Schema.boolean("active", { default: true }),
        Schema.decimal("price", 12, 4, { nullable: true }),
        Schema.float("ratio", { nullable: true }),
        Schema.double("score", { nullable: true }),
        Schema.date("born", { nullable: true }),
        Schema.time("at", { nullable: true }),
        Schema.timestamp("seen", { defaultRaw: "CURRENT_TIMESTAMP" }),
        Schema.json("meta", { default: { tags: ["a"] } }),
        Schema.binary("data", { nullable: true }),
        Schema.enum("status", ["new", "it's done"], { default: "new" }),
        Schema.foreignKey("parent_id", "parents", "id", { onDelete: "cascade", onUpdate: "restrict", nullable: true }),
        Schema.integer("other_id", { nullable: true, references: { table: "parents", onDelete: "set null" } }),
      ]);
    });

    const t = await db.table("everything");
    const col = (name: string) => t.columns.find((c) => c.name === name)!;
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "integer"], ["uid", "text"], ["name", "text"], ["nick", "text"], ["bio", "text"], ["count", "integer"],
      ["big", "integer"], ["small", "integer"], ["active", "boolean"], ["price", "numeric"], ["ratio", "real"],
      ["score", "real"], ["born", "text"], ["at", "text"], ["seen", "text"], ["meta", "json"], ["data", "blob"],
      ["status", "text"], ["parent_id", "integer"], ["other_id", "integer"],
    ]);
    expect(col("id")).toEqual({ name: "id", type: "integer", nullable: false, default: null, autoIncrement: true });
    expect(col("name").nullable).toBe(false);
    expect(col("nick")).toMatchObject({ nullable: true, default: "'it''s'", autoIncrement: false });
    expect(col("count").default).toBe("0");
    expect(col("small").default).toBe("-1");
    expect(col("active").default).toBe("1");
    expect(col("seen").default).toBe("CURRENT_TIMESTAMP");
    expect(col("meta").default).toBe(`'{"tags":["a"]}'`);
    expect(t.primaryKey).toEqual(["id"]);
    expect(t.indexes).toEqual([
      { name: "everything_count_idx", columns: ["count"], unique: false },
      { name: "everything_uid_key", columns: ["uid"], unique: true },
    ]);
    expect(t.foreignKeys).toEqual([
      { name: "everything_other_id_fkey", columns: ["other_id"], refTable: "parents", refColumns: ["id"], onDelete: "set null", onUpdate: "no action" },
      { name: "everything_parent_id_fkey", columns: ["parent_id"], refTable: "parents", refColumns: ["id"], onDelete: "cascade", onUpdate: "restrict" },
    ]);
    expect(t.checks).toEqual([{ name: "everything_status_check", expression: `"status" in ('new', 'it''s done')` }]);

    // Storage: text stays text ('0123' is not turned into 123), defaults fill in, booleans are 0/1 (read as true/false).
    await db.session.execute("insert into everything (uid, name, parent_id) values (?, ?, ?)", ["u1", "0123", null]);
    // A json column holds JSON text, read back parsed.
    const [row] = await db.rows("select name, typeof(name) as kind, nick, active, meta, typeof(meta) as meta_kind, status, big from everything");
    expect(row).toEqual({ name: "0123", kind: "text", nick: "it's", active: true, meta: { tags: ["a"] }, meta_kind: "text", status: "new", big: 9007199254740991 });
    expect(await db.rows("select typeof(active) as kind from everything")).toEqual([{ kind: "integer" }]);
    await expect(db.session.execute("insert into everything (uid, name, status) values ('u2', 'x', 'bogus')")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_CHECK" } });
    await expect(db.session.execute("insert into everything (uid, name) values ('u1', 'x')")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_UNIQUE" } });
    await expect(db.session.execute("insert into everything (uid, name, parent_id) values ('u3', 'x', 42)")).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_FOREIGNKEY" } });
  });

  it("composite primary keys are named constraints, and their index is not listed", async () => {
    const db = await sqliteFixture();
    await db.apply(() => Schema.createTable("pairs", [Schema.integer("a", { primary: true }), Schema.string("b", { primary: true }), Schema.text("note", { nullable: true })]));
    const t = await db.table("pairs");
    expect(t.primaryKey).toEqual(["a", "b"]);
    expect(t.indexes).toEqual([]);
    expect(t.columns.filter((c) => !c.nullable).map((c) => c.name)).toEqual(["a", "b"]);
    expect((await db.rows("select sql from sqlite_master where name = 'pairs'"))[0].sql).toContain(`constraint "pairs_pkey" primary key ("a", "b")`);
  });

  it("createTable ifNotExists leaves an existing table and its indexes alone", async () => {
    const db = await sqliteFixture();
    const create = () => Schema.createTable("t", [Schema.id(), Schema.string("email", { unique: true })], { ifNotExists: true });
    await db.apply(create);
    await db.session.execute("insert into t (email) values ('a@b')");
    await db.apply(create);
    expect(await db.rows("select email from t")).toEqual([{ email: "a@b" }]);
    expect((await db.table("t")).indexes.map((i) => i.name)).toEqual(["t_email_key"]);
  });

  it("dropTable removes the table and renameTable moves it, children's foreign keys following", async () => {
    const db = await sqliteFixture();
    await db.apply(() => {
      Schema.createTable("users", [Schema.id(), Schema.string("name")]);
      Schema.createTable("posts", [Schema.id(), Schema.foreignKey("user_id", "users")]);
      Schema.createTable("scratch", [Schema.id()]);
    });
    await db.session.execute("insert into users (name) values ('ann')");
    await db.apply(() => {
      Schema.dropTable("scratch");
      Schema.renameTable("users", "people");
    });
    expect(await db.dialect.adapter.tableExists(db.session, "scratch")).toBe(false);
    expect(await db.dialect.adapter.tableExists(db.session, "users")).toBe(false);
    expect(await db.dialect.introspector.listTables(db.session)).toEqual(["people", "posts"]);
    expect(await db.rows("select name from people")).toEqual([{ name: "ann" }]);
    expect((await db.table("posts")).foreignKeys[0]).toMatchObject({ name: "posts_user_id_fkey", refTable: "people" });
    await db.apply(() => Schema.dropTable("nothing_here", { ifExists: true }));
  });

  it("raw SQL runs statement by statement, CREATE TRIGGER bodies kept whole", async () => {
    const db = await sqliteFixture();
    const ops = await db.record(() =>
      Schema.raw(`create table log (msg text);
create table items (name text);
-- a trigger body holds semicolons
create trigger items_log after insert on items begin
  insert into log (msg) values ('added ' || new.name);
  insert into log (msg) values ('done; really');
end;
insert into items (name) values ('x');`),
    );
    const statements = await db.dialect.compiler.compileOperation(ops[0], db.catalog);
    expect(statements).toHaveLength(4);
    await db.apply(() => Schema.raw(ops[0].kind === "Raw" ? ops[0].sql : ""));
    expect(await db.rows("select msg from log order by rowid")).toEqual([{ msg: "added x" }, { msg: "done; really" }]);
  });
});
