import { expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { column, postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("creates a table with every column type and modifier, read back through the introspector", async () => {
    const h = await postgresHarness();
    await h.apply(() => {
      Schema.createTable("users", [Schema.id(), Schema.string("email", { unique: true })]);
      Schema.createTable(
        "everything",
        [
          Schema.id(),
          Schema.uuid("uid", { nullable: true }),
          Schema.string("name", 100, { default: "anon", comment: "display name, it's \\ quoted" }),
          Schema.text("bio", { nullable: true }),
          Schema.integer("age", { default: 18 }),
          Schema.bigInteger("big", { nullable: true, index: true }),
          Schema.smallInteger("small", { default: 0 }),
          Schema.boolean("active", { default: true }),
          Schema.decimal("price", 12, 4, { default: 0 }),
          Schema.float("ratio", { nullable: true }),
          Schema.double("score", { nullable: true }),
          Schema.date("born", { nullable: true }),
          Schema.time("at", { nullable: true }),
          Schema.time("at_tz", { nullable: true, tz: true }),
          Schema.timestamp("seen", { nullable: true }),
          Schema.timestampTz("seen_tz", { defaultRaw: "now()" }),
          Schema.json("meta", { default: { a: 1 } }),
          Schema.binary("blob", { nullable: true }),
          Schema.enum("status", ["active", "it's"], { default: "active" }),
          Schema.foreignKey("owner_id", "users", "id", { onDelete: "cascade", onUpdate: "restrict", nullable: true }),
          Schema.integer("manager_id", { nullable: true, references: { table: "users", onDelete: "set null" } }),
          Schema.string("code", 16, { unique: true, nullable: true }),
          Schema.timestamps(),
        ],
        { comment: "all the types" },
      );
    });

    const t = await h.table("everything");
    const types = Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      id: "bigint",
      uid: "uuid",
      name: "character varying(100)",
      bio: "text",
      age: "integer",
      big: "bigint",
      small: "smallint",
      active: "boolean",
      price: "numeric(12,4)",
      ratio: "real",
      score: "double precision",
      born: "date",
      at: "time without time zone",
      at_tz: "time with time zone",
      seen: "timestamp without time zone",
      seen_tz: "timestamp with time zone",
      meta: "jsonb",
      blob: "bytea",
      status: "text",
      owner_id: "bigint",
      manager_id: "integer",
      code: "character varying(16)",
      created_at: "timestamp without time zone",
      updated_at: "timestamp without time zone",
    });
    expect(t.primaryKey).toEqual(["id"]);
    expect(column(t, "id")).toMatchObject({ autoIncrement: true, nullable: false });
    expect(column(t, "uid").nullable).toBe(true);
    expect(column(t, "age")).toMatchObject({ nullable: false, default: "18", autoIncrement: false });
    expect(column(t, "name").default).toBe("'anon'::character varying");
    expect(column(t, "active").default).toBe("true");
    expect(column(t, "meta").default).toBe(`'{"a": 1}'::jsonb`);
    expect(column(t, "status").default).toBe("'active'::text");
    expect(column(t, "seen_tz").default).toBe("now()");
    expect(column(t, "created_at").default).toBe("CURRENT_TIMESTAMP");
    expect(column(t, "name").comment).toBe("display name, it's \\ quoted");
    expect(column(t, "bio").comment).toBeUndefined();
    expect(t.comment).toBe("all the types");

    expect(t.indexes).toEqual([
      { name: "everything_big_idx", columns: ["big"], unique: false },
      { name: "everything_code_key", columns: ["code"], unique: true },
    ]);
    expect(t.foreignKeys).toEqual([
      { name: "everything_manager_id_fkey", columns: ["manager_id"], refTable: "users", refColumns: ["id"], onDelete: "set null", onUpdate: "no action" },
      { name: "everything_owner_id_fkey", columns: ["owner_id"], refTable: "users", refColumns: ["id"], onDelete: "cascade", onUpdate: "restrict" },
    ]);
    expect(t.checks).toHaveLength(1);
    expect(t.checks[0].name).toBe("everything_status_check");
    expect(t.checks[0].expression).toContain("'it''s'::text");
    expect((await h.table("users")).indexes).toEqual([{ name: "users_email_key", columns: ["email"], unique: true }]);
  });

  it("enforces what it created: enum check, foreign key actions, identity, defaults", async () => {
    const h = await postgresHarness();
    await h.apply(() => {
      Schema.createTable("users", [Schema.id(), Schema.string("email")]);
      Schema.createTable("posts", [
        Schema.id(),
        Schema.foreignKey("user_id", "users", "id", { onDelete: "cascade" }),
        Schema.enum("state", ["draft", "published"], { default: "draft" }),
        Schema.json("tags", { default: ["a"] }),
        Schema.timestamps(),
      ]);
    });
    await h.session.execute(`insert into "users" ("email") values ($1), ($2)`, ["a@x", "b@x"]);
    const users = await h.rows(`select "id" from "users" order by "id"`);
    expect(users.map((u) => u.id)).toEqual([1, 2]);
    await h.session.execute(`insert into "posts" ("user_id") values ($1)`, [1]);
    const [post] = await h.rows(`select "state", "tags", "created_at" from "posts"`);
    expect(post.state).toBe("draft");
    expect(post.tags).toEqual(["a"]);
    expect(post.created_at).toBeInstanceOf(Date);

    await expect(h.session.execute(`insert into "posts" ("user_id", "state") values ($1, $2)`, [1, "deleted"])).rejects.toMatchObject({
      code: "DATABASE_ERROR",
      details: { databaseCode: "23514" },
    });
    await expect(h.session.execute(`insert into "posts" ("user_id") values ($1)`, [99])).rejects.toMatchObject({ details: { databaseCode: "23503" } });
    await h.session.execute(`delete from "users" where "id" = $1`, [1]);
    expect(await h.rows(`select * from "posts"`)).toEqual([]);
  });

  it("drops and renames tables, and rolls DDL back inside a transaction", async () => {
    const h = await postgresHarness();
    await h.apply(() => {
      Schema.createTable("a", [Schema.id()]);
      Schema.createTable("b", [Schema.id()]);
    });
    await h.apply(() => Schema.renameTable("a", "a2"));
    await h.apply(() => Schema.dropTable("b"));
    await h.apply(() => Schema.dropTableIfExists("nothing_here"));
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["a2"]);
    expect(await h.dialect.adapter.tableExists(h.session, "a2")).toBe(true);
    expect(await h.dialect.adapter.tableExists(h.session, "a")).toBe(false);

    await h.dialect.adapter.begin(h.session);
    await h.apply(() => {
      Schema.createTable("inside", [Schema.id()]);
      Schema.dropTable("a2");
    });
    await h.dialect.adapter.rollback(h.session);
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["a2"]);

    await h.dialect.adapter.begin(h.session);
    await h.apply(() => Schema.createTable("inside", [Schema.id()]));
    await h.dialect.adapter.commit(h.session);
    expect((await h.dialect.introspector.schema(h.session, { exclude: ["a2"] })).tables.map((t) => t.name)).toEqual(["inside"]);
  });

  it("refuses an identifier longer than 63 bytes before anything runs", async () => {
    const h = await postgresHarness();
    const long = "t".repeat(64);
    const multiByte = "é".repeat(32);
    for (const name of [long, multiByte]) {
      const ops = await h.record(() => Schema.createTable(name, [Schema.id()]));
      await expect(h.dialect.compiler.compileOperation(ops[0], h.catalog)).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
    }
    const column = await h.record(() => Schema.createTable("ok", [Schema.id(), Schema.string("c".repeat(64))]));
    await expect(h.dialect.compiler.compileOperation(column[0], h.catalog)).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
    const index = await h.record(() => Schema.createIndex("ok", ["id"], { name: "i".repeat(64) }));
    await expect(h.dialect.compiler.compileOperation(index[0], h.catalog)).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
    expect(await h.dialect.introspector.listTables(h.session)).toEqual([]);

    // 63 bytes is the most PostgreSQL keeps intact, and it is kept exactly.
    const longest = "t".repeat(63);
    await h.apply(() => Schema.createTable(longest, [Schema.id()]));
    expect(await h.dialect.introspector.listTables(h.session)).toEqual([longest]);
  });
}, ["postgres"]);
