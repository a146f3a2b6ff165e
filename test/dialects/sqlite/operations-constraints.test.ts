import { describe, expect, it } from "vitest";
import { Schema } from "../../../src/schema/schema.ts";
import { sqliteFixture, type SqliteFixture } from "./fixture.ts";

async function shop(db: SqliteFixture) {
  await db.apply(() => {
    Schema.createTable("customers", [Schema.id(), Schema.string("email"), Schema.string("region"), Schema.boolean("deleted", { default: false })]);
    Schema.createTable("orders", [Schema.id(), Schema.bigInteger("customer_id"), Schema.integer("total")]);
  });
  await db.session.execute("insert into customers (email, region) values ('a@x', 'eu'), ('b@x', 'us')");
  await db.session.execute("insert into orders (customer_id, total) values (1, 10), (2, 20)");
}

const code = (databaseCode: string) => ({ code: "DATABASE_ERROR", details: { databaseCode } });

describe("sqlite operations: indexes and constraints", () => {
  it("createIndex: unique, multi-column and partial; dropIndex by name and by columns", async () => {
    const db = await sqliteFixture();
    await shop(db);
    await db.apply(() => {
      Schema.createIndex("customers", ["email"], { unique: true, where: "deleted = 0" });
      Schema.createIndex("customers", ["region", "email"]);
      Schema.createIndex("customers", "region", { name: "by region", concurrently: true });
    });
    expect((await db.table("customers")).indexes).toEqual([
      { name: "by region", columns: ["region"], unique: false },
      { name: "customers_email_key", columns: ["email"], unique: true, where: "deleted = 0" },
      { name: "customers_region_email_idx", columns: ["region", "email"], unique: false },
    ]);
    // The partial unique index only covers rows that are not deleted.
    await db.session.execute("update customers set deleted = 1 where id = 1");
    await db.session.execute("insert into customers (email, region) values ('a@x', 'eu')");
    await expect(db.session.execute("insert into customers (email, region) values ('a@x', 'eu')")).rejects.toMatchObject(code("SQLITE_CONSTRAINT_UNIQUE"));

    await db.apply(() => {
      Schema.dropIndex("customers", ["region", "email"]);
      Schema.dropIndex("customers", "by region");
    });
    expect((await db.table("customers")).indexes.map((i) => i.name)).toEqual(["customers_email_key"]);
  });

  it("addForeignKey and dropForeignKey rebuild the table, keeping its rows", async () => {
    const db = await sqliteFixture();
    await shop(db);
    await db.apply(() => Schema.addForeignKey("orders", "customer_id", "customers", "id", { onDelete: "cascade", name: "orders_customer" }));
    const t = await db.table("orders");
    expect(t.foreignKeys).toEqual([{ name: "orders_customer", columns: ["customer_id"], refTable: "customers", refColumns: ["id"], onDelete: "cascade", onUpdate: "no action" }]);
    expect(await db.rows("select id, customer_id, total from orders order by id")).toEqual([
      { id: 1, customer_id: 1, total: 10 },
      { id: 2, customer_id: 2, total: 20 },
    ]);
    await expect(db.session.execute("insert into orders (customer_id, total) values (99, 1)")).rejects.toMatchObject(code("SQLITE_CONSTRAINT_FOREIGNKEY"));
    await db.session.execute("delete from customers where id = 2");
    expect(await db.rows("select id from orders")).toEqual([{ id: 1 }]);

    await db.apply(() => Schema.dropForeignKey("orders", "orders_customer"));
    expect((await db.table("orders")).foreignKeys).toEqual([]);
    await db.session.execute("insert into orders (customer_id, total) values (99, 1)");
  });

  it("dropForeignKey by columns finds the generated name; an unknown name is an error", async () => {
    const db = await sqliteFixture();
    await shop(db);
    await db.apply(() => Schema.addForeignKey("orders", ["customer_id"], "customers"));
    expect((await db.table("orders")).foreignKeys.map((f) => f.name)).toEqual(["orders_customer_id_fkey"]);
    await expect(db.apply(() => Schema.dropForeignKey("orders", "nope"))).rejects.toThrow(`Table "orders" has no foreign key named "nope".`);
    await db.apply(() => Schema.dropForeignKey("orders", ["customer_id"]));
    expect((await db.table("orders")).foreignKeys).toEqual([]);
  });

  it("addUnique and dropUnique are named unique indexes", async () => {
    const db = await sqliteFixture();
    await shop(db);
    await db.apply(() => Schema.addUnique("customers", ["email", "region"]));
    expect((await db.table("customers")).indexes).toEqual([{ name: "customers_email_region_key", columns: ["email", "region"], unique: true }]);
    await expect(db.session.execute("insert into customers (email, region) values ('a@x', 'eu')")).rejects.toMatchObject(code("SQLITE_CONSTRAINT_UNIQUE"));
    await db.apply(() => Schema.dropUnique("customers", ["email", "region"]));
    expect((await db.table("customers")).indexes).toEqual([]);
    await db.session.execute("insert into customers (email, region) values ('a@x', 'eu')");
  });

  it("dropUnique of a UNIQUE constraint written in CREATE TABLE rebuilds the table without it", async () => {
    const db = await sqliteFixture();
    await db.exec(`create table codes (id integer primary key, code text, constraint codes_code_key unique (code)); insert into codes (code) values ('a');`);
    expect((await db.table("codes")).indexes).toEqual([{ name: "sqlite_autoindex_codes_1", columns: ["code"], unique: true }]);
    await db.apply(() => Schema.dropUnique("codes", ["code"]));
    expect((await db.table("codes")).indexes).toEqual([]);
    await db.session.execute("insert into codes (code) values ('a')");
    expect(await db.rows("select count(*) as n from codes")).toEqual([{ n: 2 }]);
  });

  it("addCheck and dropCheck", async () => {
    const db = await sqliteFixture();
    await shop(db);
    await db.apply(() => Schema.addCheck("orders", "orders_total_positive", "total > 0"));
    expect((await db.table("orders")).checks).toEqual([{ name: "orders_total_positive", expression: "total > 0" }]);
    await expect(db.session.execute("insert into orders (customer_id, total) values (1, -5)")).rejects.toMatchObject(code("SQLITE_CONSTRAINT_CHECK"));
    expect(await db.rows("select count(*) as n from orders")).toEqual([{ n: 2 }]);

    await db.apply(() => Schema.dropCheck("orders", "orders_total_positive"));
    expect((await db.table("orders")).checks).toEqual([]);
    await db.session.execute("insert into orders (customer_id, total) values (1, -5)");
  });

  it("addCheck that existing rows break fails and leaves the table as it was", async () => {
    const db = await sqliteFixture();
    await shop(db);
    const before = await db.table("orders");
    await expect(db.apply(() => Schema.addCheck("orders", "small", "total < 15"))).rejects.toMatchObject(code("SQLITE_CONSTRAINT_CHECK"));
    expect(await db.table("orders")).toEqual(before);
    expect(await db.rows("select count(*) as n from orders")).toEqual([{ n: 2 }]);
  });
});
