import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, snapshot } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * alterColumn on a table renamed since it was created: an enum's check (named after the old
 * table) is replaced, not kept beside the new one; `unique` adds its index on every database;
 * and on PostgreSQL a column a view uses can lose its default (no type change is sent).
 */
const ts = (name: string, up: string, down: string) => `import { Migration, Schema } from "strata";
export default class ${name} extends Migration {
  up() {
${up}
  }
  down() {
${down}
  }
}
`;

const kinds = (values: string[]) => `Schema.enum("kind", ${JSON.stringify(values)}, { default: "physical" })`;

const files = {
  "migrations/20260101000000_create_categories.ts": ts("CreateCategories", `    Schema.createTable("categories", [Schema.id(), ${kinds(["physical", "digital"])}, Schema.string("nick", 40, { nullable: true }), Schema.boolean("active", { default: true })]);`, `    Schema.dropTable("categories");`),
  "migrations/20260102000000_rename_categories.ts": ts("RenameCategories", `    Schema.renameTable("categories", "product_categories");`, `    Schema.renameTable("product_categories", "categories");`),
  "migrations/20260103000000_active_view.ts": ts("ActiveView", `    Schema.raw("create view active_categories as select id from product_categories where active = true", "drop view active_categories");`, `    Schema.raw("drop view active_categories");`),
  "migrations/20260104000000_alter_kind.ts": ts(
    "AlterKind",
    `    Schema.alterColumn("product_categories", ${kinds(["physical", "digital", "service"])});
    Schema.alterColumn("product_categories", Schema.string("nick", 40, { nullable: true, unique: true }));
    Schema.alterColumn("product_categories", Schema.boolean("active"));`,
    `    Schema.alterColumn("product_categories", ${kinds(["physical", "digital"])});
    Schema.alterColumn("product_categories", Schema.boolean("active", { default: true }));
    Schema.dropUnique("product_categories", ["nick"]);`,
  ),
};

forEachDialect((dialect) => {
  describe("alterColumn on a renamed table", () => {
    it("replaces the enum's check, adds unique, and leaves a view's column alone; its down restores both", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(files);
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      expect((await migrator().run()).applied).toHaveLength(4);
      const table = async () => (await snapshot(db.url)).schema.tables.find((t) => t.name === "product_categories")!;
      const after = await table();
      // MySQL's enum is native: no check at all there.
      expect(after.checks).toHaveLength(dialect === "mysql" ? 0 : 1);
      expect(after.indexes.filter((i) => i.unique && i.columns.join() === "nick")).toHaveLength(1);
      expect(after.columns.find((c) => c.name === "active")).toMatchObject({ default: null, nullable: false });
      await query(db.url, "insert into product_categories (kind, nick, active) values ('service', 'svc', true)");
      await expect(query(db.url, "insert into product_categories (kind, nick, active) values ('service', 'svc', true)")).rejects.toThrow();

      await query(db.url, "delete from product_categories");
      await migrator().down({ steps: 1 });
      const before = await table();
      expect(before.checks).toHaveLength(dialect === "mysql" ? 0 : 1);
      expect(before.indexes.filter((i) => i.columns.join() === "nick")).toEqual([]);
      await expect(query(db.url, "insert into product_categories (kind, active) values ('service', true)")).rejects.toThrow();
      await query(db.url, "insert into product_categories (kind) values ('digital')");
      expect((await migrator().run()).applied).toEqual(["20260104000000_alter_kind"]);
    });
  });
});
