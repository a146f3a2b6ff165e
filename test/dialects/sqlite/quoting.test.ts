import { describe, expect, it } from "vitest";
import { SqliteCompiler } from "../../../src/dialects/sqlite/compiler.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { sqliteFixture } from "./fixture.ts";

describe("sqlite quoting", () => {
  it("tables and columns named with a double quote, a space and a reserved word survive create, rebuild and introspection", async () => {
    const db = await sqliteFixture();
    const table = 'my "odd" table';
    await db.apply(() => {
      Schema.createTable(table, [
        Schema.id(),
        Schema.string("select", { default: "it's \"quoted\"", unique: true }),
        Schema.string('col "x" y', { nullable: true, index: true }),
        Schema.enum("order", ["a'b", 'c"d', "plain"], { default: "a'b" }),
      ]);
    });
    await db.session.execute(`insert into "my ""odd"" table" ("col ""x"" y") values (?)`, ["v"]);
    const t = await db.table(table);
    expect(t.columns.map((c) => c.name)).toEqual(["id", "select", 'col "x" y', "order"]);
    expect(t.columns[1].default).toBe(`'it''s "quoted"'`);
    expect(t.indexes.map((i) => i.name)).toEqual([`${table}_col "x" y_idx`, `${table}_select_key`]);
    expect(t.checks).toEqual([{ name: `${table}_order_check`, expression: `"order" in ('a''b', 'c"d', 'plain')` }]);
    expect(await db.rows(`select "select", "order" from "my ""odd"" table"`)).toEqual([{ select: `it's "quoted"`, order: "a'b" }]);

    // A rebuild reads all of it back from the stored text.
    await db.apply(() => Schema.alterColumn(table, Schema.string('col "x" y', { default: "none" })));
    const after = await db.table(table);
    expect(after.columns[2]).toMatchObject({ name: 'col "x" y', nullable: false, default: "'none'" });
    expect(after.indexes).toEqual(t.indexes);
    expect(after.checks).toEqual(t.checks);
    await expect(db.session.execute(`insert into "my ""odd"" table" ("order") values ('x')`)).rejects.toMatchObject({ details: { databaseCode: "SQLITE_CONSTRAINT_CHECK" } });
    await db.apply(() => Schema.renameColumn(table, "order", "group by"));
    expect((await db.table(table)).columns.map((c) => c.name)).toEqual(["id", "select", 'col "x" y', "group by"]);
  });

  it("never writes a double-quoted string literal", async () => {
    const compiler = new SqliteCompiler();
    const db = await sqliteFixture();
    const ops = await db.record(() => Schema.createTable("t", [Schema.string("s", { default: "no_such_column" }), Schema.enum("e", ["x"])]));
    const [create] = await compiler.compileOperation(ops[0], db.catalog);
    expect(create.sql).toContain(`default 'no_such_column'`);
    expect(create.sql).toContain(`in ('x')`);
    expect(compiler.literal('say "hi"')).toBe(`'say "hi"'`);
    expect(compiler.quoteIdentifier('a"b')).toBe('"a""b"');
  });

  it("rejects identifiers SQLite cannot hold", async () => {
    const compiler = new SqliteCompiler();
    const db = await sqliteFixture();
    expect(() => compiler.quoteIdentifier("")).toThrow(expect.objectContaining({ code: "IDENTIFIER_INVALID" }));
    expect(() => compiler.quoteIdentifier("a\0b")).toThrow(expect.objectContaining({ code: "IDENTIFIER_INVALID" }));
    const ops = await db.record(() => Schema.createTable("x".repeat(1025), [Schema.id()]));
    await expect(compiler.compileOperation(ops[0], db.catalog)).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
    expect(await db.dialect.introspector.listTables(db.session)).toEqual([]);
  });
});
