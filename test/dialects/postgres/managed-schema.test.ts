import { expect, it } from "vitest";
import { createPostgresDialect } from "../../../src/dialects/postgres/index.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { describeUrl } from "../../../src/util/redact.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("puts tables in a non-public schema, reads them from there, and restores search_path on reset", async () => {
    const h = await postgresHarness({ schema: "app data" });
    expect(h.dialect.compiler.quoteTable("users")).toBe(`"app data"."users"`);
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.apply(() => {
      Schema.createTable("teams", [Schema.id()]);
      Schema.createTable("users", [Schema.id(), Schema.foreignKey("team_id", "teams"), Schema.string("email", { index: true })]);
      Schema.createIndex("users", ["email"], { unique: true, name: "users_email_unique" });
      Schema.renameTable("teams", "groups");
    });
    await h.apply(() => Schema.dropIndex("users", "users_email_unique"));
    // A public table of the same database is not part of the managed schema.
    await h.session.execute(`create table public.outside (a int)`);

    const placed = await h.rows(`select table_schema, table_name from information_schema.tables where table_schema in ('app data', 'public') order by 1, 2`);
    expect(placed).toEqual([
      { table_schema: "app data", table_name: "groups" },
      { table_schema: "app data", table_name: "users" },
      { table_schema: "public", table_name: "outside" },
    ]);
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["groups", "users"]);
    const users = await h.table("users");
    expect(users.foreignKeys).toMatchObject([{ name: "users_team_id_fkey", refTable: "groups" }]);
    expect(users.indexes.map((i) => i.name)).toEqual(["users_email_idx"]);
    expect(await h.dialect.adapter.tableExists(h.session, "users")).toBe(true);
    expect(await h.dialect.adapter.tableExists(h.session, "outside")).toBe(false);

    // Unqualified SQL in a migration lands in the managed schema too.
    await h.session.execute(`create table plain (a int)`);
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["groups", "plain", "users"]);

    // A migration's SET must not leak into what runs after it.
    await h.session.execute(`set search_path to public`);
    expect(await h.rows(`select current_schema() as s`)).toEqual([{ s: "public" }]);
    await h.dialect.adapter.resetSession(h.session);
    expect(await h.rows(`select current_schema() as s`)).toEqual([{ s: "app data" }]);
  });

  it("reads the current schema when none is configured", async () => {
    const h = await postgresHarness();
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.session.executeScript(`create schema other; create table other.hidden (a int); create table visible (a int)`);
    expect(h.dialect.compiler.quoteTable("visible")).toBe(`"visible"`);
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["visible"]);
    expect((await h.dialect.introspector.schema(h.session)).tables.map((t) => t.name)).toEqual(["visible"]);
    expect(await h.dialect.introspector.table(h.session, "hidden")).toBeUndefined();
  });

  it("opens read-only sessions that can read the schema but not change it", async () => {
    const h = await postgresHarness();
    await h.apply(() => Schema.createTable("kept", [Schema.id()]));
    const reader = createPostgresDialect({ url: h.db.url, described: describeUrl(h.db.url), readOnly: true });
    const session = await reader.driver.open();
    try {
      expect(await reader.introspector.listTables(session)).toEqual(["kept"]);
      expect(await reader.adapter.tableExists(session, "kept")).toBe(true);
      await expect(session.execute(`create table "other" (a int)`)).rejects.toMatchObject({ details: { databaseCode: "25006" } });
      await reader.adapter.resetSession(session);
      await expect(session.execute(`insert into "kept" default values`)).rejects.toMatchObject({ details: { databaseCode: "25006" } });
    } finally {
      await session.close();
      await reader.driver.close();
    }
    expect(await h.dialect.introspector.listTables(h.session)).toEqual(["kept"]);
  });
}, ["postgres"]);
