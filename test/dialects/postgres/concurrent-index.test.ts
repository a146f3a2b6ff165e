import { expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("reports the INVALID index a failed concurrent create leaves, and drops it before the retry", async () => {
    const h = await postgresHarness({ schema: "app" });
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.apply(() => Schema.createTable("accounts", [Schema.id(), Schema.string("email")]));
    await h.session.execute(`insert into "accounts" ("email") values ($1), ($1), ($2)`, ["dup@x", "one@x"]);

    const create = () => Schema.createIndex("accounts", ["email"], { unique: true, concurrently: true });
    await expect(h.apply(create)).rejects.toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "23505" } });
    expect((await h.table("accounts")).indexes).toEqual([{ name: "accounts_email_key", columns: ["email"], unique: true, valid: false }]);

    // The retry without cleanup fails on the leftover name.
    const [op] = await h.record(create);
    const plain = await h.dialect.compiler.compileOperation(op, { table: async () => undefined });
    await h.session.execute(`delete from "accounts" where "id" = (select max("id") from "accounts" where "email" = $1)`, ["dup@x"]);
    await expect(h.session.execute(plain[0].sql)).rejects.toMatchObject({ details: { databaseCode: "42P07" } });

    const statements = await h.dialect.compiler.compileOperation(op, h.catalog);
    expect(statements.map((s) => s.sql)).toEqual([
      `drop index concurrently if exists "app"."accounts_email_key"`,
      `create unique index concurrently "accounts_email_key" on "app"."accounts" ("email")`,
    ]);
    for (const s of statements) await h.session.execute(s.sql, s.params);
    expect((await h.table("accounts")).indexes).toEqual([{ name: "accounts_email_key", columns: ["email"], unique: true }]);
    await expect(h.session.execute(`insert into "accounts" ("email") values ($1)`, ["one@x"])).rejects.toMatchObject({ details: { databaseCode: "23505" } });

    // A valid index of that name is left alone, so the create fails as it should.
    const again = await h.dialect.compiler.compileOperation(op, h.catalog);
    expect(again).toHaveLength(1);
  });

  it("drops an index concurrently, schema-qualified", async () => {
    const h = await postgresHarness({ schema: "app" });
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.apply(() => {
      Schema.createTable("logs", [Schema.id(), Schema.integer("level"), Schema.text("msg")]);
      Schema.createIndex("logs", ["level", "msg"], { where: "level > 2", concurrently: true });
    });
    expect((await h.table("logs")).indexes).toEqual([{ name: "logs_level_msg_idx", columns: ["level", "msg"], unique: false, where: "level > 2" }]);
    await h.apply(() => Schema.dropIndex("logs", ["level", "msg"], { concurrently: true }));
    expect((await h.table("logs")).indexes).toEqual([]);
  });
}, ["postgres"]);
