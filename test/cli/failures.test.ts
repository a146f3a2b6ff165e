import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { actions, expectExit, historyJson, migration, observe, states, statusJson, strata, tableMigration } from "./fixtures.ts";

const BASE = "20260101000000_create_base";
const BROKEN = "20260102000000_broken";

/** The database's own words for a syntax error. */
const SYNTAX_ERROR: Record<string, RegExp> = {
  sqlite: /syntax error/i,
  postgres: /syntax error at or near "tabel"/i,
  mysql: /error in your SQL syntax/i,
};

forEachDialect((dialect) => {
  // MySQL/MariaDB commit DDL implicitly: a failed migration cannot be undone by the runner.
  const transactionalDdl = dialect !== "mysql";

  describe("a SQL error inside a migration", () => {
    it("exits 1 naming the migration and carrying the database's error; only a fail event is added", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base") });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      // Where DDL is transactional, statements before the bad one are rolled back with it.
      const earlier = transactionalDdl ? "create table partial (id integer);\ninsert into base (name) values ('kept?');\n" : "";
      await addFiles(dir, { [`migrations/${BROKEN}.sql`]: `-- migrate:up\n${earlier}create tabel broken (id integer);\n\n-- migrate:down\n` });
      const before = await observe(dir, db.url);

      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(BROKEN);
      expect(result.stderr).toMatch(SYNTAX_ERROR[dialect]);

      const after = await observe(dir, db.url);
      const log = (s: typeof before) => ({ ...s.database.rows, migrations_log: undefined });
      expect(after.database.schema).toEqual(before.database.schema);
      expect(log(after)).toEqual(log(before));
      expect(actions(after.history)).toEqual([...actions(before.history), ["fail", BROKEN]]);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [BASE]: "applied", [BROKEN]: "pending" });
    });
  });

  describe("a migration that throws halfway", () => {
    it("keeps the earlier migrations of the run and reports what landed", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base"),
        [`migrations/${BROKEN}.ts`]: migration(
          "Broken",
          `async up() {
    Schema.createTable("half", [Schema.id(), Schema.string("name")]);
    await this.db.table("half").insertMany([{ name: "one" }, { name: "two" }]);
    throw new Error("boom halfway through");
  }`,
        ),
      });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(BROKEN);
      expect(result.stderr).toContain("boom halfway through");
      // What landed before the failure is listed.
      expect(result.stderr).toMatch(new RegExp(`applied before the failure: ${BASE}`));
      expect(result.stdout).toContain(BASE);

      const tables = await tableNames(db.url);
      expect(tables).toContain("base");
      const status = await statusJson(dir, ["--url", db.url]);
      expect(status.migrations.find((m) => m.id === BASE)).toMatchObject({ state: "applied", batch: 1 });
      expect(actions(await historyJson(dir, ["--url", db.url]))).toEqual([["apply", BASE], ["fail", BROKEN]]);
      if (transactionalDdl) {
        expect(tables).not.toContain("half");
        expect(states(status)[BROKEN]).toBe("pending");
      } else {
        // MariaDB kept the table and its rows: the migration is reported failed, with how to recover.
        expect(states(status)[BROKEN]).toBe("failed");
        const human = await strata(dir, ["status", "--url", db.url]);
        expect(human.stdout).toContain(`strata resolve ${BROKEN}`);
        const refused = await strata(dir, ["up", "--url", db.url]);
        expectExit(refused, 1);
        expect(refused.stderr).toContain(BROKEN);
      }
    });

    it.skipIf(!transactionalDdl)("a rerun after fixing the file applies it (transactional DDL)", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        [`migrations/${BROKEN}.ts`]: migration("Broken", `async up() {\n    Schema.createTable("half", [Schema.id()]);\n    throw new Error("boom");\n  }`),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 1);
      const before = await snapshot(db.url);
      expect(before.schema.tables.map((t) => t.name)).not.toContain("half");
      await addFiles(dir, { [`migrations/${BROKEN}.ts`]: tableMigration("Broken", "half") });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [BROKEN]: "applied" });
    });
  });
});
