import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, snapshot } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * dropColumn of a column in an index over several columns drops the whole index on every
 * database (MySQL would narrow it), so the natural down() that makes it again works.
 */
const files = {
  "migrations/20260101000000_orders.ts": `import { Migration, Schema } from "strata";
export default class Orders extends Migration {
  up() {
    Schema.createTable("customers", [Schema.id()]);
    Schema.createTable("orders", [Schema.id(), Schema.foreignKey("customer_id", "customers"), Schema.string("state", 20, { default: "new" })]);
    Schema.createIndex("orders", ["customer_id", "state"], { name: "orders_customer_state_idx" });
  }
  down() {
    Schema.dropTable("orders");
    Schema.dropTable("customers");
  }
}
`,
  "migrations/20260102000000_drop_state.ts": `import { Migration, Schema } from "strata";
export default class DropState extends Migration {
  up() {
    Schema.dropColumn("orders", "state");
  }
  down() {
    Schema.addColumn("orders", Schema.string("state", 20, { default: "new" }));
    Schema.createIndex("orders", ["customer_id", "state"], { name: "orders_customer_state_idx" });
  }
}
`,
};

forEachDialect((dialect) => {
  describe("dropColumn of a column in a multi-column index", () => {
    it("drops the index everywhere, keeps the foreign key working, and its down makes it again", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(files);
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      await migrator().run();
      const orders = async () => (await snapshot(db.url)).schema.tables.find((t) => t.name === "orders")!;
      expect((await orders()).indexes.filter((i) => i.columns.length > 1 || i.name === "orders_customer_state_idx")).toEqual([]);
      expect((await orders()).foreignKeys.map((f) => f.columns)).toEqual([["customer_id"]]);
      await expect(query(db.url, "insert into orders (customer_id) values (42)")).rejects.toThrow();
      await migrator().down({ steps: 1 });
      expect((await orders()).indexes.find((i) => i.name === "orders_customer_state_idx")?.columns).toEqual(["customer_id", "state"]);
    });
  });
});
