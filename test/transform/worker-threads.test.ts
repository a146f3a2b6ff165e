import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, strata } from "../cli/fixtures.ts";
import { counters, migrationFile, usersMigration } from "./fixtures.ts";

const N = 2000;

/** Each row waits 1 ms (no CPU needed) and records the thread that did it in email_hash. */
const threadsMigration = migrationFile(
  "Threads",
  `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 250, targetChunkMs: 0, workers: 2 }, "mark");
  }
  mark(row: { counter: number }) {
    Atomics.wait(pause, 0, 0, 1);
    return { email_hash: String(threadId), counter: row.counter + 1 };
  }`,
  `import { threadId } from "node:worker_threads";\nconst pause = new Int32Array(new SharedArrayBuffer(4));`,
);

forEachDialect((dialect) => {
  describe("the worker pool", () => {
    // SQLite has one chunk in flight (one writer): its rows are split over the workers.
    it("spreads the row function over every worker, each row done once", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_create_users.ts": usersMigration(dialect, N), "migrations/20260102000000_threads.ts": threadsMigration });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });
      const threads = (await query(db.url, "select distinct email_hash as t from users")).map((r) => Number(r.t));
      // threadId 0 is the main thread: every row went through a worker thread, and both took part.
      expect(threads.every((t) => Number.isInteger(t) && t > 0), `thread ids ${threads}`).toBe(true);
      expect(threads.length, `thread ids ${threads}`).toBe(2);
    });
  });
});
