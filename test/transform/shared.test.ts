import { describe, expect, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, chunksDone, counters, migrationFile, q, startStrata, transformStatus, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const STAMP = "20260102000000_stamp";
const ID = `${STAMP}.users`;
const N = 40_000;

/** Throttled per process to 5,000 rows/s: alone the runner would need 8 s, so the second process has chunks to take. */
const stampMigration = migrationFile(
  "Stamp",
  `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 500, workers: 1, maxRowsPerSecond: 5000, targetChunkMs: 0 }, "stamp");
  }
  stamp(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
);

// Chunks are claimed with SKIP LOCKED (PostgreSQL, MariaDB 10.6+), on SQLite inside the write lock; there
// the runner holds no lock between chunks, so the joining process is told apart by the chunks being written.
forEachDialect((dialect) => {
  describe("two processes sharing one transform", () => {
    // Without an id, resume joins every running transform (SPEC: "a second process joins a running transform with `strata transform resume`").
    it.each([
      ["transform resume <id>", [ID]],
      ["transform resume without an id", []],
    ])("the runner and a process that joins with %s finish it together, every row once", async (_how, ids) => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      const a = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("the runner's first chunk", async () => (await chunksDone(db.url, ID)) >= 1 || a.child.exitCode !== null);
      // B cannot take the migration lock, so it only processes chunks of the running transform.
      const b = await strata(dir, ["transform", "resume", ...ids, "--json", "--url", db.url]);
      const ra = await a.result;
      expectExit(b, 0);
      expect(parseJson(b)).toEqual({ resumed: [ID], joined: true });
      expect(ra.code, a.output()).toBe(0);

      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("applied");
      expect((await transformStatus(dir, db.url)).transforms).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N }]);

      // Both did chunks, and the chunk table tells the two processes apart.
      const by = await query(db.url, `select ${q(dialect, "by")} as who, count(*) as n, sum(${q(dialect, "rows")}) as r from ${CHUNKS_TABLE} where state = 'done' group by ${q(dialect, "by")}`);
      expect(by, JSON.stringify(by)).toHaveLength(2);
      expect(by.reduce((sum, row) => sum + Number(row.r), 0)).toBe(N);
      for (const row of by) {
        expect(Number(row.n)).toBeGreaterThan(0);
        expect(row.who).toMatch(/^.+@.+ pid \d+$/);
      }
    });
  });
});
