import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, migration, strata } from "./fixtures.ts";

async function indexesOf(url: string, table: string): Promise<{ name: string; columns: string[]; unique: boolean }[]> {
  const { schema } = await snapshot(url);
  const info = schema.tables.find((t) => t.name === table)!;
  // MySQL keeps an index for each foreign key: only the ones this test made count.
  return info.indexes.filter((i) => !i.columns.includes("owner_id")).map(({ name, columns, unique }) => ({ name, columns, unique })).sort((a, b) => a.name.localeCompare(b.name));
}

async function foreignKeysOf(url: string, table: string): Promise<string[]> {
  const { schema } = await snapshot(url);
  return schema.tables.find((t) => t.name === table)!.foreignKeys.map((fk) => fk.name);
}

forEachDialect((dialect) => {
  describe("dropIndex, dropUnique and dropForeignKey by columns", () => {
    it("drop the index or constraint on those columns, unique or not, named by strata or by the migration", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_create_pairs.ts": migration(
          "CreatePairs",
          `up() {
    Schema.createTable("owners", [Schema.id()]);
    Schema.createTable("pairs", [Schema.id(), Schema.integer("a"), Schema.integer("b"), Schema.integer("c"), Schema.integer("d"), Schema.bigInteger("owner_id")]);
    Schema.createIndex("pairs", ["a", "b"], { unique: true });
    Schema.createIndex("pairs", ["c"]);
    Schema.createIndex("pairs", ["b"], { name: "pairs_by_b" });
    Schema.addUnique("pairs", ["d"], { name: "one_d" });
    Schema.addForeignKey("pairs", ["owner_id"], "owners", ["id"], { name: "custom_owner_fk" });
  }`,
        ),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await indexesOf(db.url, "pairs")).toEqual([
        { name: "one_d", columns: ["d"], unique: true },
        { name: "pairs_a_b_key", columns: ["a", "b"], unique: true },
        { name: "pairs_by_b", columns: ["b"], unique: false },
        { name: "pairs_c_idx", columns: ["c"], unique: false },
      ]);
      expect(await foreignKeysOf(db.url, "pairs")).toEqual(["custom_owner_fk"]);

      await addFiles(dir, {
        "migrations/20260102000000_drop_pair_indexes.ts": migration(
          "DropPairIndexes",
          `up() {
    Schema.dropIndex("pairs", ["a", "b"]);
    Schema.dropIndex("pairs", ["c"]);
    Schema.dropIndex("pairs", ["b"]);
    Schema.dropUnique("pairs", ["d"]);
    Schema.dropForeignKey("pairs", ["owner_id"]);
  }
  down() {}`,
        ),
      });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 0);
      expect(await indexesOf(db.url, "pairs")).toEqual([]);
      expect(await foreignKeysOf(db.url, "pairs")).toEqual([]);
    });
  });
});
