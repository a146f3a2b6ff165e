import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tableNames } from "../helpers/dump.ts";
import { REPO_ROOT } from "../helpers/cli.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, states, strata, tableMigration } from "./fixtures.ts";

const THINGS = "20260101000000_create_things";
const files = () => ({ [`migrations/${THINGS}.ts`]: tableMigration("CreateThings", "things") });

describe("settings given but empty (an unset shell variable)", () => {
  const cases: [string, string[], Record<string, string>][] = [
    ["--url", ["up", "--url", ""], {}],
    ["--env", ["up", "--env", ""], {}],
    ["--config", ["up", "--config", ""], {}],
    ["DATABASE_URL", ["up"], { DATABASE_URL: "" }],
    ["STRATA_ENV", ["up"], { STRATA_ENV: "" }],
  ];
  for (const [name, args, env] of cases) {
    it(`${name} empty is a usage error naming it (exit 2), and nothing is applied to the default database`, async () => {
      const dir = await writeProject(files());
      const result = await strata(dir, args, env);
      expectExit(result, 2);
      expect(result.stderr).toMatch(new RegExp(`${name}( \\(\\w+\\))? is empty`));
      expect(existsSync(join(dir, "data"))).toBe(false);
    });
  }
});

describe("environment database settings", () => {
  it("an environment's url is the base its database name is joined to (a folder for SQLite)", async () => {
    const dir = await writeProject({ ...files(), "strata.config.json": JSON.stringify({ environments: { development: { url: "file:dbs/", database: "app" } } }) });
    expectExit(await strata(dir, ["up"]), 0);
    expect(await tableNames(`file:${join(dir, "dbs", "app.db")}`)).toContain("things");
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("dry_run and dryRun that disagree are a configuration error naming both (exit 2), and nothing is applied", async () => {
    const dir = await writeProject({ ...files(), "strata.config.json": JSON.stringify({ environments: { development: { dry_run: true, dryRun: false } } }) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 2);
    expect(result.stderr).toContain('"environments.development.dry_run"');
    expect(result.stderr).toContain('"environments.development.dryRun"');
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("a history table name too long for strata's own tables named after it is a configuration error (exit 2)", async () => {
    const dir = await writeProject({ ...files(), "strata.config.json": JSON.stringify({ table: "h".repeat(47) }) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/Config key "table".*at most 46 characters/);
    expect(existsSync(join(dir, "data"))).toBe(false);
    expectExit(await strata(dir, ["up", "--config", "strata.config.json"], {}), 2);
  });

  it("a malformed database of an environment not in use is still reported, with its environment's name", async () => {
    const dir = await writeProject({ ...files(), "strata.config.json": JSON.stringify({ environments: { development: {}, staging: { database: "./x.db" } } }) });
    const result = await strata(dir, ["status"]);
    expectExit(result, 2);
    expect(result.stderr).toContain('"environments.staging.database"');
  });

  it("the default environment missing from a config that defines others is named in a warning", async () => {
    const dir = await writeProject({ ...files(), "strata.config.json": JSON.stringify({ environments: { production: { dryRun: true } } }) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    expect(result.stderr).toMatch(/Environment "development" is not defined in the config \(defined: production\)/);
  });
});

describe("a migrations folder that does not exist", () => {
  it("is named in a warning, so applied migrations listed as missing are not taken for deleted files", async () => {
    const dir = await writeProject(files());
    expectExit(await strata(dir, ["up"]), 0);
    await addFiles(dir, { "strata.config.json": JSON.stringify({ path: "migration" }) });
    const result = await strata(dir, ["status", "--json"]);
    expectExit(result, 0);
    expect(states(JSON.parse(result.stdout))).toEqual({ [THINGS]: "missing" });
    expect(result.stderr).toMatch(/The migrations folder \S*migration does not exist/);
  });
});

describe("output to a reader that goes away", () => {
  it("strata up | head -1: the run finishes, every migration applied, and exits 0 without a stack trace", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 30; i++) many[`migrations/2026010100${String(i).padStart(4, "0")}_t${i}.sql`] = `-- migrate:up\ncreate table t${i} (id integer);\n-- migrate:down\ndrop table t${i};\n`;
    const dir = await writeProject(many);
    const bin = process.env.STRATA_BIN ?? `${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO_ROOT, "bin/strata.mjs"))}`;
    const result = spawnSync("bash", ["-c", `set -o pipefail; ${bin} up | head -c 1 >/dev/null`], { cwd: dir, encoding: "utf8" });
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.status).toBe(0);
    expect((await tableNames(`file:${join(dir, "data", "development.db")}`)).filter((t) => /^t\d+$/.test(t))).toHaveLength(30);
  });
});
