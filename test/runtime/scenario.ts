import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, type StatusJson } from "../cli/fixtures.ts";
import { ALL_IDS, e2eProject, EVENT_ROWS, HOOK_LOG, IDS, TRANSFORM_ID, USER_TABLES } from "../e2e/project.ts";
import { runSource, type SourceRuntime } from "./source.ts";

/**
 * The end-to-end project (TypeScript and SQL migrations, a transform, a seeder, a project
 * plugin) run from source on Bun or Deno: up, status, seed, down.
 */
export async function sourceRun(runtime: SourceRuntime, dialect: TestDialectName): Promise<void> {
  const db = await testDatabase(dialect);
  const dir = await writeProject(e2eProject(db.url));
  const strata = (...args: string[]) => runSource(runtime, dir, args);

  const up = await strata("up");
  expectExit(up, 0);
  for (const id of ALL_IDS) expect(up.stdout).toContain(id);
  const status = await strata("status", "--json");
  expectExit(status, 0);
  expect(parseJson<StatusJson>(status).migrations.map((m) => [m.id, m.state, m.batch])).toEqual(ALL_IDS.map((id) => [id, "applied", 1]));

  // "strata" in the user files is the running core: the engine's error is the file's StrataError.
  expect(await query(db.url, "select value from e2e_checks where name = 'engine error instanceof StrataError'")).toEqual([{ value: "true" }]);
  expect(await query(db.url, "select value from e2e_checks where name = 'bytes read back'")).toEqual([{ value: "68656c6c6f" }]);
  const events = await query(db.url, "select payload, thread from events order by id");
  expect(events).toHaveLength(EVENT_ROWS);
  expect(events.every((e, i) => e.payload === `EVENT ${i + 1}` && Number.isInteger(Number(e.thread)))).toBe(true);
  // Bun runs the row function in worker threads; Deno in the main thread (no worker pool there).
  if (runtime === "bun") expect(events.every((e) => Number(e.thread) > 0)).toBe(true);

  expectExit(await strata("seed"), 0);
  expect(await query(db.url, "select name from users order by name")).toEqual([{ name: "Ada" }, { name: "Linus" }]);
  const hooks = existsSync(join(dir, HOOK_LOG)) ? readFileSync(join(dir, HOOK_LOG), "utf8") : "";
  expect(hooks).toContain(`run:start up ${ALL_IDS.join(",")}\n`);
  expect(hooks).toContain(`transform:end ${TRANSFORM_ID} done\n`);
  expect(hooks).toContain("seed:after true\n");

  expectExit(await strata("down", "--all"), 0);
  const left = (await snapshot(db.url)).schema.tables.map((t) => t.name);
  expect(USER_TABLES.filter((t) => left.includes(t))).toEqual([]);
  expect(readFileSync(join(dir, HOOK_LOG), "utf8")).toContain(`migration:after down ${IDS.users}\n`);
}
