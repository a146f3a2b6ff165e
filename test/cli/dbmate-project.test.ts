import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dbmateMissing, runDbmate } from "../dialects/cross/dbmate.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, historyJson, printed, states, statusJson, strata } from "./fixtures.ts";

/** A dbmate project dropped as it is: its migrations live in db/migrations. */
describe("a dbmate project with no config", () => {
  it("finds db/migrations when there is no migrations folder, and new writes there", async () => {
    const dir = await writeProject({
      "db/migrations/20240101000000_create_notes.sql": "-- migrate:up\ncreate table notes (id integer primary key, body text);\n\n-- migrate:down\ndrop table notes;\n",
    });
    const url = `file:${join(dir, "app.db")}`;
    expectExit(await strata(dir, ["up", "--url", url]), 0);
    expect(await tableNames(url)).toContain("notes");
    expect(states(await statusJson(dir, ["--url", url]))).toEqual({ "20240101000000_create_notes": "applied" });
    expectExit(await strata(dir, ["new", "add_tags", "--sql"]), 0);
    expect((await readdir(join(dir, "db/migrations"))).filter((f) => f.endsWith("_add_tags.sql"))).toHaveLength(1);
    expect(existsSync(join(dir, "migrations"))).toBe(false);
  });

  it("up in a folder with no migrations folder says so instead of 'up to date'", async () => {
    const dir = await writeProject({ "README.md": "nothing here\n" });
    const result = await strata(dir, ["up", "--url", `file:${join(dir, "app.db")}`]);
    expectExit(result, 0);
    expect(printed(result)).toMatch(/Nothing to apply: there is no migrations folder .*migrations/);
    expect(printed(result)).not.toMatch(/up to date/);
  });
});

const NOTES = "20240101000000_create_notes";
const TAGS = "20240102000000_create_tags";

forEachDialect((dialect) => {
  describe.skipIf(dbmateMissing())("a database dbmate migrated", () => {
    it("counts what dbmate applied as applied: status shows it, up applies only the rest and records the adoption", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`db/migrations/${NOTES}.sql`]: "-- migrate:up\ncreate table notes (id int primary key);\n\n-- migrate:down\ndrop table notes;\n" });
      expect((await runDbmate(db, join(dir, "db/migrations"), "up")).code).toBe(0);
      await addFiles(dir, { [`db/migrations/${TAGS}.sql`]: "-- migrate:up\ncreate table tags (id int primary key);\n\n-- migrate:down\ndrop table tags;\n" });
      // A version dbmate applied whose file is gone from the folder since.
      await query(db.url, "insert into schema_migrations (version) values ('20200101000000')");

      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [NOTES]: "applied", [TAGS]: "pending" });
      // Read-only: status recorded nothing.
      expect(await tableNames(db.url)).not.toContain("migrations");
      const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(dry, 0);
      expect(printed(dry)).toContain(TAGS);
      expect(printed(dry)).not.toContain(`create table notes`);

      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);
      expect(printed(up)).toMatch(/1 migration\(s\) dbmate applied \(its schema_migrations table\) count as applied/);
      expect(printed(up)).toContain("dbmate also lists 1 version(s) no file here has, left out: 20200101000000");
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [NOTES]: "applied", [TAGS]: "applied" });
      expect((await historyJson(dir, ["--url", db.url])).events.map((e) => [e.id, e.action])).toEqual([[NOTES, "resolve"], [TAGS, "apply"]]);
      expect((await query(db.url, "select id from migrations order by sequence")).map((r) => r.id)).toEqual([NOTES, TAGS]);
      // Rolled back with strata, as any migration.
      expectExit(await strata(dir, ["down", "--all", "--url", db.url]), 0);
      expect(await tableNames(db.url)).not.toContain("notes");
    });
  });
});
