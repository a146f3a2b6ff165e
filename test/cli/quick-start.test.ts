import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { actions, EXAMPLE_IDS, EXAMPLE_TABLES, exampleProject, expectExit, expectHistoryShape, expectStatusShape, historyJson, statusJson, strata } from "./fixtures.ts";

/**
 * The README's quick start: no config, no URL, the example migrations and seeder copied
 * into an empty folder (no package.json either, as in a fresh checkout of migrations only).
 */
describe("quick start on the embedded default", () => {
  it("up, seed, status, up again, down and history work with no config and no URL", async () => {
    const dir = await writeProject(exampleProject());

    const up = await strata(dir, ["up"]);
    expectExit(up, 0);
    const lines = up.stdout.split("\n");
    const position = (id: string) => lines.findIndex((l) => l.includes(id));
    expect(EXAMPLE_IDS.map(position).every((p) => p >= 0)).toBe(true);
    expect(EXAMPLE_IDS.map(position)).toEqual(EXAMPLE_IDS.map(position).sort((a, b) => a - b));

    // The embedded default is one SQLite file under ./data/.
    const files = readdirSync(join(dir, "data")).filter((f) => f.endsWith(".db"));
    expect(files).toHaveLength(1);
    const url = `file:${join(dir, "data", files[0])}`;
    expect(await tableNames(url)).toEqual(expect.arrayContaining([...EXAMPLE_TABLES]));

    expectExit(await strata(dir, ["seed"]), 0);
    expect(await query(url, "select username, email from users order by username")).toEqual([
      { username: "admin", email: "admin@example.com" },
      { username: "test", email: "test@example.com" },
    ]);
    expect(await query(url, "select name from roles order by id")).toEqual([{ name: "admin" }, { name: "member" }]);

    const status = await statusJson(dir);
    expectStatusShape(status);
    expect(status.migrations.map((m) => [m.id, m.state, m.batch])).toEqual(EXAMPLE_IDS.map((id) => [id, "applied", 1]));
    expect(status.migrations.every((m) => typeof m.appliedAt === "string")).toBe(true);

    const before = await snapshot(url);
    const again = await strata(dir, ["up"]);
    expectExit(again, 0);
    expect(again.stdout).toMatch(/nothing to apply/i);
    expect(EXAMPLE_IDS.some((id) => again.stdout.includes(id))).toBe(false);
    expect(await snapshot(url)).toEqual(before);

    const down = await strata(dir, ["down"]);
    expectExit(down, 0);
    const left = await tableNames(url);
    for (const table of EXAMPLE_TABLES) expect(left).not.toContain(table);

    const history = await historyJson(dir);
    expectHistoryShape(history);
    expect(actions(history)).toEqual([...EXAMPLE_IDS.map((id) => ["apply", id]), ...[...EXAMPLE_IDS].reverse().map((id) => ["rollback", id])]);
    expect(history.events.every((e) => e.environment === "development")).toBe(true);
    expect(history.events.filter((e) => e.action === "rollback").every((e) => typeof e.durationMs === "number")).toBe(true);
    expect(readdirSync(join(dir, "data")).filter((f) => f.endsWith(".db"))).toEqual(files);
  });
});
