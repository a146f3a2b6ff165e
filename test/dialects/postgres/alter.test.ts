import { expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { column, postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("adds, drops and renames columns", async () => {
    const h = await postgresHarness();
    await h.apply(() => {
      Schema.createTable("users", [Schema.id()]);
      Schema.createTable("posts", [Schema.id(), Schema.string("title"), Schema.text("legacy", { nullable: true })]);
    });
    await h.session.execute(`insert into "posts" ("title") values ($1)`, ["kept"]);
    await h.apply(() => {
      Schema.addColumn("posts", Schema.string("slug", { nullable: true, unique: true, comment: "url part" }));
      Schema.addColumn("posts", Schema.integer("views", { default: 0, index: true }));
      Schema.addColumn("posts", Schema.foreignKey("author_id", "users", "id", { nullable: true, onDelete: "set null" }));
      Schema.addColumn("posts", Schema.enum("kind", ["a", "b"], { default: "a" }));
      Schema.dropColumn("posts", "legacy");
      Schema.renameColumn("posts", "title", "headline");
    });
    const t = await h.table("posts");
    expect(t.columns.map((c) => c.name)).toEqual(["id", "headline", "slug", "views", "author_id", "kind"]);
    expect(column(t, "slug")).toMatchObject({ type: "character varying(255)", nullable: true, comment: "url part" });
    expect(column(t, "views")).toMatchObject({ nullable: false, default: "0" });
    expect(t.indexes.map((i) => [i.name, i.unique])).toEqual([
      ["posts_slug_key", true],
      ["posts_views_idx", false],
    ]);
    expect(t.foreignKeys).toEqual([{ name: "posts_author_id_fkey", columns: ["author_id"], refTable: "users", refColumns: ["id"], onDelete: "set null", onUpdate: "no action" }]);
    expect(t.checks.map((c) => c.name)).toEqual(["posts_kind_check"]);
    expect(await h.rows(`select "headline", "views", "kind" from "posts"`)).toEqual([{ headline: "kept", views: 0, kind: "a" }]);
  });

  it("alters a column's type, nullability, default, enum values and comment in place, keeping the data", async () => {
    const h = await postgresHarness();
    await h.apply(() =>
      Schema.createTable("items", [
        Schema.id(),
        Schema.string("qty", 20, { default: "1" }),
        Schema.string("note", { nullable: true, comment: "old" }),
        Schema.enum("state", ["new", "old"], { default: "new" }),
        Schema.integer("n", { nullable: true }),
      ]),
    );
    await h.session.execute(`insert into "items" ("qty", "note", "state") values ($1, $2, $3), ($4, $5, $6)`, ["5", "x", "old", "7", "y", "new"]);
    await h.apply(() => {
      Schema.alterColumn("items", Schema.integer("qty", { default: 0 }));
      Schema.alterColumn("items", Schema.text("note"));
      Schema.alterColumn("items", Schema.enum("state", ["new", "old", "archived"], { nullable: true }));
      Schema.alterColumn("items", Schema.bigInteger("n", { nullable: true, unique: true, index: true, comment: "counted" }));
    });
    const t = await h.table("items");
    expect(column(t, "qty")).toMatchObject({ type: "integer", nullable: false, default: "0" });
    expect(column(t, "note")).toMatchObject({ type: "text", nullable: false, default: null });
    expect(column(t, "note").comment).toBeUndefined();
    expect(column(t, "state")).toMatchObject({ type: "text", nullable: true, default: null });
    expect(column(t, "n")).toMatchObject({ type: "bigint", nullable: true, comment: "counted" });
    expect(t.checks).toHaveLength(1);
    expect(t.checks[0].expression).toContain("archived");
    expect(t.indexes.map((i) => i.name)).toEqual(["items_n_idx", "items_n_key"]);
    expect(await h.rows(`select "qty", "state" from "items" order by "id"`)).toEqual([
      { qty: 5, state: "old" },
      { qty: 7, state: "new" },
    ]);
    await h.session.execute(`update "items" set "state" = $1`, ["archived"]);
    await expect(h.session.execute(`update "items" set "state" = $1`, ["gone"])).rejects.toMatchObject({ details: { databaseCode: "23514" } });

    // Making a column NOT NULL over existing nulls fails as a whole: nothing of the ALTER stays.
    await h.session.execute(`insert into "items" ("qty", "note") values ($1, $2)`, [1, "z"]);
    await expect(h.apply(() => Schema.alterColumn("items", Schema.string("state", 50)))).rejects.toMatchObject({ details: { databaseCode: "23502" } });
    expect(column(await h.table("items"), "state").type).toBe("text");
  });

  it("creates unique, multi-column and partial indexes and drops them", async () => {
    const h = await postgresHarness();
    await h.apply(() => Schema.createTable("events", [Schema.id(), Schema.integer("a"), Schema.integer("b"), Schema.boolean("deleted", { default: false })]));
    await h.apply(() => {
      Schema.createIndex("events", ["a", "b"]);
      Schema.createIndex("events", "b", { unique: true, name: "events_b_unique" });
      Schema.createIndex("events", ["a"], { where: "deleted = false", unique: true });
    });
    let t = await h.table("events");
    expect(t.indexes).toEqual([
      { name: "events_a_b_idx", columns: ["a", "b"], unique: false },
      { name: "events_a_key", columns: ["a"], unique: true, where: "deleted = false" },
      { name: "events_b_unique", columns: ["b"], unique: true },
    ]);
    await h.session.execute(`insert into "events" ("a", "b", "deleted") values (1, 1, true), (1, 2, true), (1, 3, false)`);
    await expect(h.session.execute(`insert into "events" ("a", "b") values (1, 4)`)).rejects.toMatchObject({ details: { databaseCode: "23505" } });

    await h.apply(() => {
      Schema.dropIndex("events", ["a", "b"]);
      Schema.dropIndex("events", "events_b_unique");
      Schema.dropIndex("events", ["a"], { unique: true });
    });
    t = await h.table("events");
    expect(t.indexes).toEqual([]);
  });

  it("adds and drops foreign keys, unique and check constraints, and runs raw SQL", async () => {
    const h = await postgresHarness();
    await h.apply(() => {
      Schema.createTable("teams", [Schema.id(), Schema.string("slug")]);
      Schema.createTable("members", [Schema.id(), Schema.bigInteger("team_id"), Schema.string("team_slug"), Schema.integer("age")]);
    });
    await h.apply(() => {
      Schema.addUnique("teams", ["slug"]);
      Schema.addUnique("members", ["team_id", "age"], { name: "members_team_age" });
      Schema.addForeignKey("members", "team_id", "teams", "id", { onDelete: "cascade", onUpdate: "no action" });
      Schema.addForeignKey("members", ["team_slug"], "teams", ["slug"], { name: "members_slug_fk", onUpdate: "cascade" });
      Schema.addCheck("members", "members_age_check", "age >= 0");
      Schema.raw(`create view "adults" as select * from "members" where "age" >= 18; comment on view "adults" is 'grown-ups'`, `drop view "adults"`);
    });
    let t = await h.table("members");
    expect(t.foreignKeys).toEqual([
      { name: "members_slug_fk", columns: ["team_slug"], refTable: "teams", refColumns: ["slug"], onDelete: "no action", onUpdate: "cascade" },
      { name: "members_team_id_fkey", columns: ["team_id"], refTable: "teams", refColumns: ["id"], onDelete: "cascade", onUpdate: "no action" },
    ]);
    expect(t.checks).toEqual([{ name: "members_age_check", expression: "age >= 0" }]);
    expect(t.indexes).toEqual([{ name: "members_team_age", columns: ["team_id", "age"], unique: true }]);
    expect((await h.table("teams")).indexes).toEqual([{ name: "teams_slug_key", columns: ["slug"], unique: true }]);
    expect(await h.rows(`select obj_description('"adults"'::regclass, 'pg_class') as c`)).toEqual([{ c: "grown-ups" }]);
    await expect(h.session.execute(`insert into "members" ("team_id", "team_slug", "age") values (1, 'x', -1)`)).rejects.toMatchObject({ details: { databaseCode: "23514" } });

    await h.apply(() => {
      Schema.dropForeignKey("members", ["team_id"]);
      Schema.dropForeignKey("members", "members_slug_fk");
      Schema.dropUnique("members", "members_team_age");
      Schema.dropUnique("teams", ["slug"]);
      Schema.dropCheck("members", "members_age_check");
      Schema.raw(`drop view "adults"`);
    });
    t = await h.table("members");
    expect(t.foreignKeys).toEqual([]);
    expect(t.checks).toEqual([]);
    expect(t.indexes).toEqual([]);
    expect((await h.table("teams")).indexes).toEqual([]);
    expect(await h.rows(`select count(*) as n from pg_views where viewname = 'adults'`)).toEqual([{ n: 0 }]);
  });
}, ["postgres"]);
