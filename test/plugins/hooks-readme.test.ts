import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { FIRST, SECOND, twoMigrations } from "./notify-fixtures.ts";

/** The first ```ts block after the README heading "### Writing a plugin". */
function readmePluginExample(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Writing a plugin"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README has no ```ts block after "### Writing a plugin"');
  return match[1];
}

describe("the README's plugin example", () => {
  it("loads from plugins/, aborts in production without a ticket, logs, and adds its command", async () => {
    const dir = await writeProject({
      ...twoMigrations(),
      "plugins/deploy-guard.ts": readmePluginExample(),
      "strata.config.ts": `export default { environments: { development: {}, production: {} } };\n`,
    });
    const refused = await strata(dir, ["up", "--env", "production"], { CHANGE_TICKET: undefined });
    expectExit(refused, 1);
    expect(refused.stderr).toContain('Plugin "deploy-guard" aborted the run in run:start: production deploys need CHANGE_TICKET');
    expect(Object.values(states(await statusJson(dir, ["--env", "production"])))).toEqual(["pending", "pending"]);

    const applied = await strata(dir, ["up", "--env", "production"], { CHANGE_TICKET: "CHG-1" });
    expectExit(applied, 0);
    expect(applied.stdout).toMatch(new RegExp(`\\[deploy-guard\\] ${FIRST} took \\d+ ms`));
    expect(applied.stdout).toMatch(new RegExp(`\\[deploy-guard\\] ${SECOND} took \\d+ ms`));
    expect(applied.stdout).toContain("[deploy-guard] 2 applied");

    const ticket = await strata(dir, ["ticket", "--verbose", "--env", "production"], { CHANGE_TICKET: "CHG-1" });
    expectExit(ticket, 0);
    expect(ticket.stdout).toContain("[deploy-guard] production: CHG-1 (");
  });
});
