import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, historyJson, states, statusJson, strata, tableMigration } from "./fixtures.ts";

const THINGS = "20260101000000_create_things";
const files = () => ({ [`migrations/${THINGS}.ts`]: tableMigration("CreateThings", "things") });

forEachDialect((dialect) => {
  describe("database selection", () => {
    it("DATABASE_URL selects the database, and --url wins over it", async () => {
      const chosen = await testDatabase(dialect);
      const other = await testDatabase(dialect);
      const dir = await writeProject(files());

      expectExit(await strata(dir, ["up"], { DATABASE_URL: chosen.url }), 0);
      expect(await tableNames(chosen.url)).toContain("things");
      expect(existsSync(join(dir, "data"))).toBe(false);

      // --url points elsewhere than DATABASE_URL: the flag is the one used.
      expect(states(await statusJson(dir, ["--url", chosen.url], { DATABASE_URL: other.url }))).toEqual({ [THINGS]: "applied" });
      expect(states(await statusJson(dir, [], { DATABASE_URL: other.url }))).toEqual({ [THINGS]: "pending" });
    });
  });
});

const CONFIG = `export default {
  environments: {
    development: { database: "dev" },
    staging: { database: "staging" },
    test: { database: "test_db" },
  },
};
`;

describe("environment selection", () => {
  const db = (dir: string, name: string) => join(dir, "data", `${name}.db`);

  it("--env selects the environment's database and is recorded in the history", async () => {
    const dir = await writeProject({ ...files(), "strata.config.ts": CONFIG });
    expectExit(await strata(dir, ["up", "--env", "staging"]), 0);
    expect(await tableNames(`file:${db(dir, "staging")}`)).toContain("things");
    expect(existsSync(db(dir, "dev"))).toBe(false);
    const history = await historyJson(dir, ["--env", "staging"]);
    expect(history.events.map((e) => [e.action, e.environment])).toEqual([["apply", "staging"]]);
  });

  it("STRATA_ENV selects the environment; --env wins over it", async () => {
    const dir = await writeProject({ ...files(), "strata.config.ts": CONFIG });
    expectExit(await strata(dir, ["up"], { STRATA_ENV: "staging" }), 0);
    expect(existsSync(db(dir, "staging"))).toBe(true);
    expect(existsSync(db(dir, "dev"))).toBe(false);
    expect(states(await statusJson(dir, ["--env", "development"], { STRATA_ENV: "staging" }))).toEqual({ [THINGS]: "pending" });
  });

  it("NODE_ENV selects an environment only when the config defines it", async () => {
    const dir = await writeProject({ ...files(), "strata.config.ts": CONFIG });
    expectExit(await strata(dir, ["up"], { NODE_ENV: "test" }), 0);
    expect(existsSync(db(dir, "test_db"))).toBe(true);
    expect(existsSync(db(dir, "dev"))).toBe(false);
    // "production" is not in the config: the default environment (development) is used.
    expectExit(await strata(dir, ["up"], { NODE_ENV: "production" }), 0);
    expect(await tableNames(`file:${db(dir, "dev")}`)).toContain("things");
    expect(existsSync(db(dir, "production"))).toBe(false);
  });

  it("an unknown environment is a usage error (exit 2) naming it and listing the known ones", async () => {
    const dir = await writeProject({ ...files(), "strata.config.ts": CONFIG });
    for (const [args, env] of [[["up", "--env", "nope"], {}], [["status"], { STRATA_ENV: "nope" }]] as const) {
      const result = await strata(dir, [...args], env);
      expectExit(result, 2);
      expect(result.stderr).toContain('"nope"');
      for (const known of ["development", "staging", "test"]) expect(result.stderr).toContain(known);
    }
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("development, the default, may be named even when the config defines only other environments", async () => {
    const dir = await writeProject({ ...files(), "strata.config.ts": 'export default { environments: { staging: { database: "staging" } } };\n' });
    expectExit(await strata(dir, ["up", "--env", "development"]), 0);
    expect(await tableNames(`file:${db(dir, "development")}`)).toContain("things");
    expect(states(await statusJson(dir, [], { STRATA_ENV: "development" }))).toEqual({ [THINGS]: "applied" });
    expect(states(await statusJson(dir))).toEqual({ [THINGS]: "applied" });
  });
});

describe("a config file that exports no config object", () => {
  const cases: [string, string, RegExp][] = [
    ["strata.config.ts", "export const path = \"migrations\";\n", /strata\.config\.ts could not be loaded: it has no default export/],
    ["strata.config.mjs", "export default 42;\n", /strata\.config\.mjs could not be loaded: its default export is a number, not an object/],
    ["strata.config.ts", "export default [\"migrations\"];\n", /its default export is an array, not an object/],
  ];
  for (const [file, source, message] of cases) {
    it(`${file}: ${source.trim()} is a configuration error (exit 2), and nothing is created`, async () => {
      const dir = await writeProject({ ...files(), [file]: source });
      const result = await strata(dir, ["up"]);
      expectExit(result, 2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(join(dir, "data"))).toBe(false);
    });
  }

  it("a CommonJS module.exports config still loads", async () => {
    const dir = await writeProject({ ...files(), "strata.config.js": 'module.exports = { environments: { development: { database: "cjs" } } };\n' });
    expectExit(await strata(dir, ["up"]), 0);
    expect(existsSync(join(dir, "data", "cjs.db"))).toBe(true);
  });
});
