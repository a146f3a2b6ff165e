import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { chunksDone, counters, HASH_IMPORTS, HASH_METHOD, indexColumns, migrationFile, sleep, startStrata, transformStatus, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const HASH = "20260102000000_hash_emails";
const ID = `${HASH}.users`;

/** Statements before the transform (a table, an index, a row) and after it (an index, a row): each must run once. */
const hashMigration = migrationFile(
  "HashEmails",
  `  async up() {
    Schema.createTable("audit", [Schema.id(), Schema.string("step")]);
    Schema.createIndex("users", ["email"]);
    await this.db.table("audit").insert({ step: "before" });
    await this.transform("users", { columns: ["email", "counter"], batchSize: 2000, workers: 2 }, "hashEmail");
    Schema.createIndex("users", ["email_hash"]);
    await this.db.table("audit").insert({ step: "after" });
  }
${HASH_METHOD}`,
  HASH_IMPORTS(20),
);

/** Enough rows that two runs, each killed up to 1.2 s after its first chunk, leave some undone. */
const N = 200_000;

forEachDialect((dialect) => {
  describe("a transform killed twice with SIGKILL", () => {
    it("resumes on the next up with every row written exactly once and the migration's other statements run once", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${HASH}.ts`]: hashMigration });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      let done = 0;
      for (let kill = 1; kill <= 2; kill++) {
        const run = startStrata(dir, ["up", "--url", db.url]);
        // This process made progress of its own, then dies at a random moment.
        const before = done;
        await waitFor(`chunks done by run ${kill}`, async () => (await chunksDone(db.url, ID)) > before || run.child.exitCode !== null);
        await sleep(Math.floor(Math.random() * 1200));
        run.child.kill("SIGKILL");
        const result = await run.result;
        expect(result.signal, `run ${kill} ended before it was killed:\n${run.output()}`).toBe("SIGKILL");
        done = await chunksDone(db.url, ID);
        expect(done).toBeGreaterThan(before);

        // Stopped: the migration is pending, its transform running at its checkpoint.
        expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [CREATE]: "applied", [HASH]: "pending" });
        const transform = (await transformStatus(dir, db.url)).transforms;
        expect(transform).toHaveLength(1);
        expect(transform[0]).toMatchObject({ id: ID, table: "users", state: "running", rowsTotal: N });
        expect(transform[0].rowsDone).toBeGreaterThan(0);
        expect(transform[0].rowsDone).toBeLessThan(N);
        const human = await strata(dir, ["status", "--url", db.url]);
        expectExit(human, 0);
        expect(human.stdout).toContain(`transform ${ID}: running at ${transform[0].rowsDone}/${N} rows`);
        // No chunk committed rows without its checkpoint: rows done = rows with counter 1.
        expect(await counters(db.url)).toEqual({ 0: N - transform[0].rowsDone, 1: transform[0].rowsDone });
      }

      const last = await strata(dir, ["up", "--url", db.url]);
      expectExit(last, 0);
      expect(last.stderr).toMatch(new RegExp(`transform ${ID.replace(".", "\\.")}: resuming at \\d+ of ${N} rows`));

      expect(await counters(db.url)).toEqual({ 1: N });
      expect(Number((await query(db.url, "select count(*) as n from users where email_hash is null"))[0].n)).toBe(0);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [CREATE]: "applied", [HASH]: "applied" });
      expect((await transformStatus(dir, db.url)).transforms).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N }]);
      // Before the transform: ran once (the table was not created again, the row not inserted twice); after it: ran.
      const audit = await query(db.url, "select step from audit order by id");
      expect(audit.map((r) => r.step)).toEqual(["before", "after"]);
      const indexes = await indexColumns(db.url, "users");
      expect(indexes).toContainEqual(["email"]);
      expect(indexes).toContainEqual(["email_hash"]);
    });
  });
});
