import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, printed, states, statusJson, strata } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, counters, migrationFile, transformStatus, usersMigration } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const STAMP = "20260102000000_stamp";
const ID = `${STAMP}.users`;
const N = 3000;

/** Adds a column, then transforms in fixed chunks of 200 rows (15 chunks). */
const stampMigration = migrationFile(
  "Stamp",
  `  async up() {
    Schema.addColumn("users", Schema.string("nickname", { nullable: true }));
    await this.transform("users", { columns: ["counter"], batchSize: 200, targetChunkMs: 0, workers: 1 }, "stamp");
  }
  stamp(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
);

/** A project plugin aborting in `hook` while STRATA_TEST_ABORT is set (batchBefore: from chunk 3 on). */
const guardPlugin = (hook: "transform:start" | "transform:batchBefore") => `import { abort, definePlugin } from "strata";

export default definePlugin({
  name: "guard",
  hooks: {
    ${JSON.stringify(hook)}: (payload: { batch?: number }) => {
      if (process.env.STRATA_TEST_ABORT && (payload.batch === undefined || payload.batch >= 3)) abort("replica lag too high");
    },
  },
});
`;

const ABORT = { STRATA_TEST_ABORT: "1" };

forEachDialect((dialect) => {
  describe("abort() in transform before-hooks", () => {
    it("in transform:start: PLUGIN_ABORTED before any chunk; the transform is paused with the reason, and resume goes on", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration, "plugins/guard.ts": guardPlugin("transform:start") });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      const up = await strata(dir, ["up", "--url", db.url], ABORT);
      expectExit(up, 1);
      expect(printed(up)).toContain("PLUGIN_ABORTED");
      expect(up.stderr).toContain("replica lag too high");
      expect(up.stderr).toContain(`strata transform resume ${ID}`);
      // No row was touched; the transform waits, paused, saying why.
      expect(await counters(db.url)).toEqual({ 0: N });
      const [paused] = (await transformStatus(dir, db.url)).transforms;
      expect(paused).toMatchObject({ id: ID, state: "paused", rowsDone: 0, rowsTotal: N });
      expect(paused.lastError).toContain("replica lag too high");
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).not.toBe("applied");

      // Once the plugin lets it through, resume finishes the transform and the migration.
      expectExit(await strata(dir, ["transform", "resume", ID, "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("applied");
    });

    it("in transform:batchBefore: PLUGIN_ABORTED at once (not retried); the transform is paused with its rows done, and resume goes on", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);
      await addFiles(dir, { "plugins/guard.ts": guardPlugin("transform:batchBefore") });

      const up = await strata(dir, ["up", "--url", db.url], ABORT);
      expectExit(up, 1);
      expect(printed(up)).toContain("PLUGIN_ABORTED");
      expect(printed(up)).not.toContain("TRANSFORM_FAILED");
      expect(up.stderr).toContain("replica lag too high");
      expect(up.stderr).toContain(`strata transform resume ${ID}`);
      // No chunk was retried or marked failed: the refusal is not the chunk's error.
      const tried = await query(db.url, `select count(*) as n from ${CHUNKS_TABLE} where attempts > 0 or state = 'failed'`);
      expect(Number(tried[0].n)).toBe(0);

      // Chunks 0-2 (and any in flight) committed and stay; the transform is paused, saying why.
      const [t] = (await transformStatus(dir, db.url)).transforms;
      expect(t).toMatchObject({ id: ID, state: "paused", rowsTotal: N });
      expect(t.lastError).toContain("replica lag too high");
      expect(t.rowsDone).toBeGreaterThanOrEqual(600);
      expect(t.rowsDone).toBeLessThan(N);
      expect(await counters(db.url)).toEqual({ 0: N - t.rowsDone, 1: t.rowsDone });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("pending");

      // A plain up refuses while it is paused; transform resume goes on from there, every row once.
      const again = await strata(dir, ["up", "--url", db.url]);
      expectExit(again, 1);
      expect(again.stderr).toContain(`strata transform resume ${ID}`);
      expectExit(await strata(dir, ["transform", "resume", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("applied");
      expect((await transformStatus(dir, db.url)).transforms).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N }]);
    });
  });
});
