import { describe, expect, it } from "vitest";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { chunksDone, counters, HASH_IMPORTS, HASH_METHOD, migrationFile, startStrata, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const HASH = "20260102000000_hash_emails";
const ID = `${HASH}.users`;
const N = 12_000;

/** A throttled transform (about 3 s) with statements before and after it, each of which must run once. */
const hashMigration = migrationFile(
  "HashEmails",
  `  async up() {
    Schema.createTable("audit", [Schema.id(), Schema.string("step")]);
    await this.db.table("audit").insert({ step: "before" });
    await this.transform("users", { columns: ["email", "counter"], batchSize: 500, workers: 1, maxRowsPerSecond: 4000 }, "hashEmail");
    await this.db.table("audit").insert({ step: "after" });
  }
${HASH_METHOD}`,
  HASH_IMPORTS(1),
);

forEachDialect((dialect) => {
  describe("a second up started while the first runs a transform", () => {
    // SQLite's lock lasts one transaction, so between two chunks the second up finds it free:
    // it must still see the first runner alive and wait for it.
    it("waits for the first runner and applies nothing twice", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${HASH}.ts`]: hashMigration });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);
      const first = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("a first chunk", async () => (await chunksDone(db.url, ID)) > 0 || first.child.exitCode !== null);
      const second = await strata(dir, ["up", "--url", db.url]);
      const firstResult = await first.result;
      expect(firstResult.code, first.output()).toBe(0);
      expectExit(second, 0);
      expect(second.stderr + second.stdout).toMatch(/Waiting for the migration lock/);
      expect((await query(db.url, "select step from audit order by id")).map((r) => r.step)).toEqual(["before", "after"]);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [CREATE]: "applied", [HASH]: "applied" });
    });
  });
});
