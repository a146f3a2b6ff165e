import { describe, expect, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, printed, states, statusJson, strata } from "../cli/fixtures.ts";
import { chunksDone, counters, migrationFile, startStrata, transformStatus, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const STAMP = "20260102000000_stamp";
const ID = `${STAMP}.users`;
const N = 30_000;

/** Throttled to 5,000 rows/s at first, so the run lasts seconds without keeping the CPU busy. */
const stampMigration = (throttle: string) =>
  migrationFile(
    "Stamp",
    `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 500, workers: 1, targetChunkMs: 0${throttle} }, "stamp");
  }
  stamp(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
  );

forEachDialect((dialect) => {
  describe("strata transform pause from another process", () => {
    it("stops the running up with the transform paused; strata transform resume finishes it", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration(", maxRowsPerSecond: 5000") });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      const run = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("the first chunks", async () => (await chunksDone(db.url, ID)) >= 2 || run.child.exitCode !== null);
      const pause = await strata(dir, ["transform", "pause", "--json", "--url", db.url]);
      expectExit(pause, 0);
      expect(parseJson(pause)).toEqual({ paused: [ID] });

      // The runner stops after its chunks in flight and exits non-zero, naming the transform.
      const stopped = await run.result;
      expect(stopped.signal).toBeNull();
      expect(stopped.code, run.output()).toBe(1);
      expect(printed(stopped)).toContain(`Transform "${ID}" is paused`);
      // A deliberate pause is not reported as a failure of the transform.
      expect(printed(stopped)).toContain("TRANSFORM_PAUSED");
      expect(printed(stopped)).not.toContain("TRANSFORM_FAILED");
      const paused = (await transformStatus(dir, db.url)).transforms;
      expect(paused).toEqual([{ id: ID, table: "users", state: "paused", rowsDone: expect.any(Number), rowsTotal: N }]);
      expect(paused[0].rowsDone).toBeGreaterThan(0);
      expect(paused[0].rowsDone).toBeLessThan(N);
      expect(await counters(db.url)).toEqual({ 0: N - paused[0].rowsDone, 1: paused[0].rowsDone });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("pending");

      // Resume (no id: every paused transform) runs the migration on: done, applied, each row
      // once. The pending migration's options may change meanwhile: here the throttle goes.
      await addFiles(dir, { [`migrations/${STAMP}.ts`]: stampMigration("") });
      const resume = await strata(dir, ["transform", "resume", "--url", db.url]);
      expectExit(resume, 0);
      expect(resume.stdout).toContain(`Resumed ${ID}`);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect((await transformStatus(dir, db.url)).transforms).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N }]);
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("applied");

      // Nothing left to pause; an unknown id is a usage error naming the transforms there are.
      const idle = await strata(dir, ["transform", "pause", "--json", "--url", db.url]);
      expectExit(idle, 0);
      expect(parseJson(idle)).toEqual({ paused: [] });
      const unknown = await strata(dir, ["transform", "resume", "nope", "--url", db.url]);
      expectExit(unknown, 2);
      expect(unknown.stderr).toContain('No transform "nope"');
      expect(unknown.stderr).toContain(ID);
    });
  });
});
