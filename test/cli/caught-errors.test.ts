import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "./fixtures.ts";

const TABLE = "20260101000000_create_tags";
const CATCHING = "20260102000000_catching";

const tags = `-- migrate:up\ncreate table tags (id integer primary key, name varchar(20) not null unique);\n-- migrate:down\ndrop table tags;\n`;

/** Inserts a row, then the same row again inside try/catch, then goes on. */
const catching = (base: string) => `import { ${base} } from "strata";
export default class Catching extends ${base} {
  async ${base === "Seeder" ? "run" : "up"}() {
    await this.db.table("tags").insert({ id: 1, name: "kept?" });
    try {
      await this.db.table("tags").insert({ id: 2, name: "kept?" });
    } catch {
      // a duplicate, ignored
    }
    await this.db.table("tags").insert({ id: 3, name: "after" });
  }${base === "Seeder" ? "" : "\n  down() {}"}
}
`;

forEachDialect((dialect) => {
  // PostgreSQL aborts the transaction at its first failed statement; the others undo that statement only.
  const aborts = dialect === "postgres";

  describe("a database error caught by the migration's or seeder's own code", () => {
    it(aborts ? "fails the seeder with the caught error: the transaction was aborted, nothing is kept" : "the seeder goes on: its other rows are kept", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${TABLE}.sql`]: tags, "seeders/catching.ts": catching("Seeder") });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      const result = await strata(dir, ["seed", "--url", db.url]);
      const rows = await query(db.url, "select id from tags order by id");
      if (!aborts) {
        expectExit(result, 0);
        expect(rows).toEqual([{ id: 1 }, { id: 3 }]);
        return;
      }
      expectExit(result, 1);
      expect(result.stderr).toContain("the database aborted the transaction");
      expect(result.stderr).toMatch(/duplicate key/);
      expect(result.stderr).not.toMatch(/Seeded/);
      expect(rows).toEqual([]);
    });

    it(aborts ? "fails the migration naming the caught error, not the aborted transaction" : "the migration goes on and is applied", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${TABLE}.sql`]: tags, [`migrations/${CATCHING}.ts`]: catching("Migration") });
      const result = await strata(dir, ["up", "--url", db.url]);
      const status = states(await statusJson(dir, ["--url", db.url]));
      if (!aborts) {
        expectExit(result, 0);
        expect(status).toEqual({ [TABLE]: "applied", [CATCHING]: "applied" });
        expect(await query(db.url, "select id from tags order by id")).toEqual([{ id: 1 }, { id: 3 }]);
        return;
      }
      expectExit(result, 1);
      expect(result.stderr).toContain(CATCHING);
      expect(result.stderr).toMatch(/duplicate key/);
      expect(result.stderr).not.toMatch(/current transaction is aborted/);
      expect(status).toEqual({ [TABLE]: "applied", [CATCHING]: "pending" });
      expect(await query(db.url, "select id from tags order by id")).toEqual([]);
      expect(await tableNames(db.url)).toContain("tags");
    });
  });
});
