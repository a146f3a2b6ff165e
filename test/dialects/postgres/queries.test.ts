import { expect, it } from "vitest";
import { createPostgresDialect } from "../../../src/dialects/postgres/index.ts";
import type { Query } from "../../../src/schema/query.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("compiles data statements with $n placeholders and runs them", async () => {
    const h = await postgresHarness({ schema: "app" });
    await h.dialect.adapter.prepareForWrites(h.session);
    await h.apply(() => Schema.createTable("people", [Schema.id(), Schema.string("name"), Schema.integer("age", { nullable: true }), Schema.json("tags", { nullable: true })]));
    const run = async (query: Query) => {
      const { sql, params } = h.dialect.compiler.compileQuery(query);
      return h.session.execute(sql, params);
    };
    const insert = await run({ kind: "insert", table: "people", columns: ["name", "age", "tags"], rows: [["ann", 30, ["a"]], ["bob", null, { x: 1 }], ["cy", 12, null]] });
    expect(insert.rowCount).toBe(3);
    expect(h.dialect.compiler.compileQuery({ kind: "insert", table: "people", columns: ["name"], rows: [["a"], ["b"]] }).sql).toBe(`insert into "app"."people" ("name") values ($1), ($2)`);

    const select = await run({ kind: "select", table: "people", columns: ["name", "tags"], where: [{ column: "age", op: ">=", value: 12 }, { column: "name", op: "in", value: ["ann", "cy", "zed"] }], orderBy: [{ column: "name", direction: "desc" }] });
    expect(select.rows).toEqual([{ name: "cy", tags: null }, { name: "ann", tags: ["a"] }]);
    // OFFSET without LIMIT: PostgreSQL takes LIMIT ALL, not -1.
    const offset = await run({ kind: "select", table: "people", columns: ["name"], where: [], orderBy: [{ column: "id", direction: "asc" }], offset: 1 });
    expect(offset.rows).toEqual([{ name: "bob" }, { name: "cy" }]);
    const count = await run({ kind: "select", table: "people", columns: "*", where: [{ column: "age", op: "is null" }], orderBy: [], count: true });
    expect(count.rows).toEqual([{ count: 1 }]);

    expect((await run({ kind: "update", table: "people", values: { age: 31, tags: { y: [2] } }, where: [{ column: "name", op: "=", value: "ann" }] })).rowCount).toBe(1);
    expect((await run({ kind: "delete", table: "people", where: [{ column: "age", op: "<", value: 20 }] })).rowCount).toBe(1);
    expect(await h.rows(`select "name", "age", "tags" from "app"."people" order by "id"`)).toEqual([
      { name: "ann", age: 31, tags: { y: [2] } },
      { name: "bob", age: null, tags: { x: 1 } },
    ]);
  });

  it("accepts postgresql:// and sslmode in the URL, and rejects an unknown sslmode as a URL error", async () => {
    const h = await postgresHarness();
    const url = new URL(h.db.url);
    url.protocol = "postgresql:";
    url.search = "?sslmode=disable";
    const dialect = createPostgresDialect({ url: url.href, described: url.href });
    const session = await dialect.driver.open();
    expect((await session.execute(`select current_database() as db`)).rows).toEqual([{ db: h.db.name }]);
    await session.close();
    await dialect.driver.close();

    url.search = "?sslmode=sometimes";
    const bad = createPostgresDialect({ url: url.href, described: "the url" });
    await expect(bad.driver.open()).rejects.toMatchObject({ code: "URL_INVALID", exitCode: 2 });
    await bad.driver.close();
  });
}, ["postgres"]);
