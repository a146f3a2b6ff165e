import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { EXAMPLE_IDS, exampleProject, expectExit, strata } from "./fixtures.ts";

forEachDialect((dialect) => {
  describe("read-only commands on a fresh database", () => {
    it("status, history, up --dry-run, down --dry-run and verify create nothing", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(exampleProject());

      const status = await strata(dir, ["status", "--json", "--url", db.url]);
      expectExit(status, 0);
      expect(parseJson(status).migrations.map((m: { state: string }) => m.state)).toEqual(EXAMPLE_IDS.map(() => "pending"));

      const history = await strata(dir, ["history", "--json", "--url", db.url]);
      expectExit(history, 0);
      expect(parseJson(history)).toEqual({ events: [] });

      const up = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(up, 0);
      for (const id of EXAMPLE_IDS) expect(up.stdout).toContain(id);
      expect(up.stdout).toMatch(/create table/i);

      const upJson = await strata(dir, ["up", "--dry-run", "--json", "--url", db.url]);
      expectExit(upJson, 0);
      expect(parseJson(upJson)).toEqual({ applied: [], planned: [...EXAMPLE_IDS], dryRun: true });

      const down = await strata(dir, ["down", "--dry-run", "--url", db.url]);
      expectExit(down, 0);
      expect(down.stdout).toMatch(/nothing to roll back/i);

      // verify round-trips on a scratch database of its own.
      const verify = await strata(dir, ["verify", "--json", "--url", db.url]);
      expectExit(verify, 0);
      expect(parseJson(verify)).toMatchObject({ ok: true, verified: [...EXAMPLE_IDS] });

      if (dialect === "sqlite") expect(existsSync(db.name)).toBe(false);
      else expect(await tableNames(db.url)).toEqual([]);
    });
  });
});
