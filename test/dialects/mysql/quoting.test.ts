import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import type { Query } from "../../../src/schema/query.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { openMysql } from "./setup.ts";

const NASTY = "it's a \\ back\\slash, a \"quote\", a `tick` and \\' both";

forEachDialect(() => {
  describe("identifiers", () => {
    it("quotes names with backticks and spaces, and reads them back exactly", async () => {
      const fx = await openMysql();
      const table = "we`ird table";
      const col = "col `x` y";
      await fx.run(() => {
        Schema.createTable(table, [Schema.id(), Schema.string(col, { unique: true }), Schema.integer("select")]);
        Schema.createIndex(table, ["select", col], { name: "idx `with` tick" });
        Schema.addCheck(table, "check `x`", "`select` > 0");
      });
      const info = await fx.table(table);
      expect(info?.name).toBe(table);
      expect(info?.columns.map((c) => c.name)).toEqual(["id", col, "select"]);
      expect(info?.indexes.find((i) => i.name === "idx `with` tick")?.columns).toEqual(["select", col]);
      expect(info?.checks.map((c) => c.name)).toEqual(["check `x`"]);
      const insert: Query = { kind: "insert", table, columns: [col, "select"], rows: [["v1", 1], ["v2", 2]] };
      const st = fx.dialect.compiler.compileQuery(insert);
      await fx.session.execute(st.sql, st.params);
      const select: Query = { kind: "select", table, columns: [col], where: [{ column: "select", op: ">", value: 1 }], orderBy: [{ column: col, direction: "asc" }] };
      const sel = fx.dialect.compiler.compileQuery(select);
      expect((await fx.session.execute(sel.sql, sel.params)).rows).toEqual([{ [col]: "v2" }]);
      expect(await fx.dialect.introspector.listTables(fx.session)).toEqual([table]);
    });

    it("refuses a 65-character identifier before anything runs, and takes 64 characters even when multi-byte", async () => {
      const fx = await openMysql();
      const ops = await fx.record(() => Schema.createTable("t".repeat(65), [Schema.id()]));
      const error = await fx.compile(ops[0]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "IDENTIFIER_INVALID" });
      expect((error as { hint?: string }).hint).toBeTruthy();
      expect(await fx.dialect.introspector.listTables(fx.session)).toEqual([]);

      const wide = "é".repeat(64);
      await fx.run(() => Schema.createTable(wide, [Schema.id(), Schema.string("c".repeat(64))]));
      expect((await fx.table(wide))?.columns.map((c) => c.name)).toEqual(["id", "c".repeat(64)]);

      const columnOps = await fx.record(() => Schema.addColumn(wide, Schema.string("x".repeat(65))));
      await expect(fx.compile(columnOps[0])).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
      const spaceOps = await fx.record(() => Schema.createTable("trailing ", [Schema.id()]));
      await expect(fx.compile(spaceOps[0])).rejects.toMatchObject({ code: "IDENTIFIER_INVALID" });
    });
  });

  describe("literals", () => {
    it("round-trips defaults, enum values and comments with quotes and backslashes exactly", async () => {
      const fx = await openMysql();
      await fx.run(() =>
        Schema.createTable(
          "lit",
          [
            Schema.id(),
            Schema.string("s", { default: NASTY, comment: NASTY }),
            Schema.text("t", { default: NASTY }),
            Schema.json("j", { default: { text: NASTY } }),
            Schema.enum("e", [NASTY, "plain"], { default: NASTY }),
            Schema.binary("b", { default: NASTY }),
          ],
          { comment: NASTY },
        ),
      );
      const info = await fx.table("lit");
      expect(info?.comment).toBe(NASTY);
      expect(info?.columns.find((c) => c.name === "s")?.comment).toBe(NASTY);
      await fx.session.execute("insert into lit () values ()");
      await fx.session.execute("insert into lit (s, e) values (?, ?)", [NASTY, "plain"]);
      const { rows } = await fx.session.execute("select s, t, j, e, b from lit order by id");
      expect(rows[0]).toEqual({ s: NASTY, t: NASTY, j: { text: NASTY }, e: NASTY, b: Buffer.from(NASTY) });
      expect(rows[1]).toMatchObject({ s: NASTY, e: "plain" });
    });

    it("keeps a migration's NO_BACKSLASH_ESCAPES out of strata's session", async () => {
      const fx = await openMysql();
      await fx.session.execute("set session sql_mode = concat(@@session.sql_mode, ',NO_BACKSLASH_ESCAPES')");
      await fx.dialect.adapter.resetSession(fx.session);
      await fx.run(() => Schema.createTable("lit", [Schema.id(), Schema.string("s", { default: NASTY })]));
      await fx.session.execute("insert into lit (id) values (?)", [1]);
      await fx.session.execute("insert into lit (id, s) values (?, ?)", [2, NASTY]);
      const { rows } = await fx.session.execute("select s from lit order by id");
      expect(rows).toEqual([{ s: NASTY }, { s: NASTY }]);
    });
  });

  describe("data statements", () => {
    it("compiles select, insert, update and delete with bound values", async () => {
      const fx = await openMysql();
      await fx.run(() => Schema.createTable("q", [Schema.id(), Schema.string("name"), Schema.integer("n", { nullable: true })]));
      const run = async (query: Query) => {
        const st = fx.dialect.compiler.compileQuery(query);
        return fx.session.execute(st.sql, st.params);
      };
      const inserted = await run({ kind: "insert", table: "q", columns: ["name", "n"], rows: [["a", 1], ["b'; drop table q; --", 2], ["c", null]] });
      expect(inserted.rowCount).toBe(3);
      const updated = await run({ kind: "update", table: "q", values: { n: 5 }, where: [{ column: "n", op: "is null" }] });
      expect(updated.rowCount).toBe(1);
      const page = await run({ kind: "select", table: "q", columns: ["name"], where: [], orderBy: [{ column: "id", direction: "asc" }], offset: 1 });
      expect(page.rows).toEqual([{ name: "b'; drop table q; --" }, { name: "c" }]);
      const some = await run({ kind: "select", table: "q", columns: "*", where: [{ column: "name", op: "in", value: ["a", "c"] }], orderBy: [], count: true });
      expect(some.rows).toEqual([{ count: 2 }]);
      const deleted = await run({ kind: "delete", table: "q", where: [{ column: "n", op: ">=", value: 2 }] });
      expect(deleted.rowCount).toBe(2);
    });
  });
}, ["mysql"]);
