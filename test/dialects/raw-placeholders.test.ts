import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * `this.db.raw(sql, params)` takes `?` placeholders on every database; where the database
 * numbers them ($1 on PostgreSQL) only the `?` outside strings, quoted names and comments
 * become parameters.
 */
const MIGRATION = `import { Migration, Schema } from "strata";
export default class RawMarks extends Migration {
  async up() {
    Schema.createTable("marks", [Schema.integer("id", { primary: true }), Schema.text("note")]);
    await this.db.raw("insert into marks (id, note) values (?, 'why? because -- not a comment')", [1]);
    await this.db.raw("insert into marks (id, note) values (?, ?) /* a ? in a comment */", [2, "it's ?"]);
    const [row] = await this.db.raw("select count(*) as n from marks where note like '%?%' and id >= ?", [1]);
    await this.db.raw("insert into marks (id, note) values (?, ?)", [3, String(row.n)]);
  }
  down() { Schema.dropTable("marks"); }
}
`;

forEachDialect((dialect) => {
  describe("this.db.raw with ? inside strings and comments", () => {
    it("binds only the placeholders", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_raw_marks.ts": MIGRATION });
      await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run();
      expect(await query(db.url, "select id, note from marks order by id")).toEqual([
        { id: 1, note: "why? because -- not a comment" },
        { id: 2, note: "it's ?" },
        { id: 3, note: "2" },
      ]);
    });
  });
});
