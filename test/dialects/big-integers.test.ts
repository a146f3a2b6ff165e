import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, migration, strata } from "../cli/fixtures.ts";
import { query } from "../helpers/dump.ts";

forEachDialect((dialect) => {
  describe("big integers", () => {
    it("round-trip exactly through this.db, beyond 2^53 too; small ones read as numbers", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_big.ts": migration(
          "Big",
          `async up() {
    Schema.createTable("big", [Schema.integer("id", { primary: true }), Schema.bigInteger("n")]);
    await this.db.table("big").insertMany([{ id: 1, n: 9007199254740993n }, { id: 2, n: -9223372036854775808n }, { id: 3, n: 42 }]);
    const rows = await this.db.table("big").select();
    const seen = rows.map((r: Record<string, unknown>) => [typeof r.id, typeof r.n, String(r.n)].join(" ")).join(", ");
    await this.db.sql\`create table seen (what varchar(255))\`;
    await this.db.table("seen").insert({ what: seen });
  }
  down() {}`,
        ),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      const [{ what }] = await query(db.url, "select what from seen");
      expect(what).toBe("number bigint 9007199254740993, number bigint -9223372036854775808, number number 42");
    });
  });
});
