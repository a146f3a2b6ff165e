import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, observe, printed, strata, tableMigration, type Observed } from "./fixtures.ts";

const BASE = "20260101000000_create_base";
const BAD = "20260102000000_bad";

/** A SQLite database with one applied migration, so the history tables exist and hold rows. */
async function applied() {
  const db = await testDatabase("sqlite");
  const dir = await writeProject({ [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base") });
  expectExit(await strata(dir, ["up", "--url", db.url]), 0);
  return { db, dir, before: await observe(dir, db.url) };
}

async function expectUnchanged(dir: string, url: string, before: Observed): Promise<void> {
  expect(await observe(dir, url)).toEqual(before);
}

describe("malformed migration files: exit 1, the file named, the database as before", () => {
  const cases: [string, string, string, RegExp][] = [
    ["a .sql file without -- migrate:up", `migrations/${BAD}.sql`, "create table bad (id integer);\n", /migrate:up/],
    ["a module that exports no Migration class", `migrations/${BAD}.ts`, "export default class Bad {\n  up() {}\n}\n", /Migration/],
    ["a module with a syntax error", `migrations/${BAD}.ts`, 'import { Migration } from "strata";\nexport default class Bad extends Migration {\n  up() {\n', /could not be loaded/],
  ];
  for (const [title, path, text, detail] of cases) {
    it(title, async () => {
      const { db, dir, before } = await applied();
      await addFiles(dir, { [path]: text });
      // A dry run reports the broken file just the same (checked once, for the .sql case).
      for (const command of path.endsWith(".sql") ? [["up"], ["up", "--dry-run"]] : [["up"]]) {
        const result = await strata(dir, [...command, "--url", db.url]);
        expectExit(result, 1);
        expect(result.stderr).toContain(path);
        expect(result.stderr).toMatch(detail);
      }
      await expectUnchanged(dir, db.url, before);
    });
  }

  it("a module that does not load stops the run before any migration of it runs", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({
      [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base"),
      [`migrations/${BAD}.ts`]: "export const notAMigration = 1;\n",
    });
    const result = await strata(dir, ["up", "--url", db.url]);
    expectExit(result, 1);
    expect(result.stderr).toContain(`migrations/${BAD}.ts`);
    expect(await tableNames(db.url)).toEqual([]);
  });

  // On a server the connection opens while the folder is read: the folder's error still wins.
  for (const url of ["postgres://strata@127.0.0.1:1/nowhere", "mysql://root@127.0.0.1:1/nowhere"]) {
    it(`a broken folder is reported before an unreachable server (${url.split(":")[0]})`, async () => {
      const dir = await writeProject({ [`migrations/${BAD}.sql`]: "create table bad (id integer);\n" });
      for (const command of [["up"], ["status"]]) {
        const result = await strata(dir, [...command, "--url", url]);
        expectExit(result, 1);
        expect(result.stderr).toContain(`migrations/${BAD}.sql`);
        expect(result.stderr).not.toMatch(/connect|ECONNREFUSED/i);
      }
    });
  }
});

describe("dependency errors: exit 1 naming the migrations, the database as before", () => {
  it("a cycle", async () => {
    const { db, dir, before } = await applied();
    await addFiles(dir, {
      "migrations/20260102000000_left.ts": tableMigration("Left", "left_side", 'dependencies = ["Right"];'),
      "migrations/20260103000000_right.ts": tableMigration("Right", "right_side", 'dependencies = ["20260102000000_left"];'),
    });
    const result = await strata(dir, ["up", "--url", db.url]);
    expectExit(result, 1);
    expect(result.stderr).toContain("20260102000000_left");
    expect(result.stderr).toContain("20260103000000_right");
    expect(result.stderr).toMatch(/cycle/i);
    await expectUnchanged(dir, db.url, before);
  });

  it("a missing dependency", async () => {
    const { db, dir, before } = await applied();
    await addFiles(dir, { [`migrations/${BAD}.sql`]: "-- strata:depends NoSuchMigration\n-- migrate:up\ncreate table bad (id integer);\n" });
    const result = await strata(dir, ["up", "--url", db.url]);
    expectExit(result, 1);
    expect(result.stderr).toContain(BAD);
    expect(result.stderr).toContain("NoSuchMigration");
    await expectUnchanged(dir, db.url, before);
  });
});

describe("usage errors: exit 2", () => {
  it("an unknown command and an unknown flag are named", async () => {
    const { db, dir, before } = await applied();
    const command = await strata(dir, ["frobnicate", "--url", db.url]);
    expectExit(command, 2);
    expect(command.stderr).toContain("frobnicate");
    const flag = await strata(dir, ["up", "--frobnicate", "--url", db.url]);
    expectExit(flag, 2);
    expect(flag.stderr).toContain("--frobnicate");
    // Before the command, an unknown flag is still named as a flag, not as a command.
    const first = await strata(dir, ["--frobnicate", "status", "--url", db.url]);
    expectExit(first, 2);
    expect(first.stderr).toContain("Unknown option `--frobnicate`");
    await expectUnchanged(dir, db.url, before);
  });

  it("strata help [command] prints the help, a command's with what it does", async () => {
    const dir = await writeProject({});
    const all = await strata(dir, ["help"]);
    expectExit(all, 0);
    expect(all.stdout).toContain("Commands:");
    for (const args of [["help", "status"], ["status", "--help"]]) {
      const one = await strata(dir, args);
      expectExit(one, 0);
      expect(one.stdout).toContain("Applied, pending, modified, missing and failed migrations");
      expect(one.stdout).toContain("$ strata status");
    }
  });

  it("down with no SQLite database yet rolls back nothing and creates no file", async () => {
    const dir = await writeProject({ [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base") });
    const result = await strata(dir, ["down", "--env", "prodution"]);
    expectExit(result, 0);
    expect(result.stdout).toContain("Nothing to roll back.");
    expect(existsSync(join(dir, "data"))).toBe(false);
    // --to a migration that is not applied is refused as on any database (exit 2), still creating nothing.
    const to = await strata(dir, ["down", "--to", BASE]);
    expectExit(to, 2);
    expect(to.stderr).toContain(`Migration "${BASE}" is not applied`);
    expectExit(await strata(dir, ["down", "--to", "20990101000000_nowhere"]), 1);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("conflicting down flags are refused before any database is opened or created", async () => {
    const dir = await writeProject({ [`migrations/${BASE}.ts`]: tableMigration("CreateBase", "base") });
    const result = await strata(dir, ["down", "--steps", "1", "--all"]);
    expectExit(result, 2);
    expect(result.stderr).toContain("Pass only one of --steps, --to and --all");
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("a flag spelled with dashes is named as typed", async () => {
    const { db, dir } = await applied();
    const result = await strata(dir, ["status", "--dry-run", "--url", db.url]);
    expectExit(result, 2);
    expect(result.stderr).toContain("--dry-run");
  });

  it("a --lock-timeout that is not a number of milliseconds: a message, not a crash", async () => {
    const { db, dir, before } = await applied();
    for (const value of ["abc", "-1", "1.5x"]) {
      const result = await strata(dir, ["up", "--lock-timeout", value, "--url", db.url]);
      expectExit(result, 2);
      expect(result.stderr).toContain(`--lock-timeout must be a number of milliseconds ≥ 0, got "${value}"`);
      expect(result.stderr).not.toMatch(/\bat \S+ \(|UsageError/);
    }
    await expectUnchanged(dir, db.url, before);
  });
});

describe("configuration errors: exit 2 naming the key or file", () => {
  const cases: [string, string, string[]][] = [
    ["a syntax error", "export default { table: \n", ["strata.config.ts"]],
    ["a wrong type (table: 5)", "export default { table: 5 };\n", ['"table"', "5"]],
    ["a wrong type in an environment (dryRun: \"yes\")", 'export default { environments: { x: { dryRun: "yes" } } };\n', ['"environments.x.dryRun"', "true or false"]],
  ];
  for (const [title, config, named] of cases) {
    it(title, async () => {
      const { db, dir, before } = await applied();
      await addFiles(dir, { "strata.config.ts": config, [`migrations/${BAD}.ts`]: tableMigration("Bad", "bad") });
      const result = await strata(dir, ["up", "--url", db.url]);
      expectExit(result, 2);
      for (const text of named) expect(result.stderr).toContain(text);
      await addFiles(dir, { "strata.config.ts": "export default {};\n" });
      await expectUnchanged(dir, db.url, before);
    });
  }
});

describe("malformed database URL: exit 2, no password printed", () => {
  const urls = ["postgres://u:s3cret@[::1/db", "mysql://u:s3cret@host:port/db", "postgres:u:s3cret@127.0.0.1/db", "mysql:/u:s3cret@127.0.0.1/db"];
  // MySQL has no default database: without one, statements would fail with "No database selected".
  urls.push("mysql://u:s3cret@127.0.0.1:3306", "mysql://u:s3cret@127.0.0.1:3306/?ssl=false");
  // A libpq key=value string is not a URL: refused without echoing it.
  urls.push("host=127.0.0.1 user=u password=s3cret dbname=app");
  // A file has no user or password: refused, not turned into a folder named after them.
  urls.push("file://u:s3cret@/tmp/strata-never.db", "sqlite://u:s3cret@localhost/tmp/strata-never.db");
  for (const url of urls) {
    it(url.replace("s3cret", "***"), async () => {
      const dir = await writeProject({ [`migrations/${BAD}.ts`]: tableMigration("Bad", "bad") });
      for (const args of [["up", "--url", url], ["status", "--json", "--url", url]]) {
        const result = await strata(dir, args);
        expectExit(result, 2);
        expect(result.stderr).toMatch(/malformed/i);
        expect(printed(result)).not.toContain("s3cret");
      }
      const fromEnv = await strata(dir, ["up"], { DATABASE_URL: url });
      expectExit(fromEnv, 2);
      expect(printed(fromEnv)).not.toContain("s3cret");
      expect(readdirSync(dir).some((name) => name.includes("s3cret"))).toBe(false);
    });
  }
});

it("file://localhost/<path> is the absolute path, as RFC 8089 reads it", async () => {
  const dir = await writeProject({ [`migrations/${BAD}.ts`]: tableMigration("Bad", "bad") });
  const file = join(mkdtempSync(join(tmpdir(), "strata-abs-")), "abs.db");
  expectExit(await strata(dir, ["up", "--url", `file://localhost${file}`]), 0);
  expect(existsSync(file)).toBe(true);
  expect(existsSync(join(dir, "localhost"))).toBe(false);
});
