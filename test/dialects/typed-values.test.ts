import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { writeProject } from "../helpers/project.ts";

/** Writes JSON and booleans through this.db, reads them back through a table query and the sql tag, and fails the migration with what it read. */
const MIGRATION = `import { Migration, Schema } from "strata";
export default class Documents extends Migration {
  async up() {
    Schema.createTable("docs", [Schema.integer("id", { primary: true }), Schema.json("body", { nullable: true }), Schema.text("note", { nullable: true }), Schema.boolean("flag", { default: false })]);
    await this.db.table("docs").insertMany([
      { id: 1, body: { k: [1, 2], s: "x" }, note: '{"not":"json column"}', flag: true },
      { id: 2, body: [1, "two"], note: null },
      { id: 3, body: null, note: null },
    ]);
    const read = await this.db.table("docs").orderBy("id").select(["body", "note", "flag"]);
    const raw = await this.db.sql\`select body, flag from docs where id = \${1}\`;
    const seen = JSON.stringify({ read, raw });
    const want = JSON.stringify({ read: [{ body: { k: [1, 2], s: "x" }, note: '{"not":"json column"}', flag: true }, { body: [1, "two"], note: null, flag: false }, { body: null, note: null, flag: false }], raw: [{ body: { k: [1, 2], s: "x" }, flag: true }] });
    if (seen !== want) throw new Error("read back " + seen);
  }
  down() { Schema.dropTable("docs"); }
}
`;

forEachDialect((dialect) => {
  describe("json and boolean columns through this.db", () => {
    it("read back as JSON values and true/false on every database (a text column holding JSON stays text)", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_docs.ts": MIGRATION });
      expect(await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run()).toEqual({ applied: ["20260101000000_docs"] });
    });
  });
});
