import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * A statement of a .sql file may end in a `--` comment, its semicolon before the comment or
 * missing at the end of a section. Where strata sends several statements in one batch
 * (MySQL), such a comment must not swallow what follows it.
 */
forEachDialect((dialect) => {
  describe("statements ending in line comments", () => {
    it("apply and roll back, each statement once", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_comments.sql": [
          "-- migrate:up",
          "create table lc_one (id int primary key); -- the first",
          "create table lc_two (id int primary key) -- no semicolon, last of the section",
          "-- migrate:down",
          "drop table lc_two; -- gone",
          "drop table lc_one -- no semicolon",
          "",
        ].join("\n"),
      });
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      expect((await migrator().run()).applied).toEqual(["20260101000000_comments"]);
      expect((await tableNames(db.url)).filter((t) => t.startsWith("lc_"))).toEqual(["lc_one", "lc_two"]);
      expect((await migrator().down()).rolledBack).toEqual(["20260101000000_comments"]);
      expect((await tableNames(db.url)).filter((t) => t.startsWith("lc_"))).toEqual([]);
      expect((await migrator().status()).migrations).toMatchObject([{ state: "pending" }]);
    });
  });
});
