import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { parseJson, runCli, type CliResult } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { ADMIN_URLS } from "../helpers/servers.ts";

/**
 * A password in a postgres:// or mysql:// URL never appears in any output, against the
 * real servers: refused logins, a missing database, a failing migration, a lock timeout
 * (whose message names the database), human and --json output, from --url, DATABASE_URL
 * and the config. Passwords carry "@", ":" and percent-escapes, so every spelling of them
 * (as written, decoded, partly decoded) is looked for.
 */

const PASSWORDS = [
  { inUrl: "Pw@ss:w0rd9", fragments: ["Pw@ss", "w0rd9", "Pw%40ss"] },
  { inUrl: "Pw%40ss%3Aw0rd9%25x", fragments: ["Pw@ss", "Pw%40ss", "w0rd9", "%25x", "w0rd9%x"] },
] as const;

const printed = (r: CliResult) => `${r.stdout}\n${r.stderr}`;
const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function expectNoSecret(result: CliResult, fragments: readonly string[]): void {
  for (const fragment of fragments) expect(printed(result), `"${fragment}" printed:\n${show(result)}`).not.toContain(fragment);
}

/** The URL of `db` with another user and password (the password as written in the URL). */
function withCredentials(url: string, user: string, password: string, database?: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${user}:${password}@${parsed.host}/${database ?? parsed.pathname.slice(1)}`;
}

const failing = (dialect: TestDialectName) => ({
  "migrations/20260101000000_ok.sql": "-- migrate:up\ncreate table ok_table (id integer);\n-- migrate:down\ndrop table ok_table;\n",
  "migrations/20260102000000_broken.sql": "-- migrate:up\ncreate tabel broken (id integer);\n-- migrate:down\nselect 1;\n",
  "migrations/20260103000000_slow.sql": `-- migrate:up\n${dialect === "postgres" ? "select pg_sleep(4)" : "select sleep(4)"};\n-- migrate:down\nselect 1;\n`,
});

/** A MariaDB account with a password (root has none), allowed on `db` only; dropped after the test. */
async function mysqlUser(db: TestDatabase, password: string): Promise<string> {
  const user = `strata_pw_${randomBytes(4).toString("hex")}`;
  const plain = decodeURIComponent(password).replace(/'/g, "''");
  await query(ADMIN_URLS.mysql, `create user '${user}'@'%' identified by '${plain}'`);
  onTestFinished(() => query(ADMIN_URLS.mysql, `drop user if exists '${user}'@'%'`).then(() => undefined));
  await query(ADMIN_URLS.mysql, `grant all privileges on \`${db.name}\`.* to '${user}'@'%'`);
  return user;
}

/** Resolves once a session of `db` runs the slow migration's sleep (and so holds the migration lock). */
async function waitForSleeper(dialect: TestDialectName, db: TestDatabase): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const sleeping = dialect === "postgres"
      ? await query(db.url, "select 1 from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and query like '%pg_sleep(4)%'", [db.name])
      : await query(db.url, "select 1 from information_schema.processlist where db = ? and info like 'select sleep(4)%'", [db.name]);
    if (sleeping.length > 0) return;
    await sleep(50);
  }
  throw new Error("the slow migration never started");
}

forEachDialect((dialect) => {
  describe("a password in the URL is never printed", () => {
    for (const { inUrl, fragments } of PASSWORDS) {
      it(`a login the server refuses, and a database that does not exist (${inUrl.includes("%") ? "percent-escaped" : "raw @ and :"})`, async () => {
        const admin = new URL(ADMIN_URLS[dialect as "postgres" | "mysql"]);
        // PostgreSQL trusts 127.0.0.1 here, so only a role that does not exist is refused;
        // MariaDB refuses root with any password (it has none).
        const refused = dialect === "postgres"
          ? withCredentials(admin.href, "strata_no_such_role", inUrl)
          : withCredentials(admin.href, admin.username || "root", inUrl);
        const dir = await writeProject({
          ...failing(dialect),
          "strata.config.json": JSON.stringify({ environments: { development: {}, production: { database: refused } } }),
        });
        const runs = [
          await runCli(["up", "--url", refused], { cwd: dir }),
          await runCli(["status", "--json", "--url", refused], { cwd: dir }),
          await runCli(["history"], { cwd: dir, env: { DATABASE_URL: refused } }),
          await runCli(["down", "--env", "production", "--json"], { cwd: dir }),
          await runCli(["resolve", "20260102000000_broken", "--mark-rolled-back", "--url", refused], { cwd: dir }),
        ];
        for (const result of runs) {
          expect(result.code, show(result)).toBe(1);
          expect(result.stderr).toContain(admin.host);
          expectNoSecret(result, fragments);
        }
        if (dialect === "postgres") {
          const missing = withCredentials(admin.href, admin.username || "postgres", inUrl, "strata_no_such_database");
          const result = await runCli(["up", "--url", missing], { cwd: dir });
          expect(result.code, show(result)).toBe(1);
          expect(result.stderr).toContain("strata_no_such_database");
          expectNoSecret(result, fragments);
        }
      });

      it(`an accepted password: status, a failing migration, a lock timeout (${inUrl.includes("%") ? "percent-escaped" : "raw @ and :"})`, async () => {
        const db = await testDatabase(dialect);
        const user = dialect === "mysql" ? await mysqlUser(db, inUrl) : new URL(db.url).username;
        const url = withCredentials(db.url, user, inUrl);
        const dir = await writeProject(failing(dialect));

        const status = await runCli(["status", "--url", url], { cwd: dir });
        expect(status.code, show(status)).toBe(0);
        expect(status.stdout).toContain(`${user}:***@`);
        expectNoSecret(status, fragments);

        const broken = await runCli(["up", "--url", url], { cwd: dir });
        expect(broken.code, show(broken)).toBe(1);
        expect(broken.stderr).toContain("20260102000000_broken");
        expectNoSecret(broken, fragments);
        const json = await runCli(["status", "--json", "--url", url], { cwd: dir });
        expectNoSecret(json, fragments);
        // Its first statement failed, so it stays pending (nothing ran, on either database): mend
        // it, so the slow migration runs next and holds the lock.
        expect(parseJson(json).migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "pending", "pending"]);
        await addFiles(dir, { "migrations/20260102000000_broken.sql": "-- migrate:up\nselect 1;\n-- migrate:down\nselect 1;\n" });

        const holder = runCli(["up", "--url", url], { cwd: dir });
        await waitForSleeper(dialect, db);
        const blocked = await runCli(["up", "--lock-timeout", "200", "--url", url], { cwd: dir });
        expect(blocked.code, show(blocked)).toBe(1);
        expect(blocked.stderr).toMatch(/holds the migration lock on \S*:\*\*\*@/);
        expectNoSecret(blocked, fragments);
        const done = await holder;
        expect(done.code, show(done)).toBe(0);
        expectNoSecret(done, fragments);
      });
    }
  });
}, ["postgres", "mysql"]);
