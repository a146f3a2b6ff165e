import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { actions, expectExit, expectHistoryShape, expectStatusShape, historyJson, states, statusJson, strata, tableMigration } from "./fixtures.ts";

const A = "20260101000000_create_alpha";
const B = "20260102000000_create_beta";
const C = "20260103000000_create_gamma";
const OLDER = "20260101120000_create_older";
const D = "20260104000000_create_delta";

forEachDialect((dialect) => {
  describe("status --json and history --json", () => {
    it("report applied, pending, modified, missing and out-of-order; resolve lets up proceed and is logged", async () => {
      const db = await testDatabase(dialect);
      const url = ["--url", db.url];
      const dir = await writeProject({
        [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha"),
        [`migrations/${B}.ts`]: tableMigration("CreateBeta", "beta"),
        [`migrations/${C}.ts`]: tableMigration("CreateGamma", "gamma"),
      });
      expectExit(await strata(dir, ["up", ...url]), 0);

      // Edit an applied file, delete another, add one older than the newest applied and one newer.
      await addFiles(dir, {
        [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha", "// edited after it was applied"),
        [`migrations/${OLDER}.ts`]: tableMigration("CreateOlder", "older"),
        [`migrations/${D}.ts`]: tableMigration("CreateDelta", "delta"),
      });
      rmSync(join(dir, `migrations/${B}.ts`));

      const status = await statusJson(dir, url);
      expectStatusShape(status);
      expect(states(status)).toEqual({ [A]: "modified", [B]: "missing", [C]: "applied", [OLDER]: "out-of-order", [D]: "pending" });
      for (const m of status.migrations) {
        const recorded = [A, B, C].includes(m.id);
        expect(m.batch).toBe(recorded ? 1 : undefined);
        expect(m.appliedAt !== undefined).toBe(recorded);
      }
      expect(status.migrations.find((m) => m.id === OLDER)).toMatchObject({ version: "20260101120000", name: "create_older" });
      // Under the default "timestamp" strategy the head is the last migration of the order.
      expect(status.heads).toEqual([D]);

      // up refuses while a file is modified or missing, and changes nothing.
      const before = await snapshot(db.url);
      const modified = await strata(dir, ["up", ...url]);
      expectExit(modified, 1);
      expect(modified.stderr).toContain(A);
      expect(modified.stderr).toContain("--accept-checksum");
      expect(await snapshot(db.url)).toEqual(before);

      expectExit(await strata(dir, ["resolve", A, "--accept-checksum", ...url]), 0);
      const missing = await strata(dir, ["up", ...url]);
      expectExit(missing, 1);
      expect(missing.stderr).toContain(B);
      expect(missing.stderr).toContain("--forget");

      expectExit(await strata(dir, ["resolve", B, "--forget", ...url]), 0);
      expectExit(await strata(dir, ["up", ...url]), 0);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["older", "delta"]));

      const after = await statusJson(dir, url);
      expect(after.migrations.map((m) => [m.id, m.state, m.batch])).toEqual([
        [A, "applied", 1],
        [C, "applied", 1],
        [OLDER, "applied", 2],
        [D, "applied", 2],
      ]);

      const history = await historyJson(dir, url);
      expectHistoryShape(history);
      expect(actions(history)).toEqual([
        ["apply", A], ["apply", B], ["apply", C],
        ["resolve", A], ["resolve", B],
        ["apply", OLDER], ["apply", D],
      ]);
      expect(history.events.every((e) => e.environment === "development")).toBe(true);
    });
  });
});

forEachDialect((dialect) => {
  describe("a deleted migration others depend on", () => {
    it("shows as missing (not a missing dependency); up refuses until resolve --forget, then goes on", async () => {
      const db = await testDatabase(dialect);
      const url = ["--url", db.url];
      const sql = (table: string, depends?: string) => `${depends ? `-- strata:depends ${depends}\n` : ""}-- migrate:up\ncreate table ${table} (id int primary key);\n-- migrate:down\ndrop table ${table};\n`;
      const dir = await writeProject({ [`migrations/${A}.sql`]: sql("alpha"), [`migrations/${B}.sql`]: sql("beta", A) });
      expectExit(await strata(dir, ["up", ...url]), 0);
      // With its file present, forgetting it would run it again over its own table.
      const present = await strata(dir, ["resolve", A, "--forget", ...url]);
      expectExit(present, 2);
      expect(present.stderr).toContain("is present");
      expect(states(await statusJson(dir, url))).toEqual({ [A]: "applied", [B]: "applied" });
      const upTo = await strata(dir, ["up", "--to", A, ...url]);
      expectExit(upTo, 0);
      expect(upTo.stdout).toContain(`Nothing to apply: ${A} and the migrations before it are applied.`);
      rmSync(join(dir, `migrations/${A}.sql`));
      await addFiles(dir, { [`migrations/${C}.sql`]: sql("gamma", B) });

      expect(states(await statusJson(dir, url))).toEqual({ [A]: "missing", [B]: "applied", [C]: "pending" });
      const refused = await strata(dir, ["up", ...url]);
      expectExit(refused, 1);
      expect(refused.stderr).toContain(A);
      expect(refused.stderr).not.toContain("DEPENDENCY_MISSING");
      expect(await tableNames(db.url)).not.toContain("gamma");

      expectExit(await strata(dir, ["resolve", A, "--forget", ...url]), 0);
      expectExit(await strata(dir, ["up", ...url]), 0);
      expect(states(await statusJson(dir, url))).toEqual({ [B]: "applied", [C]: "applied" });

      // A migration still to apply whose dependency exists nowhere stays an error.
      await addFiles(dir, { [`migrations/${D}.sql`]: sql("delta", A) });
      const missing = await strata(dir, ["status", ...url]);
      expectExit(missing, 1);
      expect(missing.stderr).toContain(`"${D}" depends on "${A}"`);
    });
  });
});

forEachDialect(
  (dialect) => {
    describe("durations", () => {
      it("a slow .sql migration records its real duration, applied and rolled back (PostgreSQL sends the rows while the SQL runs)", async () => {
        const db = await testDatabase(dialect);
        const url = ["--url", db.url];
        const sleep = dialect === "postgres" ? "select pg_sleep(0.4)" : "select sleep(0.4)";
        const dir = await writeProject({ [`migrations/${A}.sql`]: `-- migrate:up\ncreate table slow_t (id int primary key);\n${sleep};\n\n-- migrate:down\n${sleep};\ndrop table slow_t;\n` });
        const up = await strata(dir, ["up", ...url]);
        expectExit(up, 0);
        const shown = Number(/\((\d+) ms\)/.exec(up.stdout + up.stderr)?.[1]);
        expect(shown).toBeGreaterThanOrEqual(400);
        expect(Number((await query(db.url, `select duration_ms from migrations where id = ${dialect === "postgres" ? "$1" : "?"}`, [A]))[0].duration_ms)).toBeGreaterThanOrEqual(400);
        expectExit(await strata(dir, ["down", ...url]), 0);
        const events = (await historyJson(dir, url)).events.map((e) => [e.action, e.durationMs]);
        expect(events).toEqual([["apply", expect.any(Number)], ["rollback", expect.any(Number)]]);
        for (const [, ms] of events) expect(ms).toBeGreaterThanOrEqual(400);
      });
    });
  },
  ["postgres", "mysql"],
);
