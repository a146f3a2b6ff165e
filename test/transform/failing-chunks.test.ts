import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, printed, states, statusJson, strata, type StatusJson } from "../cli/fixtures.ts";
import { CHUNKS_TABLE, counters, expectTransformShape, migrationFile, q, transformStatus, usersMigration } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const STAMP = "20260102000000_stamp";
const ID = `${STAMP}.users`;
const N = 3000;
const BAD = 1234;

/** A row function that throws for one row until the file is fixed; chunks of a fixed 200 rows, so the failing one has both bounds. */
const stampMigration = (broken: boolean) =>
  migrationFile(
    "Stamp",
    `  async up() {
    await this.transform("users", { columns: ["email", "counter"], batchSize: 200, targetChunkMs: 0, workers: 1, retries: 1 }, "stamp");
  }
  stamp(row: { id: number; counter: number }) {
    ${broken ? `if (Number(row.id) === ${BAD}) throw new Error("cannot stamp row " + row.id);` : ""}
    return { counter: row.counter + 1 };
  }`,
  );

const key = (value: unknown) => (Array.isArray(value) ? Number(value[0]) : Number.NaN);

forEachDialect((dialect) => {
  describe("a chunk that keeps failing", () => {
    it("stops the transform paused with the chunk's key range and the row's error; fixed, transform resume completes it", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N), [`migrations/${STAMP}.ts`]: stampMigration(true) });

      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 1);
      expect(printed(up)).toContain("TRANSFORM_FAILED");
      expect(up.stderr).toContain(ID);
      expect(up.stderr).toMatch(new RegExp(`row id="?${BAD}"?: cannot stamp row ${BAD}`));
      const range = up.stderr.match(/keys after \[(\d+)\] up to \[(\d+)\]/);
      expect(range, up.stderr).not.toBeNull();
      expect(Number(range![1])).toBeLessThan(BAD);
      expect(Number(range![2])).toBeGreaterThanOrEqual(BAD);

      // Paused, with the error and the failing chunk's key range.
      const status = await transformStatus(dir, db.url);
      expectTransformShape(status);
      expect(status.transforms).toHaveLength(1);
      const t = status.transforms[0];
      expect(t).toMatchObject({ id: ID, table: "users", state: "paused", rowsTotal: N });
      expect(t.lastError).toMatch(new RegExp(`cannot stamp row ${BAD}`));
      expect(key(t.keyRange!.from)).toBeLessThan(BAD);
      expect(key(t.keyRange!.to)).toBeGreaterThanOrEqual(BAD);
      expect(t.rowsDone).toBeLessThan(N);
      // The failed chunk was tried 1 + retries times and wrote nothing.
      const failed = await query(db.url, `select attempts, ${q(dialect, "rows")} as n from ${CHUNKS_TABLE} where state = 'failed'`);
      expect(failed.map((r) => [Number(r.attempts), Number(r.n)])).toEqual([[2, 0]]);
      expect(await counters(db.url)).toEqual({ 0: N - t.rowsDone, 1: t.rowsDone });

      // status --json keeps SPEC's shape and lists the migration pending; the human status shows the transform.
      const statusAll = (await statusJson(dir, ["--url", db.url])) as StatusJson & { transforms?: unknown[] };
      expect(states(statusAll)[STAMP]).toBe("pending");
      expect(Object.keys(statusAll).sort()).toEqual(["heads", "migrations"]);
      const human = await strata(dir, ["status", "--url", db.url]);
      expect(human.stdout).toContain(`transform ${ID}: paused at ${t.rowsDone}/${N} rows`);
      expect(human.stdout).toContain(`cannot stamp row ${BAD}`);
      expect(human.stdout).toContain(`strata transform resume ${ID}`);

      // A plain up refuses while it is paused; the migration stays pending.
      const again = await strata(dir, ["up", "--url", db.url]);
      expectExit(again, 1);
      expect(again.stderr).toContain(`strata transform resume ${ID}`);

      // Fixed (a pending migration's file may change), resume finishes it and applies the migration.
      await addFiles(dir, { [`migrations/${STAMP}.ts`]: stampMigration(false) });
      const resume = await strata(dir, ["transform", "resume", ID, "--url", db.url]);
      expectExit(resume, 0);
      expect(await counters(db.url)).toEqual({ 1: N });
      expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("applied");
      expect((await transformStatus(dir, db.url)).transforms).toEqual([{ id: ID, table: "users", state: "done", rowsDone: N, rowsTotal: N }]);
    });
  });
});

/**
 * Row functions that fail once for some rows, with several lanes: a retried chunk's
 * rollback lets its claim go, so another lane may take and finish it before the failure is
 * counted. Counting it then must not reopen the finished chunk.
 */
const flakyMigration = (markers: string) =>
  migrationFile(
    "Flaky",
    `  async up() {
    await this.transform("users", { columns: ["counter"], batchSize: 20, maxBatchSize: 20, targetChunkMs: 0, workers: 4, retries: 5 }, "bump");
  }
  bump(row: { id: number; counter: number }) {
    const marker = join(${JSON.stringify(markers)}, String(row.id));
    if (Number(row.id) % 37 === 0 && !existsSync(marker)) {
      writeFileSync(marker, "");
      throw new Error("transient failure of row " + row.id);
    }
    return { counter: row.counter + 1 };
  }`,
    `import { existsSync, writeFileSync } from "node:fs";\nimport { join } from "node:path";`,
  );

forEachDialect((dialect) => {
  describe("chunks that fail once, with several lanes", () => {
    it("are retried and each row is written exactly once", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, 6000), "markers/.keep": "" });
      await addFiles(dir, { [`migrations/${STAMP}.ts`]: flakyMigration(`${dir}/markers`) });
      const up = await strata(dir, ["up", "--url", db.url]);
      expectExit(up, 0);
      expect(await counters(db.url)).toEqual({ 1: 6000 });
      const retried = await query(db.url, `select count(*) as n from ${CHUNKS_TABLE} where attempts > 0`);
      expect(Number(retried[0].n)).toBeGreaterThan(0);
    });
  });
}, ["postgres", "mysql"]);

describe("a row function name the migration has no method for", () => {
  it("fails before the transform starts: no chunk tried, the statements before it not committed", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({
      [`migrations/${CREATE}.ts`]: usersMigration("sqlite", 100),
      [`migrations/${STAMP}.ts`]: migrationFile("Stamp", `  async up() {\n    Schema.createTable("before_transform", [Schema.id()]);\n    await this.transform("users", { columns: ["counter"] }, "stampp");\n  }\n  stamp(row: { counter: number }) {\n    return { counter: row.counter + 1 };\n  }`),
    });
    const up = await strata(dir, ["up", "--url", db.url]);
    expectExit(up, 1);
    expect(up.stderr).toContain('"stampp" is not a method of 20260102000000_stamp');
    expect(await query(db.url, "select name from sqlite_master where name in ('before_transform', 'migrations_transform_chunks')")).toEqual([]);
    expect(states(await statusJson(dir, ["--url", db.url]))[STAMP]).toBe("pending");
  });
});
