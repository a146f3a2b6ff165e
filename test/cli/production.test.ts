import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata, tableMigration } from "./fixtures.ts";

const THINGS = "20260101000000_create_things";

/** `production` spells it dryRun, `legacy` as the module description does (dry_run). */
const CONFIG = `export default {
  environments: {
    development: { database: "dev" },
    production: { database: "prod", dryRun: true },
    legacy: { database: "legacy", dry_run: true },
  },
};
`;

describe("production safety: an environment with dryRun: true", () => {
  for (const env of ["production", "legacy"]) {
    it(`${env}: plain up prints the plan and applies nothing; --apply needs --yes when not interactive`, async () => {
      const dir = await writeProject({ "strata.config.ts": CONFIG, [`migrations/${THINGS}.ts`]: tableMigration("CreateThings", "things") });

      const plan = await strata(dir, ["up", "--env", env]);
      expectExit(plan, 0);
      expect(plan.stdout).toContain(THINGS);
      expect(plan.stdout).toMatch(/create table "things"/i);
      expect(plan.stdout).toContain("--apply");
      expect(existsSync(join(dir, "data", `${env === "production" ? "prod" : env}.db`))).toBe(false);

      const planJson = await strata(dir, ["up", "--env", env, "--json"]);
      expectExit(planJson, 0);
      expect(parseJson(planJson)).toEqual({ applied: [], planned: [THINGS], dryRun: true });

      // stdin is a pipe here, so nobody can be asked.
      const unconfirmed = await strata(dir, ["up", "--env", env, "--apply"]);
      expectExit(unconfirmed, 2);
      expect(unconfirmed.stderr).toContain("--yes");
      expect(states(await statusJson(dir, ["--env", env]))).toEqual({ [THINGS]: "pending" });

      const applied = await strata(dir, ["up", "--env", env, "--apply", "--yes"]);
      expectExit(applied, 0);
      expect(states(await statusJson(dir, ["--env", env]))).toEqual({ [THINGS]: "applied" });

      // A plain down is plan-only there too.
      expectExit(await strata(dir, ["down", "--env", env]), 0);
      expect(states(await statusJson(dir, ["--env", env]))).toEqual({ [THINGS]: "applied" });
      // The other environments are not plan-only.
      expectExit(await strata(dir, ["up"]), 0);
      expect(states(await statusJson(dir))).toEqual({ [THINGS]: "applied" });
    });
  }
});
