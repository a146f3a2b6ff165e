import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { reverseOperations } from "../../../src/schema/reverse.ts";
import type { TableInfo } from "../../../src/dialects/dialect.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { openMysql, type MysqlFixture } from "./setup.ts";

const indexNamed = (info: TableInfo | undefined, name: string) => info?.indexes.find((i) => i.name === name);

async function parents(fx: MysqlFixture) {
  await fx.run(() => Schema.createTable("parents", [Schema.id(), Schema.string("code", { unique: true })]));
  await fx.session.execute("insert into parents (code) values (?), (?)", ["p1", "p2"]);
}

forEachDialect(() => {
  describe("indexes", () => {
    it("creates unique and multi-column indexes, online when asked, and drops them", async () => {
      const fx = await openMysql();
      await fx.run(() => {
        Schema.createTable("people", [Schema.id(), Schema.string("first"), Schema.string("last"), Schema.string("email")]);
        Schema.createIndex("people", ["last", "first"]);
        Schema.createIndex("people", "email", { unique: true });
        Schema.createIndex("people", ["first"], { name: "people_first_online", concurrently: true });
      });
      let info = await fx.table("people");
      expect(info?.indexes).toEqual(
        expect.arrayContaining([
          { name: "people_last_first_idx", columns: ["last", "first"], unique: false },
          { name: "people_email_key", columns: ["email"], unique: true },
          { name: "people_first_online", columns: ["first"], unique: false },
        ]),
      );
      await fx.session.execute("insert into people (first, last, email) values (?, ?, ?)", ["a", "b", "x@y"]);
      await expect(fx.session.execute("insert into people (first, last, email) values (?, ?, ?)", ["c", "d", "x@y"])).rejects.toMatchObject({ code: "DATABASE_ERROR" });

      await fx.run(() => {
        Schema.dropIndex("people", ["last", "first"]);
        Schema.dropIndex("people", "people_email_key");
        Schema.dropIndex("people", "people_first_online", { concurrently: true });
      });
      info = await fx.table("people");
      expect(info?.indexes).toEqual([]);
    });

    it("refuses a partial index at compile time instead of dropping its predicate", async () => {
      const fx = await openMysql();
      await fx.run(() => Schema.createTable("people", [Schema.id(), Schema.string("email"), Schema.boolean("active")]));
      const ops = await fx.record(() => Schema.createIndex("people", "email", { where: "active = 1" }));
      const error = await fx.compile(ops[0]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "UNSUPPORTED" });
      expect((error as Error).message).toContain("MySQL/MariaDB");
      expect((error as { hint?: string }).hint).toBeTruthy();
      expect((await fx.table("people"))?.indexes).toEqual([]);
    });
  });

  describe("constraints", () => {
    it("adds and drops a foreign key, leaving the table as it was", async () => {
      const fx = await openMysql();
      await parents(fx);
      await fx.run(() => Schema.createTable("orders", [Schema.id(), Schema.bigInteger("parent_id", { nullable: true })]));
      const before = await fx.table("orders");
      const up = await fx.record(() => Schema.addForeignKey("orders", "parent_id", "parents", "id", { onDelete: "set null", onUpdate: "cascade" }));
      await fx.apply(up);
      const added = await fx.table("orders");
      expect(added?.foreignKeys).toEqual([{ name: "orders_parent_id_fkey", columns: ["parent_id"], refTable: "parents", refColumns: ["id"], onDelete: "set null", onUpdate: "cascade" }]);
      await expect(fx.session.execute("insert into orders (parent_id) values (?)", [99])).rejects.toMatchObject({ code: "DATABASE_ERROR" });

      const down = reverseOperations(up);
      if (!down.ok) throw new Error(down.reason);
      await fx.apply(down.operations);
      expect(await fx.table("orders")).toEqual(before);
      await fx.session.execute("insert into orders (parent_id) values (?)", [99]);
    });

    it("keeps a foreign key's index that another key still uses", async () => {
      const fx = await openMysql();
      await parents(fx);
      await fx.run(() => {
        Schema.createTable("orders", [Schema.id(), Schema.bigInteger("parent_id")]);
        Schema.addForeignKey("orders", "parent_id", "parents", "id", { name: "first_fk" });
        Schema.addForeignKey("orders", "parent_id", "parents", "id", { name: "second_fk" });
        Schema.dropForeignKey("orders", "first_fk");
      });
      const info = await fx.table("orders");
      expect(info?.foreignKeys.map((fk) => fk.name)).toEqual(["second_fk"]);
      expect(info?.indexes.map((i) => i.columns)).toEqual([["parent_id"]]);
    });

    it("adds and drops unique and check constraints", async () => {
      const fx = await openMysql();
      await fx.run(() => {
        Schema.createTable("stock", [Schema.id(), Schema.string("sku"), Schema.string("site"), Schema.integer("qty")]);
        Schema.addUnique("stock", ["sku", "site"]);
        Schema.addCheck("stock", "stock_qty_check", "qty >= 0");
      });
      let info = await fx.table("stock");
      expect(indexNamed(info, "stock_sku_site_key")).toEqual({ name: "stock_sku_site_key", columns: ["sku", "site"], unique: true });
      expect(info?.checks).toHaveLength(1);
      expect(info?.checks[0].name).toBe("stock_qty_check");
      expect(info?.checks[0].expression).toMatch(/`qty` >= 0/);
      await fx.session.execute("insert into stock (sku, site, qty) values (?, ?, ?)", ["a", "x", 1]);
      await expect(fx.session.execute("insert into stock (sku, site, qty) values (?, ?, ?)", ["a", "x", 2])).rejects.toMatchObject({ code: "DATABASE_ERROR" });
      await expect(fx.session.execute("insert into stock (sku, site, qty) values (?, ?, ?)", ["b", "x", -1])).rejects.toMatchObject({ code: "DATABASE_ERROR" });

      await fx.run(() => {
        Schema.dropUnique("stock", ["sku", "site"]);
        Schema.dropCheck("stock", "stock_qty_check");
      });
      info = await fx.table("stock");
      expect(info?.indexes).toEqual([]);
      expect(info?.checks).toEqual([]);
      await fx.session.execute("insert into stock (sku, site, qty) values (?, ?, ?)", ["a", "x", -1]);
    });
  });

  describe("raw", () => {
    it("runs raw SQL, several statements and a trigger body", async () => {
      const fx = await openMysql();
      await fx.run(() =>
        Schema.raw(`
          create table notes (id int primary key, body varchar(50)); # a hash comment; with a semicolon
          create trigger notes_upper before insert on notes for each row
          begin
            set new.body = upper(new.body);
            if new.body = '' then set new.body = 'EMPTY;'; end if;
          end;
          insert into notes values (1, 'a;b');
        `),
      );
      await fx.session.execute("insert into notes values (?, ?)", [2, ""]);
      const { rows } = await fx.session.execute("select body from notes order by id");
      expect(rows).toEqual([{ body: "A;B" }, { body: "EMPTY;" }]);
    });
  });
}, ["mysql"]);
