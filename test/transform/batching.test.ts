import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batching } from "../../plugins/batching/index.ts";
import type { BatchPolicy } from "../../src/index.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, historyJson, strata } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, counters, migrationFile, q, usersMigration } from "./fixtures.ts";

const policy = (options?: Parameters<typeof batching>[0]): BatchPolicy => batching(options).batching!;

describe("the batching policy (plugins/batching)", () => {
  const base = { targetMs: 500, min: 100, max: 50_000 };

  it("nextSize moves the size toward the target chunk duration, at most maxStep per chunk, within min and max", () => {
    const p = policy();
    expect(p.nextSize({ ...base, size: 1000, durationMs: 250 })).toBe(2000);
    expect(p.nextSize({ ...base, size: 1000, durationMs: 1000 })).toBe(500);
    expect(p.nextSize({ ...base, size: 1000, durationMs: 500 })).toBe(1000);
    // One chunk moves the size by a factor of 2 at most (the default maxStep).
    expect(p.nextSize({ ...base, size: 1000, durationMs: 1 })).toBe(2000);
    expect(p.nextSize({ ...base, size: 1000, durationMs: 60_000 })).toBe(500);
    // Bounds.
    expect(p.nextSize({ ...base, size: 40_000, durationMs: 10 })).toBe(50_000);
    expect(p.nextSize({ ...base, size: 150, durationMs: 10_000 })).toBe(100);
    // Fixed size: no target, or a duration too short to measure.
    expect(p.nextSize({ ...base, targetMs: 0, size: 1000, durationMs: 1 })).toBe(1000);
    expect(p.nextSize({ ...base, size: 1000, durationMs: 0 })).toBe(1000);
    expect(policy({ maxStep: 1.5 }).nextSize({ ...base, size: 1000, durationMs: 1 })).toBe(1500);
  });

  it("nextSize converges on the size whose chunk takes targetMs", () => {
    const p = policy();
    // A chunk costs 0.1 ms per row plus 20 ms: 500 ms is 4,800 rows.
    let size = 100;
    for (let i = 0; i < 30; i++) size = p.nextSize({ ...base, size, durationMs: 20 + size * 0.1 });
    expect(Math.abs(size - 4800)).toBeLessThanOrEqual(50);
  });

  it("delayMs honours maxRowsPerSecond (a token bucket over the rows started) and pauseMs", () => {
    const p = policy();
    expect(p.delayMs({ size: 1000, rowsStarted: 0, elapsedMs: 0, pauseMs: 0 })).toBe(0);
    expect(p.delayMs({ size: 1000, rowsStarted: 50_000, elapsedMs: 10, pauseMs: 0 })).toBe(0);
    expect(p.delayMs({ size: 1000, rowsStarted: 0, elapsedMs: 0, pauseMs: 250 })).toBe(250);
    // 3,000 rows at 1,000 rows/s may start after 3 s; after 1 s, wait 2 s.
    expect(p.delayMs({ size: 1000, rowsStarted: 3000, elapsedMs: 1000, maxRowsPerSecond: 1000, pauseMs: 0 })).toBe(2000);
    // Behind the allowed rate: no wait beyond the pause.
    expect(p.delayMs({ size: 1000, rowsStarted: 3000, elapsedMs: 5000, maxRowsPerSecond: 1000, pauseMs: 0 })).toBe(0);
    expect(p.delayMs({ size: 1000, rowsStarted: 3000, elapsedMs: 5000, maxRowsPerSecond: 1000, pauseMs: 40 })).toBe(40);
    expect(p.delayMs({ size: 1000, rowsStarted: 3000, elapsedMs: 2900, maxRowsPerSecond: 1000, pauseMs: 40 })).toBe(100);
  });

  it("retryDelayMs grows with each attempt (exponential, jittered) up to its cap", () => {
    const p = policy();
    for (let round = 0; round < 50; round++) {
      const delays = [1, 2, 3, 4, 5].map((a) => p.retryDelayMs(a));
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
      expect(delays[0]).toBeGreaterThanOrEqual(187);
      expect(delays[0]).toBeLessThanOrEqual(313);
      expect(p.retryDelayMs(30)).toBeLessThanOrEqual(12_500);
    }
    const custom = policy({ retryDelayMs: 100, maxRetryDelayMs: 400 });
    expect(custom.retryDelayMs(1)).toBeLessThanOrEqual(125);
    expect(custom.retryDelayMs(10)).toBeGreaterThanOrEqual(300);
    expect(custom.retryDelayMs(10)).toBeLessThanOrEqual(500);
  });
});

/** A project plugin providing the built-in policy, logging each call with its answer (JSON lines). */
const recordingPlugin = (log: string) => `import { appendFileSync } from "node:fs";
import { definePlugin } from "strata";
import { batching } from "strata/plugins";

const inner = batching().batching!;
const record = (fn: string, input: unknown, out: number) => appendFileSync(${JSON.stringify(log)}, JSON.stringify({ fn, input, out }) + "\\n");

export default definePlugin({
  name: "recording-batching",
  hooks: {},
  batching: {
    nextSize: (s) => { const out = inner.nextSize(s); record("nextSize", s, out); return out; },
    delayMs: (s) => { const out = inner.delayMs(s); record("delayMs", s, out); return out; },
    retryDelayMs: (a) => { const out = inner.retryDelayMs(a); record("retryDelayMs", a, out); return out; },
  },
});
`;

const N = 6000;

forEachDialect((dialect) => {
  describe("the engine and the batching policy", () => {
    it("adapts chunk sizes toward targetChunkMs within bounds, keeps them fixed without it, and asks the policy to pace", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_create_users.ts": usersMigration(dialect, N),
        "migrations/20260102000000_adaptive.ts": migrationFile(
          "Adaptive",
          `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 100, minBatchSize: 50, maxBatchSize: 1600, targetChunkMs: 2000, maxRowsPerSecond: 5000, pauseMs: 3, workers: 1 }, "bump");
  }
  bump(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
        ),
        "migrations/20260103000000_fixed.ts": migrationFile(
          "Fixed",
          `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 700, targetChunkMs: 0, workers: 0 }, "bump");
  }
  bump(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
        ),
      });
      const log = join(dir, "batching.jsonl");
      await addFiles(dir, { "plugins/recording.ts": recordingPlugin(log) });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 2: N });

      const chunks = async (id: string) =>
        (await query(db.url, `select size, ${q(dialect, "rows")} as n from ${CHUNKS_TABLE} where transform_id = '${id}' order by chunk_no`)).map((r) => ({ size: Number(r.size), rows: Number(r.n) }));
      // Cheap rows and a 2 s target: the size grows from 100 (doubling at most) up to the 1,600 ceiling.
      const adaptive = await chunks("20260102000000_adaptive.users");
      const sizes = adaptive.map((c) => c.size);
      expect(sizes[0]).toBe(100);
      expect(new Set(sizes).size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sizes)).toBe(1600);
      for (const c of adaptive) {
        expect(c.size).toBeGreaterThanOrEqual(50);
        expect(c.rows).toBeLessThanOrEqual(c.size);
      }
      expect(adaptive.reduce((sum, c) => sum + c.rows, 0)).toBe(N);
      // targetChunkMs: 0 keeps batchSize.
      const fixed = await chunks("20260103000000_fixed.users");
      expect(new Set(fixed.map((c) => c.size))).toEqual(new Set([700]));
      expect(fixed.map((c) => c.rows)).toEqual([700, 700, 700, 700, 700, 700, 700, 700, 400]);

      // The engine asked the policy, with the transform's options.
      const calls = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line));
      const paced = calls.filter((c) => c.fn === "delayMs" && c.input.maxRowsPerSecond === 5000);
      expect(paced.length).toBeGreaterThanOrEqual(adaptive.length);
      expect(paced[0].input.pauseMs).toBe(0);
      expect(paced.slice(1).some((c) => c.input.pauseMs === 3)).toBe(true);
      // 6,000 rows at 5,000 rows/s: the bucket runs ahead and the policy asks for waits.
      expect(paced.some((c) => c.out > 3)).toBe(true);
      const unpaced = calls.filter((c) => c.fn === "delayMs" && c.input.maxRowsPerSecond === undefined);
      expect(unpaced.length).toBeGreaterThan(0);
      for (const c of unpaced) expect(c.input.pauseMs).toBe(0);
      const sizing = calls.filter((c) => c.fn === "nextSize");
      expect(sizing.filter((c) => c.input.targetMs === 2000 && c.input.min === 50 && c.input.max === 1600)).toHaveLength(adaptive.length);
      expect(sizing.filter((c) => c.input.targetMs === 0).every((c) => c.out === c.input.size)).toBe(true);
    });
  });
});

/** A pure-SQL transform of the 600 users rows in fixed chunks of 100, paced by `pace`. */
const setMigration = (className: string, pace: string) =>
  migrationFile(
    className,
    `  async up() {
    await this.transform("users", { batchSize: 100, targetChunkMs: 0, ${pace} }, { set: { counter: "counter + 1" } });
  }`,
  );

forEachDialect((dialect) => {
  describe("pacing of a { set } transform", () => {
    // A throttle only ever makes a run slower, so a lower bound on its duration is not flaky.
    it("honours maxRowsPerSecond and pauseMs like a method transform: 600 rows at 1,000 rows/s take over half a second", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_create_users.ts": usersMigration(dialect, 600),
        "migrations/20260102000000_throttled.ts": setMigration("Throttled", "maxRowsPerSecond: 1000"),
        "migrations/20260103000000_paused.ts": setMigration("Paused", "pauseMs: 200"),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect(await counters(db.url)).toEqual({ 2: 600 });

      const history = await historyJson(dir, ["--url", db.url]);
      const took = (id: string) => history.events.find((e) => e.id === id && e.action === "apply")!.durationMs!;
      expect(took("20260102000000_throttled")).toBeGreaterThanOrEqual(500);
      // Seven chunks (the last, open-ended one empty), a 200 ms pause before all but the first of each lane.
      expect(took("20260103000000_paused")).toBeGreaterThanOrEqual(500);
    });
  });
});
