import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * An `in` list longer than the database's parameter limit (65,535 on PostgreSQL and MySQL,
 * 32,766 on SQLite) is split into statements that fit; what cannot be split is refused by name.
 */
const MIGRATION = `import { Migration, Schema } from "strata";
export default class LongLists extends Migration {
  async up() {
    Schema.createTable("items", [Schema.integer("id", { primary: true }), Schema.text("tag", { nullable: true })]);
    const ids = Array.from({ length: 80000 }, (_, i) => i + 1);
    await this.db.table("items").insertMany(ids.map((id) => ({ id, tag: null })));
    const evens = ids.filter((id) => id % 2 === 0);
    const doubled = [...evens, ...evens.slice(0, 10)];
    const seen = {
      count: await this.db.table("items").whereIn("id", doubled).count(),
      updated: await this.db.table("items").whereIn("id", doubled).update({ tag: "even" }),
      selected: (await this.db.table("items").where("tag", "even").whereIn("id", doubled).select(["id"])).length,
      deleted: await this.db.table("items").whereIn("id", ids.slice(0, 70000)).where("tag", "even").delete(),
      ordered: await this.db.table("items").whereIn("id", ids).orderBy("id").select(["id"]).then(() => "ran", (e) => e.message),
      notIn: await this.db.table("items").where("id", "not in", ids).count().then(() => "ran", (e) => e.message),
    };
    await this.db.table("items").insert({ id: 0, tag: JSON.stringify(seen) });
  }
  down() { Schema.dropTable("items"); }
}
`;

forEachDialect((dialect) => {
  describe("this.db with an in list longer than one statement can bind", () => {
    it("counts, updates, selects and deletes every row once; refuses what it cannot split, naming the limit", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_long_lists.ts": MIGRATION });
      expect(await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run()).toEqual({ applied: ["20260101000000_long_lists"] });
      const [row] = await query(db.url, "select tag from items where id = 0");
      const seen = JSON.parse(String(row.tag));
      expect(seen).toMatchObject({ count: 40000, updated: 40000, selected: 40000, deleted: 35000 });
      expect(seen.ordered).toMatch(/^db\.table\("items"\): 80000 bound values do not fit in one statement \(at most \d+ here\): select\(\) with orderBy, limit or offset cannot be split/);
      expect(seen.notIn).toMatch(/only one long "in" list can be split/);
      const [left] = await query(db.url, "select count(*) as n from items where tag = 'even'");
      expect(Number(left.n)).toBe(5000);
    });
  });
});
