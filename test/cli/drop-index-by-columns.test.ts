import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, migration, strata } from "./fixtures.ts";

async function indexesOf(url: string, table: string): Promise<{ name: string; columns: string[]; unique: boolean }[]> {
  const { schema } = await snapshot(url);
  const info = schema.tables.find((t) => t.name === table)!;
  return info.indexes.map(({ name, columns, unique }) => ({ name, columns, unique })).sort((a, b) => a.name.localeCompare(b.name));
}

forEachDialect((dialect) => {
  describe("dropIndex by columns", () => {
    it("drops the index on those columns, unique or not, as createIndex named it", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_create_pairs.ts": migration(
          "CreatePairs",
          `up() {
    Schema.createTable("pairs", [Schema.id(), Schema.integer("a"), Schema.integer("b"), Schema.integer("c")]);
    Schema.createIndex("pairs", ["a", "b"], { unique: true });
    Schema.createIndex("pairs", ["c"]);
    Schema.createIndex("pairs", ["b"], { name: "pairs_by_b" });
  }`,
        ),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await indexesOf(db.url, "pairs")).toEqual([
        { name: "pairs_a_b_key", columns: ["a", "b"], unique: true },
        { name: "pairs_by_b", columns: ["b"], unique: false },
        { name: "pairs_c_idx", columns: ["c"], unique: false },
      ]);

      await addFiles(dir, {
        "migrations/20260102000000_drop_pair_indexes.ts": migration(
          "DropPairIndexes",
          `up() {
    Schema.dropIndex("pairs", ["a", "b"]);
    Schema.dropIndex("pairs", ["c"]);
    Schema.dropIndex("pairs", ["b"]);
  }
  down() {}`,
        ),
      });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 0);
      expect(await indexesOf(db.url, "pairs")).toEqual([]);
    });
  });
});
