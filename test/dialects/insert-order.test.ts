import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/** insertMany keeps the order of its rows, whatever keys each row has: generated ids follow the array. */
const MIGRATION = `import { Migration, Schema } from "strata";
export default class People extends Migration {
  async up() {
    Schema.createTable("people", [Schema.id(), Schema.string("name"), Schema.boolean("active", { default: true })]);
    await this.db.table("people").insertMany([{ name: "ann" }, { name: "bob", active: false }, { name: "cy" }, { name: "dee" }]);
    // A project run on several databases can branch on the one it is on.
    if (this.dialect !== "mysql") Schema.createIndex("people", ["name"], { where: "active" });
    await this.db.table("people").insert({ name: this.dialect });
  }
  down() { Schema.dropTable("people"); }
}
`;

forEachDialect((dialect) => {
  describe("insertMany with rows of different keys", () => {
    it("inserts them in the order given, a missing key taking its default (and this.dialect names the database)", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_people.ts": MIGRATION });
      await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run();
      const rows = await query(db.url, "select id, name, active from people order by id");
      expect(rows.map((r) => [Number(r.id), r.name, Boolean(Number(r.active))])).toEqual([[1, "ann", true], [2, "bob", false], [3, "cy", true], [4, "dee", true], [5, dialect, true]]);
    });
  });
});
