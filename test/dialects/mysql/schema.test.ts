import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import type { TableInfo } from "../../../src/dialects/dialect.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { openMysql, type MysqlFixture } from "./setup.ts";

const column = (info: TableInfo | undefined, name: string) => {
  const found = info?.columns.find((c) => c.name === name);
  if (!found) throw new Error(`column ${name} not found in ${JSON.stringify(info?.columns.map((c) => c.name))}`);
  return found;
};
const indexNamed = (info: TableInfo | undefined, name: string) => info?.indexes.find((i) => i.name === name);

async function parents(fx: MysqlFixture) {
  await fx.run(() => Schema.createTable("parents", [Schema.id(), Schema.string("code", { unique: true })]));
  await fx.session.execute("insert into parents (code) values (?), (?)", ["p1", "p2"]);
}

forEachDialect(() => {
  describe("createTable", () => {
    it("creates every column type and modifier, read back through the introspector", async () => {
      const fx = await openMysql();
      await parents(fx);
      await fx.run(() =>
        Schema.createTable(
          "everything",
          [
            Schema.id(),
            Schema.uuid("uid", { nullable: true }),
            Schema.string("name", 100, { comment: "display name" }),
            Schema.text("bio", { default: "it's a \\ back" }),
            Schema.integer("count", { default: 0, unsigned: true }),
            Schema.bigInteger("big", { nullable: true }),
            Schema.smallInteger("small", { default: -1 }),
            Schema.boolean("active", { default: true }),
            Schema.decimal("price", 12, 4, { default: 1.5 }),
            Schema.float("ratio", { nullable: true }),
            Schema.double("score", { nullable: true }),
            Schema.date("born", { nullable: true }),
            Schema.time("at", { nullable: true }),
            Schema.timestamp("seen", { precision: 3, defaultRaw: "CURRENT_TIMESTAMP" }),
            Schema.timestampTz("tz", { nullable: true }),
            Schema.json("meta", { default: { tags: ["a", "it's"], n: 1 } }),
            Schema.json("list", { defaultRaw: "json_array()" }),
            Schema.binary("blob", { nullable: true }),
            Schema.binary("hash", { length: 32, nullable: true }),
            Schema.enum("status", ["draft", "it's", "back\\slash"], { default: "draft" }),
            Schema.bigInteger("parent_id", { references: { table: "parents", onDelete: "cascade", onUpdate: "cascade" }, index: true }),
            Schema.foreignKey("owner_id", "parents", "id", { onDelete: "set null", nullable: true }),
            Schema.uuid("token", { unique: true, nullable: true }),
            Schema.timestamps(),
          ],
          { comment: "all the types" },
        ),
      );

      const info = await fx.table("everything");
      expect(info?.comment).toBe("all the types");
      expect(info?.primaryKey).toEqual(["id"]);
      const types = Object.fromEntries(info!.columns.map((c) => [c.name, c.type]));
      expect(types).toEqual({
        id: "bigint",
        uid: "char(36)",
        name: "varchar(100)",
        bio: "text",
        count: "int unsigned",
        big: "bigint",
        small: "smallint",
        active: "tinyint(1)",
        price: "decimal(12,4)",
        ratio: "float",
        score: "double",
        born: "date",
        at: "time",
        seen: "datetime(3)",
        // Milliseconds unless the column says otherwise, as a JavaScript Date has them.
        tz: "datetime(3)",
        meta: "json",
        list: "json",
        blob: "longblob",
        hash: "varbinary(32)",
        status: expect.stringMatching(/^enum\('draft','it''s','back\\\\slash'\)$/),
        parent_id: "bigint",
        owner_id: "bigint",
        token: "char(36)",
        created_at: "datetime(3)",
        updated_at: "datetime(3)",
      });
      expect(column(info, "id").autoIncrement).toBe(true);
      expect(column(info, "name").comment).toBe("display name");
      expect(column(info, "name").nullable).toBe(false);
      expect(column(info, "uid").nullable).toBe(true);
      expect(column(info, "big").default).toBeNull();
      for (const name of ["bio", "count", "small", "active", "price", "seen", "meta", "list", "status", "created_at"]) {
        expect(column(info, name).default, name).not.toBeNull();
      }

      expect(indexNamed(info, "everything_token_key")).toEqual({ name: "everything_token_key", columns: ["token"], unique: true });
      expect(indexNamed(info, "everything_parent_id_idx")).toEqual({ name: "everything_parent_id_idx", columns: ["parent_id"], unique: false });
      // InnoDB's own index for the foreign key without one of its own.
      expect(indexNamed(info, "everything_owner_id_fkey")).toEqual({ name: "everything_owner_id_fkey", columns: ["owner_id"], unique: false });
      const fks = Object.fromEntries(info!.foreignKeys.map((fk) => [fk.name, fk]));
      expect(fks.everything_parent_id_fkey).toMatchObject({ columns: ["parent_id"], refTable: "parents", refColumns: ["id"], onDelete: "cascade", onUpdate: "cascade" });
      expect(fks.everything_owner_id_fkey).toMatchObject({ columns: ["owner_id"], refTable: "parents", refColumns: ["id"], onDelete: "set null" });
      // Unspecified: MariaDB reports RESTRICT, MySQL NO ACTION (the same thing in InnoDB).
      expect(["restrict", "no action"]).toContain(fks.everything_owner_id_fkey.onUpdate);
      // MariaDB's json_valid() checks behind its JSON alias are not user checks.
      expect(info?.checks).toEqual([]);

      // The defaults and the enum values, observed in a row.
      await fx.session.execute("insert into everything (name, price, parent_id) values (?, ?, ?)", ["n", 2, 1]);
      for (const value of ["it's", "back\\slash"]) {
        await fx.session.execute("insert into everything (name, parent_id, status) values (?, ?, ?)", ["v", 1, value]);
      }
      const { rows } = await fx.session.execute("select * from everything order by id");
      expect(rows[0]).toMatchObject({ bio: "it's a \\ back", count: 0, small: -1, active: true, price: "2.0000", meta: { tags: ["a", "it's"], n: 1 }, list: [], status: "draft" });
      expect(rows[0].seen).toBeInstanceOf(Date);
      expect(rows.map((r) => r.status)).toEqual(["draft", "it's", "back\\slash"]);
      await expect(fx.session.execute("insert into everything (name, parent_id, status) values (?, ?, ?)", ["v", 1, "other"])).rejects.toMatchObject({ code: "DATABASE_ERROR" });

      // on delete cascade, through the foreign key read back above.
      await fx.session.execute("delete from parents where id = ?", [1]);
      expect((await fx.session.execute("select count(*) as n from everything")).rows[0].n).toBe(0);
    });

    it("refuses on delete set default, which InnoDB does not implement", async () => {
      const fx = await openMysql();
      await parents(fx);
      const ops = await fx.record(() => Schema.createTable("child", [Schema.id(), Schema.foreignKey("parent_id", "parents", "id", { onDelete: "set default" })]));
      await expect(fx.compile(ops[0])).rejects.toMatchObject({ code: "UNSUPPORTED" });
      expect(await fx.table("child")).toBeUndefined();
    });
  });

  describe("tables", () => {
    it("drops and renames tables", async () => {
      const fx = await openMysql();
      await fx.run(() => {
        Schema.createTable("a", [Schema.id()]);
        Schema.createTable("b", [Schema.id()]);
        Schema.renameTable("a", "renamed");
        Schema.dropTable("b");
        Schema.dropTableIfExists("never_existed");
      });
      expect(await fx.dialect.introspector.listTables(fx.session)).toEqual(["renamed"]);
      expect(await fx.dialect.adapter.tableExists(fx.session, "renamed")).toBe(true);
      expect(await fx.dialect.adapter.tableExists(fx.session, "a")).toBe(false);
      expect(await fx.dialect.adapter.tableExists(fx.session, "RENAMED")).toBe(false);
    });
  });

  describe("columns", () => {
    it("adds columns with unique, index and references", async () => {
      const fx = await openMysql();
      await parents(fx);
      await fx.run(() => {
        Schema.createTable("items", [Schema.id()]);
        Schema.addColumn("items", Schema.string("nickname", { nullable: true, unique: true }));
        Schema.addColumn("items", Schema.integer("rank", { default: 5, index: true, comment: "order" }));
        Schema.addColumn("items", Schema.foreignKey("parent_id", "parents", "id", { nullable: true, onDelete: "cascade" }));
      });
      const info = await fx.table("items");
      expect(column(info, "nickname")).toMatchObject({ type: "varchar(255)", nullable: true });
      expect(column(info, "rank")).toMatchObject({ type: "int", nullable: false, comment: "order" });
      expect(column(info, "rank").default).toMatch(/5/);
      expect(indexNamed(info, "items_nickname_key")?.unique).toBe(true);
      expect(indexNamed(info, "items_rank_idx")?.columns).toEqual(["rank"]);
      expect(info?.foreignKeys).toMatchObject([{ name: "items_parent_id_fkey", columns: ["parent_id"], refTable: "parents", onDelete: "cascade" }]);
    });

    it("drops a column, with the foreign key and check that use it", async () => {
      const fx = await openMysql();
      await parents(fx);
      await fx.run(() => {
        Schema.createTable("items", [Schema.id(), Schema.foreignKey("parent_id", "parents"), Schema.integer("qty"), Schema.string("keep")]);
        Schema.addCheck("items", "items_qty_positive", "qty > 0");
      });
      await fx.run(() => {
        Schema.dropColumn("items", "parent_id");
        Schema.dropColumn("items", "qty");
      });
      const info = await fx.table("items");
      expect(info?.columns.map((c) => c.name)).toEqual(["id", "keep"]);
      expect(info?.foreignKeys).toEqual([]);
      expect(info?.checks).toEqual([]);
      expect(info?.indexes).toEqual([]);
    });

    it("renames a column, keeping its data", async () => {
      const fx = await openMysql();
      await fx.run(() => Schema.createTable("items", [Schema.id(), Schema.string("title")]));
      await fx.session.execute("insert into items (title) values (?)", ["hello"]);
      await fx.run(() => Schema.renameColumn("items", "title", "heading"));
      const info = await fx.table("items");
      expect(info?.columns.map((c) => c.name)).toEqual(["id", "heading"]);
      expect((await fx.session.execute("select heading from items")).rows).toEqual([{ heading: "hello" }]);
    });

    it("alters a column to its complete new definition", async () => {
      const fx = await openMysql();
      await fx.run(() =>
        Schema.createTable("items", [
          Schema.id(),
          Schema.string("title", 20),
          Schema.enum("state", ["a", "b"]),
          Schema.integer("n", { nullable: true, comment: "old" }),
          Schema.json("meta", { nullable: true }),
        ]),
      );
      await fx.session.execute("insert into items (title, state, n) values (?, ?, ?)", ["keep me", "b", 7]);
      await fx.run(() => {
        Schema.alterColumn("items", Schema.text("title", { nullable: true }));
        Schema.alterColumn("items", Schema.enum("state", ["a", "b", "c"], { default: "c" }));
        Schema.alterColumn("items", Schema.bigInteger("n", { default: 3 }));
        Schema.alterColumn("items", Schema.json("meta", { nullable: true, default: [1, "x"] }));
        Schema.alterColumn("items", Schema.id());
      });
      const info = await fx.table("items");
      expect(column(info, "title")).toMatchObject({ type: "text", nullable: true });
      expect(column(info, "state").type).toBe("enum('a','b','c')");
      expect(column(info, "state").default).toMatch(/c/);
      expect(column(info, "n")).toMatchObject({ type: "bigint", nullable: false });
      expect(column(info, "n").comment).toBeUndefined();
      expect(column(info, "meta")).toMatchObject({ type: "json", nullable: true });
      expect(column(info, "id")).toMatchObject({ type: "bigint", autoIncrement: true });
      expect(info?.primaryKey).toEqual(["id"]);
      await fx.session.execute("insert into items (title) values (?)", ["second"]);
      const { rows } = await fx.session.execute("select title, state, n, meta from items order by id");
      expect(rows).toEqual([
        { title: "keep me", state: "b", n: 7, meta: null },
        { title: "second", state: "c", n: 3, meta: [1, "x"] },
      ]);
    });
  });
}, ["mysql"]);
