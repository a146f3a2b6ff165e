import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.ts";
import { loadDialect } from "../../src/dialects/registry.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { count, counters, migrationFile, startStrata, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const BUMP = "20260102000000_bump";
const N = 500;

/**
 * Its statements before the transform run, then up() waits for the test (marker files)
 * before calling this.transform(), which commits them and writes the resumable marker.
 */
const bumpMigration = (ready: string, go: string) =>
  migrationFile(
    "Bump",
    `  async up() {
    Schema.createTable("audit", [Schema.id(), Schema.string("step")]);
    await this.db.table("audit").insert({ step: "before" });
    writeFileSync(${JSON.stringify(ready)}, "");
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
    await this.transform("users", { columns: ["counter"], batchSize: 100, workers: 0 }, "bump");
  }
  bump(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
    `import { existsSync, writeFileSync } from "node:fs";`,
  );

/** The transform, then up() waits for the test before its statements after the transform. */
const afterMigration = (ready: string, go: string) =>
  migrationFile(
    "Bump",
    `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 100, workers: 0 }, "bump");
    writeFileSync(${JSON.stringify(ready)}, "");
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
    Schema.createIndex("users", ["email_hash"]);
    Schema.createTable("audit", [Schema.id(), Schema.string("step")]);
    await this.db.table("audit").insert({ step: "after" });
  }
  bump(row: { counter: number }) {
    return { counter: row.counter + 1 };
  }`,
    `import { existsSync, writeFileSync } from "node:fs";`,
  );

/**
 * Runs `up` until the migration signals `ready`, locks the progress marker table, lets the
 * migration go on, and kills the runner once it waits for that table (a statement ran and
 * its progress is being recorded, or the marker is being written).
 */
async function killWhileRecordingProgress(dir: string, url: string, ready: string, go: string): Promise<void> {
  const parsed = parseDatabaseUrl(url, dir);
  const dialect = await loadDialect({ url: parsed.url, described: parsed.described });
  const blocker = await dialect.driver.open();
  try {
    const run = startStrata(dir, ["up", "--url", url]);
    await waitFor("the migration to signal", () => existsSync(ready) || run.child.exitCode !== null);
    await blocker.execute("begin");
    await blocker.execute("lock table migrations_progress in access exclusive mode nowait");
    await writeFile(go, "");
    await waitFor("the runner to wait for the marker table", async () => (await count(url, "select count(*) as n from pg_locks where not granted and relation = 'migrations_progress'::regclass")) > 0 || run.child.exitCode !== null);
    run.child.kill("SIGKILL");
    expect((await run.result).signal, run.output()).toBe("SIGKILL");
    await blocker.execute("rollback");
  } finally {
    await blocker.close();
    await dialect.driver.close();
  }
}

// PostgreSQL shows a session waiting for a lock (pg_locks), so the kill lands exactly there.
forEachDialect((dialect) => {
  describe("killed while entering the transform", () => {
    it("the statements before the transform are committed together with the resume marker, or not at all", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N) });
      const ready = join(dir, "ready");
      const go = join(dir, "go");
      await addFiles(dir, { [`migrations/${BUMP}.ts`]: bumpMigration(ready, go) });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      await killWhileRecordingProgress(dir, db.url, ready, go);

      // The next up runs (or resumes) the migration: no "table audit already exists".
      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);
      expect((await query(db.url, "select step from audit")).map((r) => r.step)).toEqual(["before"]);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[BUMP]).toBe("applied");
    });

    it("a statement after the transform that ran before the kill is not run again on resume", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N) });
      const ready = join(dir, "ready");
      const go = join(dir, "go");
      await addFiles(dir, { [`migrations/${BUMP}.ts`]: afterMigration(ready, go) });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);
      await killWhileRecordingProgress(dir, db.url, ready, go);

      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);
      expect((await query(db.url, "select step from audit")).map((r) => r.step)).toEqual(["after"]);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[BUMP]).toBe("applied");
    });
  });
}, ["postgres"]);
