import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, strata } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, counters, hookRecorder, migrationFile, q, readHookLog, usersMigration } from "./fixtures.ts";

const STAMP = "20260102000000_stamp";
const ID = `${STAMP}.users`;
const N = 10_000;

/** Throttled to 4,000 rows/s: the run lasts over a second, so progress is reported. */
const stampMigration = migrationFile(
  "Stamp",
  `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 400, workers: 2, maxRowsPerSecond: 4000, targetChunkMs: 0 }, "stamp");
  }
  stamp(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
);

forEachDialect((dialect) => {
  describe("transform progress and hooks", () => {
    it("prints structured progress lines when not on a terminal, and fires transform:* hooks with the same figures", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_create_users.ts": usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration });
      const log = join(dir, "hooks.jsonl");
      await addFiles(dir, { "plugins/recorder.ts": hookRecorder(log) });
      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);
      expect(await counters(db.url)).toEqual({ 1: N });

      // Plain lines on stderr (no bar, no carriage returns): start, progress with rate and ETA, end.
      const lines = up.stderr.split("\n").filter((l) => l.startsWith(`transform ${ID}:`));
      expect(up.stderr).not.toContain("\r");
      expect(lines[0]).toBe(`transform ${ID}: starting, ${N} rows, 2 worker(s), chunks of 400`);
      const progress = lines.filter((l) => / rows\/s, ETA /.test(l));
      expect(progress.length, up.stderr).toBeGreaterThanOrEqual(1);
      for (const line of progress) expect(line).toMatch(new RegExp(`^transform ${ID.replace(".", "\\.")}: \\d+/${N} rows \\(\\d+\\.\\d%\\), [\\d,]+ rows/s, ETA `));
      expect(lines.at(-1)).toMatch(new RegExp(`^transform ${ID.replace(".", "\\.")}: done — ${N} of ${N} rows in `));

      const calls = readHookLog(log);
      const of = (hook: string) => calls.filter((c) => c.hook === hook).map((c) => c.payload);
      expect(calls[0].hook).toBe("transform:start");
      expect(of("transform:start")).toEqual([{ id: ID, migrationId: STAMP, table: "users", rowsTotal: N, rowsDone: 0, workers: 2, batchSize: 400 }]);
      expect(calls.at(-1)!.hook).toBe("transform:end");
      expect(of("transform:end")).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N, durationMs: expect.any(Number) }]);

      // One batchBefore and one batchAfter per chunk, matching the chunk table.
      const chunks = await query(db.url, `select chunk_no, ${q(dialect, "rows")} as n from ${CHUNKS_TABLE} order by chunk_no`);
      const before = of("transform:batchBefore");
      const after = of("transform:batchAfter");
      expect(before.map((p) => p.batch).sort((a, b) => a - b)).toEqual(chunks.map((c) => Number(c.chunk_no)));
      expect(after.map((p) => p.batch).sort((a, b) => a - b)).toEqual(chunks.map((c) => Number(c.chunk_no)));
      for (const p of before) expect(p).toMatchObject({ id: ID, table: "users", size: 400 });
      // The key ranges tile the key: (null, k1], (k1, k2], ..., (kn, null].
      const ranges = [...before].sort((a, b) => a.batch - b.batch).map((p) => p.keyRange);
      expect(ranges[0].from).toBeNull();
      expect(ranges.at(-1).to).toBeNull();
      for (let i = 1; i < ranges.length; i++) expect(ranges[i].from).toEqual(ranges[i - 1].to);
      for (const p of after) expect(p).toMatchObject({ id: ID, table: "users", rows: expect.any(Number), changed: expect.any(Number), durationMs: expect.any(Number) });
      expect(after.reduce((sum, p) => sum + p.rows, 0)).toBe(N);
      expect(after.reduce((sum, p) => sum + p.changed, 0)).toBe(N);
      // Each chunk's batchAfter comes after its batchBefore.
      for (const p of after) {
        const b = calls.findIndex((c) => c.hook === "transform:batchBefore" && c.payload.batch === p.batch);
        const a = calls.findIndex((c) => c.hook === "transform:batchAfter" && c.payload.batch === p.batch);
        expect(b).toBeLessThan(a);
      }

      const ticks = of("transform:progress");
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      for (const p of ticks) {
        expect(p).toMatchObject({ id: ID, table: "users", rowsTotal: N });
        expect(p.rowsDone).toBeGreaterThanOrEqual(0);
        expect(p.rowsDone).toBeLessThanOrEqual(N);
        expect(p.rowsPerSecond).toBeGreaterThanOrEqual(0);
      }
      const done = ticks.map((p) => p.rowsDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      // The last report carries the final figure, however short the transform.
      expect(done.at(-1)).toBe(N);
      const end = calls.findIndex((c) => c.hook === "transform:end");
      expect(calls.findLastIndex((c) => c.hook === "transform:progress")).toBeLessThan(end);
    });
  });
});
