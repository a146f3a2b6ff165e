import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, migration, states, statusJson, strata } from "./fixtures.ts";

/** A statement that takes `seconds` on the server. */
const SLEEP: Record<string, (seconds: number) => string> = {
  postgres: (s) => `select pg_sleep(${s})`,
  mysql: (s) => `select sleep(${s})`,
};

const FIRST = "20260101000000_first";
const SECOND = "20260102000000_second";

/** A migration whose up() sleeps on the server, with an optional class body line (a property). */
function sleeping(className: string, sql: string, property = ""): string {
  return migration(className, `${property}\n  async up() {\n    await this.db.sql\`${sql}\`;\n  }\n  down() {}`);
}

// SQLite has no statement timeout: the setting applies to the servers.
forEachDialect((dialect) => {
  const sleep = SLEEP[dialect];

  describe("statementTimeout", () => {
    it("from the config cancels a longer statement: exit 1, the migration named, not applied", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "strata.config.json": JSON.stringify({ statementTimeout: 300 }),
        [`migrations/${FIRST}.ts`]: sleeping("First", sleep(3)),
      });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(FIRST);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [FIRST]: "pending" });
    });

    it("as a migration property applies to that migration only, then the config's is back", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "strata.config.json": JSON.stringify({ statementTimeout: 300 }),
        // 0 = none: this one may take longer than the config allows...
        [`migrations/${FIRST}.ts`]: sleeping("First", sleep(0.8), "statementTimeout = 0;"),
        // ...and the next one, with no property of its own, is held to the config again.
        [`migrations/${SECOND}.ts`]: sleeping("Second", sleep(0.8)),
      });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(SECOND);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [FIRST]: "applied", [SECOND]: "pending" });
    });

    it("as a migration property without a config timeout cancels that migration's statement", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${FIRST}.ts`]: sleeping("First", sleep(20), "statementTimeout = 300;") });
      const started = Date.now();
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(FIRST);
      // Cancelled, not waited out (the bound is loose for a slow machine).
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [FIRST]: "pending" });
    }, 40_000);

    it("a value that is not a number of milliseconds is refused before anything runs", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ [`migrations/${FIRST}.ts`]: sleeping("First", sleep(0), 'statementTimeout = "5s" as unknown as number;') });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toContain(`migrations/${FIRST}.ts`);
      expect(result.stderr).toContain("statementTimeout");
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [FIRST]: "pending" });
    });

    it("a timeout of 1 ms cancels statements with a clear error, never a crash of the driver", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ "strata.config.json": JSON.stringify({ statementTimeout: 1 }), [`migrations/${FIRST}.ts`]: sleeping("First", sleep(0.2)) });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 1);
      expect(result.stderr).toMatch(/^error \[[A-Z_]+\] /m);
      expect(result.stderr).not.toMatch(/Uncaught|triggerUncaughtException|^\s+at /m);
    });
  });
}, ["postgres", "mysql"]);
