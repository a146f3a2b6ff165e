import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * Several Migrators at once in one process (a service migrating each tenant's database),
 * with up() awaiting between its Schema calls: each run records its own operations.
 */
const ASYNC_UP = `import { Migration, Schema } from "strata";
export default class CreateTenantTables extends Migration {
  async up() {
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    Schema.createTable("users", [Schema.id(), Schema.string("name")]);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    Schema.createTable("orders", [Schema.id(), Schema.integer("user_id")]);
  }
  async down() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    Schema.dropTable("orders");
    Schema.dropTable("users");
  }
}
`;

forEachDialect((dialect) => {
  describe("Migrators running at once in one process", () => {
    it("each applies and rolls back its own database's tables", async () => {
      const dir = await writeProject({ "migrations/20260101000000_create_tenant_tables.ts": ASYNC_UP });
      const tenants = await Promise.all([testDatabase(dialect), testDatabase(dialect), testDatabase(dialect)]);
      const migrators = tenants.map((db) => new Migrator({ cwd: dir, url: db.url, path: "migrations" }));
      const results = await Promise.all(migrators.map((m) => m.run()));
      expect(results).toEqual(tenants.map(() => ({ applied: ["20260101000000_create_tenant_tables"] })));
      for (const db of tenants) expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["users", "orders"]));

      await Promise.all(migrators.map((m) => m.rollback()));
      for (const db of tenants) {
        const left = await tableNames(db.url);
        expect(left).not.toContain("users");
        expect(left).not.toContain("orders");
      }
    });
  });
});

describe("two runs at once on one SQLite file, in one process", () => {
  it("the second waits for the first (not the whole lock timeout: the process keeps turning), then finds nothing to apply", async () => {
    const dir = await writeProject({ "migrations/20260101000000_create_tenant_tables.ts": ASYNC_UP });
    const db = await testDatabase("sqlite");
    const migrator = new Migrator({ cwd: dir, url: db.url, path: "migrations", lockTimeout: 10_000 });
    // A wait that blocked the thread would hold the first run up until the second gave up (LOCK_TIMEOUT).
    const results = await Promise.all([migrator.run(), migrator.run()]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 1]);
    expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["users", "orders"]));
  });
});
