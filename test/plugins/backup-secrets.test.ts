import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { expectExit, printed, strata } from "../cli/fixtures.ts";
import { parseJson, type CliResult } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { ADMIN_URLS } from "../helpers/servers.ts";
import { backupConfig, ENV, M2_FILES, MIGRATIONS, pathWith, readRecords, realTool, recordingTools, type Recorded } from "./backup-helpers.ts";

/**
 * A database password reaches the dump and restore tools only through the environment
 * (PostgreSQL: PGPASSWORD) or a temporary option file (MySQL: --defaults-extra-file, mode
 * 0600, removed afterwards), never their command line, and never any output or manifest.
 * The tools are wrapped by scripts that record their argv and environment exactly as the
 * kernel passed them, then run the real tool against the real server.
 */

const PASSWORD = `Pw@ss:w0rd#"q'\\ %x`;
const FRAGMENTS = [PASSWORD, encodeURIComponent(PASSWORD), "w0rd#", "Pw@ss", "Pw%40ss"];

function withCredentials(url: string, user: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${user}:${encodeURIComponent(PASSWORD)}@${parsed.host}${parsed.pathname}`;
}

function expectNoPassword(where: string, text: string): void {
  for (const fragment of FRAGMENTS) expect(text.includes(fragment), `${where} shows "${fragment}":\n${text}`).toBe(false);
}

/** A MariaDB account with PASSWORD, allowed on `db` only. */
async function mysqlUser(db: TestDatabase): Promise<string> {
  const user = `strata_bk_${db.name.slice(-6)}`;
  const literal = PASSWORD.replace(/\\/g, "\\\\").replace(/'/g, "''");
  await query(ADMIN_URLS.mysql, `create user '${user}'@'%' identified by '${literal}'`);
  onTestFinished(() => query(ADMIN_URLS.mysql, `drop user if exists '${user}'@'%'`).then(() => undefined));
  await query(ADMIN_URLS.mysql, `grant all privileges on \`${db.name}\`.* to '${user}'@'%'`);
  return user;
}

/** up (backup), up M2 (backup), restore the newest: every run's output checked. */
async function backupAndRestore(dir: string, env: Record<string, string>): Promise<CliResult[]> {
  const runs: CliResult[] = [];
  const run = async (args: string[], code = 0) => {
    const result = await strata(dir, args, env);
    expectExit(result, code);
    runs.push(result);
    return result;
  };
  await run(["up", ...ENV, "--yes"]);
  await addFiles(dir, M2_FILES);
  await run(["up", ...ENV, "--yes"]);
  const list = parseJson<{ backups: { file: string }[] }>(await run(["backup", "list", ...ENV, "--json"]));
  await run(["restore", list.backups[0].file, ...ENV, "--yes"]);
  for (const r of runs) expectNoPassword("output", printed(r));
  for (const name of readdirSync(join(dir, "backups")).filter((n) => n.endsWith(".json"))) expectNoPassword(name, readFileSync(join(dir, "backups", name), "utf8"));
  return runs;
}

function expectArgvClean(records: Recorded[]): void {
  expect(records.length).toBeGreaterThan(0);
  for (const r of records) expectNoPassword(`${r.tool} argv`, r.argv.join(" "));
}

forEachDialect(() => {
  describe("passwords stay off command lines and output", () => {
    it("PostgreSQL: pg_dump, pg_restore and psql get the password only as PGPASSWORD", async () => {
      const db = await testDatabase("postgres");
      const url = withCredentials(db.url, "postgres");
      const { bin, records } = await recordingTools({ pg_dump: realTool("pg_dump")!, pg_restore: realTool("pg_restore")!, psql: realTool("psql")! });
      const dir = await writeProject({ ...backupConfig(url), ...MIGRATIONS });
      await backupAndRestore(dir, { PATH: pathWith(bin) });

      const recorded = await readRecords(records);
      expect(new Set(recorded.map((r) => r.tool))).toEqual(new Set(["pg_dump", "pg_restore", "psql"]));
      expectArgvClean(recorded);
      for (const r of recorded.filter((x) => x.tool !== "pg_restore")) {
        expect(r.env).toMatchObject({ PGPASSWORD: PASSWORD, PGUSER: "postgres", PGDATABASE: db.name, PGHOST: "127.0.0.1" });
      }
      // pg_restore only reads the file: it is never given the password at all.
      for (const r of recorded.filter((x) => x.tool === "pg_restore")) expect(r.env.PGPASSWORD).toBeUndefined();
    });
  });
}, ["postgres"]);

forEachDialect(() => {
  describe("passwords stay off command lines and output", () => {
    it("MySQL: the dump tool and the client read the password from a 0600 option file that is gone afterwards", async () => {
      const db = await testDatabase("mysql");
      const user = await mysqlUser(db);
      const url = withCredentials(db.url, user);
      const tools = Object.fromEntries(["mariadb-dump", "mysqldump", "mariadb", "mysql"].filter((n) => realTool(n)).map((n) => [n, realTool(n)!]));
      const { bin, records } = await recordingTools(tools);
      const dir = await writeProject({ ...backupConfig(url), ...MIGRATIONS });
      await backupAndRestore(dir, { PATH: pathWith(bin) });

      const recorded = await readRecords(records);
      expect(recorded.some((r) => /dump/.test(r.tool))).toBe(true);
      expect(recorded.some((r) => !/dump/.test(r.tool))).toBe(true);
      expectArgvClean(recorded);
      for (const r of recorded) {
        expect(r.argv[0]).toMatch(/^--defaults-extra-file=/);
        expect(r.mode).toBe("600");
        expect(r.cnf).toContain(`user="${user}"`);
        expect(r.cnf).toContain(`password="Pw@ss:w0rd#\\"q'\\\\ %x"`);
        expect(existsSync(r.cnfPath!)).toBe(false);
        expectNoPassword(`${r.tool} environment`, Object.values(r.env).join("\n"));
      }
    });

    it("MySQL: the option file is removed when the tool fails too", async () => {
      const db = await testDatabase("mysql");
      const { bin, records } = await recordingTools({ "mariadb-dump": "/bin/false", mysqldump: "/bin/false" });
      const dir = await writeProject({ ...backupConfig(withCredentials(db.url, await mysqlUser(db))), ...MIGRATIONS });
      const result = await strata(dir, ["up", ...ENV, "--yes"], { PATH: pathWith(bin) });
      expectExit(result, 1);
      expect(printed(result)).toContain("[BACKUP_FAILED]");
      expectNoPassword("output", printed(result));
      const [record] = await readRecords(records);
      expect(record.cnf).toContain("password=");
      expect(existsSync(record.cnfPath!)).toBe(false);
    });
  });
}, ["mysql"]);

describe("the MySQL tools' temporary option file (it holds the password)", () => {
  it("is removed when the process exits before the backup finishes (a second Ctrl-C)", async () => {
    const { execFileSync } = await import("node:child_process");
    const { tmpdir } = await import("node:os");
    const script = `import { withOptionFile } from "./plugins/backup/mysql-options.ts";
await withOptionFile({ host: "127.0.0.1", port: 3306, user: "root", password: "s3cret", database: "x" }, "mariadb", async (arg) => {
  console.log(arg.split("=")[1]);
  process.exit(1);
});`;
    let file = "";
    try {
      execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: join(import.meta.dirname, "../.."), encoding: "utf8" });
    } catch (error) {
      file = String((error as { stdout: string }).stdout).trim();
    }
    expect(file.startsWith(join(tmpdir(), "strata-mysql-"))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
