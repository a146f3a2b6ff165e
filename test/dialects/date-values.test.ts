import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * Writes a date as a string and as a Date through this.db, reads both back, and fails the
 * migration with what it read. (SQLite has no date type: a Date is stored as its ISO text.)
 */
const migration = (dateWritten: string) => `import { Migration, Schema } from "strata";
export default class Dates extends Migration {
  async up() {
    Schema.createTable("days", [Schema.integer("id", { primary: true }), Schema.date("d")]);
    await this.db.table("days").insert({ id: 1, d: "2024-03-04" });
    await this.db.table("days").insert({ id: 2, d: new Date("2024-03-05T00:00:00Z") });
    const read = await this.db.table("days").orderBy("id").select(["d"]);
    const raw = await this.db.sql\`select d from days where id = \${1}\`;
    const seen = JSON.stringify([...read.map((r) => [typeof r.d, r.d]), [typeof raw[0].d, raw[0].d]]);
    if (seen !== JSON.stringify([["string", "2024-03-04"], ["string", "${dateWritten}"], ["string", "2024-03-04"]])) throw new Error("read back " + seen);
  }
  down() { Schema.dropTable("days"); }
}
`;

forEachDialect((dialect) => {
  describe("date columns through this.db", () => {
    it("read back as 'YYYY-MM-DD' text on every database, whatever the host's time zone", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_dates.ts": migration(dialect === "sqlite" ? "2024-03-05T00:00:00.000Z" : "2024-03-05") });
      const zone = process.env.TZ;
      process.env.TZ = "America/New_York";
      try {
        expect(await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run()).toEqual({ applied: ["20260101000000_dates"] });
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });
  });
});
