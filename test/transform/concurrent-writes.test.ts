import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, strata } from "../cli/fixtures.ts";
import { count, counters, emailOf, fillSql, migrationFile, startStrata, usersMigration, waitFor } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const STAMP = "20260102000000_stamp";
const N = 20_000;
const HOLD = 10_000;
const ADDED = 100;

/**
 * The row function holds 1.5 s at row HOLD, after its chunk was read and before it is
 * written, and says so with a marker file: the test changes the table in that window.
 */
const stampMigration = (marker: string, batchSize: number, pauseMs: number) =>
  migrationFile(
    "Stamp",
    `  async up() {
    await this.transform("users", { columns: ["email", "counter"], batchSize: ${batchSize}, workers: 1, targetChunkMs: 0, pauseMs: ${pauseMs} }, "stamp");
  }
  stamp(row: { id: number; email: string; counter: number }) {
    if (Number(row.id) === ${HOLD} && !existsSync(${JSON.stringify(marker)})) {
      writeFileSync(${JSON.stringify(marker)}, "");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    }
    return { email_hash: "h:" + row.email, counter: row.counter + 1 };
  }`,
    `import { existsSync, writeFileSync } from "node:fs";`,
  );

forEachDialect((dialect) => {
  // SQLite: a chunk holds the write lock (BEGIN IMMEDIATE) from its read to its commit, and
  // the next chunk takes it again at once, so the application's writers, sleeping in their
  // busy handler (up to 100 ms between tries), only get in during a pause between chunks
  // (finding: without pauseMs they wait for the whole transform).
  const pauseMs = dialect === "sqlite" ? 200 : 0;
  const batchSize = dialect === "sqlite" ? 2000 : 500;
  describe("rows written by the application while a transform runs", () => {
    it("rows inserted at the end are transformed; deleted rows, even of a chunk already read, are not revived", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${CREATE}.ts`]: usersMigration(dialect, N) });
      const marker = join(dir, "holding");
      await addFiles(dir, { [`migrations/${STAMP}.ts`]: stampMigration(marker, batchSize, pauseMs) });
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);

      const run = startStrata(dir, ["up", "--url", db.url]);
      await waitFor("the row function to hold", () => existsSync(marker) || run.child.exitCode !== null);
      // Rows already done, rows of the chunk in flight (read, not yet written) and rows
      // ahead are deleted; new rows are inserted after the last key.
      await query(db.url, "delete from users where id <= 10");
      await query(db.url, `delete from users where id between ${HOLD - 10} and ${HOLD + 10} and id <> ${HOLD}`);
      await query(db.url, fillSql(dialect, "users", ["email"], [emailOf(dialect)], ADDED, N + 1));
      const result = await run.result;
      expect(result.code, run.output()).toBe(0);

      const left = N - 10 - 20 + ADDED;
      expect(await count(db.url, "select count(*) as n from users")).toBe(left);
      expect(await counters(db.url)).toEqual({ 1: left });
      expect(await count(db.url, `select count(*) as n from users where id <= 10 or (id between ${HOLD - 10} and ${HOLD + 10} and id <> ${HOLD})`)).toBe(0);
      const added = await query(db.url, `select email, email_hash from users where id > ${N} order by id`);
      expect(added).toHaveLength(ADDED);
      for (const row of added) expect(row.email_hash).toBe(`h:${row.email}`);
    });
  });
});
