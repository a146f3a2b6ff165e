import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, strata } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, counters, HASH_IMPORTS, HASH_METHOD, hookRecorder, migrationFile, q, readHookLog, usersMigration } from "./fixtures.ts";

const N = 20_000;
const MAX = 1000;
const WORKERS = 2;

const hashMigration = migrationFile(
  "Hash",
  `  async up() {
    await this.transform("users", { columns: ["email", "counter"], batchSize: 500, minBatchSize: 100, maxBatchSize: ${MAX}, targetChunkMs: 200, workers: ${WORKERS} }, "hashEmail");
  }
${HASH_METHOD}`,
  HASH_IMPORTS(5),
);

/**
 * Memory stays bounded by what is in flight: at most one chunk per lane (one more than the
 * workers, so reads and writes overlap the row function; one on SQLite, its single writer),
 * each at most maxBatchSize rows. A chunk's rows are held between its batchBefore (before
 * the read) and its batchAfter (after the write).
 */
forEachDialect((dialect) => {
  const lanes = dialect === "sqlite" ? 1 : WORKERS + 1;

  describe("rows held by the engine", () => {
    it("never exceed lanes × maxBatchSize: chunks in flight ≤ lanes, rows per chunk ≤ maxBatchSize", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "migrations/20260101000000_create_users.ts": usersMigration(dialect, N), "migrations/20260102000000_hash.ts": hashMigration });
      const log = join(dir, "hooks.jsonl");
      await addFiles(dir, { "plugins/recorder.ts": hookRecorder(log) });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 1: N });

      const chunks = await query(db.url, `select size, ${q(dialect, "rows")} as n from ${CHUNKS_TABLE}`);
      expect(chunks.reduce((sum, c) => sum + Number(c.n), 0)).toBe(N);
      for (const c of chunks) {
        expect(Number(c.size)).toBeLessThanOrEqual(MAX);
        expect(Number(c.n)).toBeLessThanOrEqual(MAX);
      }

      const calls = readHookLog(log);
      const rowsOf = new Map(calls.filter((c) => c.hook === "transform:batchAfter").map((c) => [c.payload.batch, c.payload.rows as number]));
      const held = new Set<number>();
      let maxChunks = 0;
      let maxRows = 0;
      for (const { hook, payload } of calls) {
        if (hook === "transform:batchBefore") held.add(payload.batch);
        if (hook === "transform:batchAfter") held.delete(payload.batch);
        maxChunks = Math.max(maxChunks, held.size);
        maxRows = Math.max(maxRows, [...held].reduce((sum, batch) => sum + (rowsOf.get(batch) ?? 0), 0));
      }
      expect(held.size).toBe(0);
      expect(maxChunks).toBeLessThanOrEqual(lanes);
      expect(maxRows).toBeLessThanOrEqual(lanes * MAX);
      // Several chunks really are in flight at once where the database allows it (pipelining).
      if (lanes > 1) expect(maxChunks).toBeGreaterThanOrEqual(2);
    });
  });
});
