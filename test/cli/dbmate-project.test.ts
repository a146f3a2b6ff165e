import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, printed, states, statusJson, strata } from "./fixtures.ts";

/** A dbmate project dropped as it is: its migrations live in db/migrations. */
describe("a dbmate project with no config", () => {
  it("finds db/migrations when there is no migrations folder, and new writes there", async () => {
    const dir = await writeProject({
      "db/migrations/20240101000000_create_notes.sql": "-- migrate:up\ncreate table notes (id integer primary key, body text);\n\n-- migrate:down\ndrop table notes;\n",
    });
    const url = `file:${join(dir, "app.db")}`;
    expectExit(await strata(dir, ["up", "--url", url]), 0);
    expect(await tableNames(url)).toContain("notes");
    expect(states(await statusJson(dir, ["--url", url]))).toEqual({ "20240101000000_create_notes": "applied" });
    expectExit(await strata(dir, ["new", "add_tags", "--sql"]), 0);
    expect((await readdir(join(dir, "db/migrations"))).filter((f) => f.endsWith("_add_tags.sql"))).toHaveLength(1);
    expect(existsSync(join(dir, "migrations"))).toBe(false);
  });

  it("up in a folder with no migrations folder says so instead of 'up to date'", async () => {
    const dir = await writeProject({ "README.md": "nothing here\n" });
    const result = await strata(dir, ["up", "--url", `file:${join(dir, "app.db")}`]);
    expectExit(result, 0);
    expect(printed(result)).toMatch(/Nothing to apply: there is no migrations folder .*migrations/);
    expect(printed(result)).not.toMatch(/up to date/);
  });
});
