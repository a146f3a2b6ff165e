import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { chunksDone, counters, HASH_IMPORTS, HASH_METHOD, migrationFile, startStrata, usersMigration, waitFor } from "../transform/fixtures.ts";
import { expectExit, historyJson, states, statusJson, strata } from "./fixtures.ts";

/** Ctrl-C (SIGINT) or SIGTERM stops a run after the migration in progress, with what completed recorded. */
const slow = (dialect: string) => ({ postgres: "select pg_sleep(0.3)", mysql: "do sleep(0.3)", sqlite: "with recursive c(x) as (select 1 union all select x + 1 from c where x < 4000000) select count(*) from c" })[dialect]!;

const ids = Array.from({ length: 12 }, (_, i) => `2026010100${String(i).padStart(2, "0")}00_step_${i}`);

forEachDialect((dialect) => {
  describe("a run stopped by a signal", () => {
    // The handling is the same on every database; SQLite (a synchronous driver) also gets SIGTERM.
    it.each(dialect === "sqlite" ? (["SIGINT", "SIGTERM"] as const) : (["SIGINT"] as const))("%s stops after the migration in progress: those before are applied, the rest pending, exit 1", async (signal) => {
      const db = await testDatabase(dialect);
      const files = Object.fromEntries(ids.map((id, i) => [`migrations/${id}.sql`, `-- migrate:up\ncreate table step_${i} (id int primary key);\n${slow(dialect)};\n\n-- migrate:down\ndrop table step_${i};\n`]));
      const dir = await writeProject(files);
      const run = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("two migrations applied", () => (run.output().match(/✓/g) ?? []).length >= 2 || run.child.exitCode !== null, 60_000);
      run.child.kill(signal);
      const result = await run.result;
      expect(result.code, run.output()).toBe(1);
      expect(result.stderr).toContain(`${signal}: stopping after the migration in progress`);
      expect(result.stderr).toMatch(new RegExp(`Stopped by ${signal} before 20260101\\d+_step_\\d+ \\(\\d+ applied in this run\\)`));
      const state = states(await statusJson(dir, ["--url", db.url]));
      const applied = ids.filter((id) => state[id] === "applied");
      expect(applied.length).toBeGreaterThanOrEqual(2);
      expect(applied.length).toBeLessThan(ids.length);
      // In order, none failed: the applied ones first, then pending ones.
      expect(Object.values(state)).toEqual([...applied.map(() => "applied"), ...ids.slice(applied.length).map(() => "pending")]);
      expect((await historyJson(dir, ["--url", db.url])).events.filter((e) => e.action === "apply").map((e) => e.id)).toEqual(applied);
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(Object.values(states(await statusJson(dir, ["--url", db.url])))).toEqual(ids.map(() => "applied"));
    });

    it.skipIf(dialect === "mysql")("during a transform: stops after the chunks in flight, and the next up resumes it with every row done once", async () => {
      const db = await testDatabase(dialect);
      const CREATE = "20260101000000_create_users";
      const HASH = "20260102000000_hash_emails";
      const N = 30_000;
      const hash = migrationFile("HashEmails", `  async up() {\n    await this.transform("users", { columns: ["email", "counter"], batchSize: 1000, workers: 1, maxRowsPerSecond: 6000 }, "hashEmail");\n  }\n${HASH_METHOD}`, HASH_IMPORTS(1));
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${HASH}.ts`]: hash });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);
      const run = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("a chunk done", async () => (await chunksDone(db.url, `${HASH}.users`)) > 1 || run.child.exitCode !== null);
      run.child.kill("SIGINT");
      const result = await run.result;
      expect(result.code, run.output()).toBe(1);
      expect(result.stderr).toMatch(/Stopped by SIGINT during transform 20260102000000_hash_emails\.users, at \d+ of 30000 rows/);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [CREATE]: "applied", [HASH]: "pending" });
      const done = Number((await query(db.url, "select count(*) as n from users where counter = 1"))[0].n);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(N);
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });
    });
  });
});
