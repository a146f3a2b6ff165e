import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { loadDialect } from "../../src/dialects/registry.ts";
import { parseJson, runCli, type CliResult } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * One runner at a time, across processes: two `strata up` started together apply every
 * migration exactly once, and a runner that cannot get the lock in time exits 1 naming
 * who holds it, having applied nothing.
 */

const N = 20;
const ids = Array.from({ length: N }, (_, i) => `202601010000${String(i).padStart(2, "0")}_lock_${String(i).padStart(2, "0")}`);

/** A statement that takes a moment on each database (SQLite: a busy loop in a recursive CTE, about 10 million rows a second). */
function pause(dialect: TestDialectName, seconds: number): string {
  if (dialect === "postgres") return `select pg_sleep(${seconds})`;
  if (dialect === "mysql") return `select sleep(${seconds})`;
  return `with recursive c(x) as (select 1 union all select x + 1 from c where x < ${Math.round(seconds * 10_000_000)}) select count(*) from c`;
}

/** `count` migrations, each pausing `seconds` and creating a table; the first pauses four times as long. */
function slowProject(dialect: TestDialectName, seconds: number, count = N): Record<string, string> {
  return Object.fromEntries(ids.slice(0, count).map((id, i) => [
    `migrations/${id}.sql`,
    `-- migrate:up\n${pause(dialect, i === 0 ? seconds * 4 : seconds)};\ncreate table lock_${String(i).padStart(2, "0")} (id integer);\n\n-- migrate:down\ndrop table lock_${String(i).padStart(2, "0")};\n`,
  ]));
}

const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

async function appliedRows(url: string): Promise<{ history: string[]; applies: string[] }> {
  const history = (await query(url, "select id from migrations")).map((r) => String(r.id)).sort();
  const applies = (await query(url, "select migration_id from migrations_log where action = 'apply'")).map((r) => String(r.migration_id)).sort();
  return { history, applies };
}

/** Whether another connection holds the SQLite database's write lock (tried without waiting). */
async function sqliteWriteLocked(url: string): Promise<boolean> {
  const dialect = await loadDialect({ url, described: url });
  const session = await dialect.driver.open();
  try {
    await session.execute("pragma busy_timeout = 0");
    await session.execute("begin immediate");
    await session.execute("rollback");
    return false;
  } catch {
    return true;
  } finally {
    await session.close();
    await dialect.driver.close();
  }
}

/** Resolves once another session holds the migration lock (or its SQLite write lock) on `url`. */
async function waitUntilLocked(dialect: TestDialectName, url: string, dbName: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (dialect === "postgres") {
      const rows = await query(url, "select 1 from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and l.granted and d.datname = $1", [dbName]);
      if (rows.length > 0) return;
    } else if (dialect === "mysql") {
      const rows = await query(url, "select 1 from information_schema.processlist where db = ? and info like 'select sleep(%'", [dbName]);
      if (rows.length > 0) return;
    } else if (await sqliteWriteLocked(url)) {
      return;
    }
    await sleep(50);
  }
  throw new Error("the first runner never took the lock");
}

forEachDialect((dialect) => {
  describe("two `strata up` processes against one database", () => {
    it("apply each of 20 slow migrations exactly once, and both exit 0", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(slowProject(dialect, 0.05));
      const [a, b] = await Promise.all([
        runCli(["up", "--json", "--url", db.url], { cwd: dir }),
        runCli(["up", "--json", "--url", db.url], { cwd: dir }),
      ]);
      expect(a.code, show(a)).toBe(0);
      expect(b.code, show(b)).toBe(0);
      const appliedA: string[] = parseJson(a).applied;
      const appliedB: string[] = parseJson(b).applied;
      expect([...appliedA, ...appliedB].sort()).toEqual(ids);
      expect(await appliedRows(db.url)).toEqual({ history: ids, applies: ids });
    });

    it("with a run:start hook that takes a second (a backup, say), still each migration exactly once", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        ...slowProject(dialect, 0.01, 5),
        "plugins/slow-start.mjs": `export default { name: "slow-start", hooks: { "run:start": () => new Promise((resolve) => setTimeout(resolve, 1000)) } };\n`,
      });
      const [a, b] = await Promise.all([
        runCli(["up", "--json", "--url", db.url], { cwd: dir }),
        runCli(["up", "--json", "--url", db.url], { cwd: dir }),
      ]);
      expect(a.code, show(a)).toBe(0);
      expect(b.code, show(b)).toBe(0);
      expect([...parseJson(a).applied, ...parseJson(b).applied].sort()).toEqual(ids.slice(0, 5));
      expect(await appliedRows(db.url)).toEqual({ history: ids.slice(0, 5), applies: ids.slice(0, 5) });
    });

    it("while one runner holds the lock, one with --lock-timeout 500 exits 1 naming the holder, one with the default waits; neither applies anything", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(slowProject(dialect, 1, 2));
      const first = runCli(["up", "--url", db.url], { cwd: dir });
      await waitUntilLocked(dialect, db.url, db.name);
      const [second, waiter] = await Promise.all([
        runCli(["up", "--lock-timeout", "500", "--url", db.url], { cwd: dir }),
        runCli(["up", "--url", db.url], { cwd: dir }),
      ]);
      expect(second.code, show(second)).toBe(1);
      expect(second.stderr).toMatch(/another strata process holds the migration lock/i);
      expect(second.stderr).toContain("waited 500 ms");
      if (dialect === "postgres") expect(second.stderr).toMatch(/\bpid \d+/);
      if (dialect === "mysql") expect(second.stderr).toMatch(/\bconnection \d+/);
      expect(waiter.code, show(waiter)).toBe(0);
      expect(waiter.stdout).toContain("Waiting for the migration lock");
      if (dialect === "postgres") expect(waiter.stdout).toMatch(/held by .*\bpid \d+/);
      if (dialect === "mysql") expect(waiter.stdout).toMatch(/held by .*\bconnection \d+/);
      expect(waiter.stdout).toContain("Nothing to apply");
      const done = await first;
      expect(done.code, show(done)).toBe(0);
      expect(await appliedRows(db.url)).toEqual({ history: ids.slice(0, 2), applies: ids.slice(0, 2) });
    });
  });
});
