import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, migration, strata } from "../cli/fixtures.ts";
import { query } from "../helpers/dump.ts";

forEachDialect((dialect) => {
  describe("timestamp columns", () => {
    it("keep a Date's milliseconds (whole seconds only when precision: 0 says so)", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_times.ts": migration(
          "Times",
          `async up() {
    Schema.createTable("times", [Schema.integer("id", { primary: true }), Schema.timestamp("at"), Schema.timestamp("at_tz", { tz: true }), Schema.timestamp("whole", { precision: 0 })]);
    const when = new Date("2026-03-04T05:06:07.123Z");
    await this.db.table("times").insert({ id: 1, at: when, at_tz: when, whole: when });
    const [row] = await this.db.table("times").select();
    const seen = ["at", "at_tz", "whole"].map((c) => new Date(row[c] as string | Date).toISOString()).join(" ");
    await this.db.sql\`create table seen (what varchar(255))\`;
    await this.db.table("seen").insert({ what: seen });
  }
  down() {}`,
        ),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      const [{ what }] = await query(db.url, "select what from seen");
      const [at, atTz, whole] = String(what).split(" ");
      expect([at, atTz]).toEqual(["2026-03-04T05:06:07.123Z", "2026-03-04T05:06:07.123Z"]);
      // precision 0: whole seconds where the database has a precision (SQLite keeps the text).
      if (dialect !== "sqlite") expect(whole).toMatch(/^2026-03-04T05:06:07\.000Z$/);
    });
  });
});
