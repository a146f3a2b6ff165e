import { existsSync, readdirSync, readFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { parseJson, type CliResult } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, type HistoryJson, type StatusJson } from "../cli/fixtures.ts";
import { ALL_IDS, e2eProject, EVENT_ROWS, HOOK_LOG, IDS, TRANSFORM_ID, USER_TABLES } from "./project.ts";
import { installBinary, nodeProjectAbove, runBinary, whichInSandbox } from "./sandbox.ts";

/**
 * The judgement: the binary, alone in a fresh folder with no node, bun,
 * package.json or node_modules anywhere, migrates a TypeScript project with a plugin on each
 * database and runs a transform in worker threads; every command of the CLI contract works.
 */
async function columnsOf(url: string, table: string): Promise<string[]> {
  const info = (await snapshot(url)).schema.tables.find((t) => t.name === table);
  return info ? info.columns.map((c) => c.name) : [];
}

async function userTables(url: string): Promise<string[]> {
  const names = (await snapshot(url)).schema.tables.map((t) => t.name);
  return USER_TABLES.filter((t) => names.includes(t));
}

const statesOf = (status: StatusJson) => status.migrations.map((m) => [m.id, m.state, m.batch ?? null]);

forEachDialect((dialect: TestDialectName) => {
  it("runs every command on a TypeScript project with a plugin, alone in a folder without node or bun", async () => {
    expect(whichInSandbox(["node", "bun", "deno", "npm"])).toEqual([]);
    const db = await testDatabase(dialect);
    const dir = await writeProject(e2eProject(db.url));
    expect(nodeProjectAbove(dir)).toEqual([]);
    const bin = installBinary(inject("binary"), dir);
    const strata = (...args: string[]) => runBinary(bin, dir, args);
    const json = async <T>(...args: string[]): Promise<T> => {
      const result = await strata(...args, "--json");
      expectExit(result, 0);
      return parseJson<T>(result);
    };
    const hookLines = () => (existsSync(join(dir, HOOK_LOG)) ? readFileSync(join(dir, HOOK_LOG), "utf8").split("\n").filter(Boolean) : []);

    // up --to: the first three, in one batch; the transform runs in two worker threads.
    const first = await strata("up", "--to", IDS.events);
    expectExit(first, 0);
    for (const id of [IDS.users, IDS.tags, IDS.events]) expect(first.stdout).toContain(id);
    expect(first.stdout).not.toContain(IDS.nickname);
    expect(statesOf(await json<StatusJson>("status"))).toEqual([
      [IDS.users, "applied", 1], [IDS.tags, "applied", 1], [IDS.events, "applied", 1], [IDS.nickname, "pending", null],
    ]);

    // One set of classes: an error thrown by the engine is the StrataError the user file imported.
    expect(await query(db.url, "select name, value from e2e_checks order by name")).toEqual([
      { name: "bytes read back", value: "68656c6c6f" },
      { name: "engine error code", value: "TRANSFORM_FAILED" },
      { name: "engine error instanceof StrataError", value: "true" },
      { name: "this instanceof Migration", value: "true" },
    ]);
    expect(await query(db.url, "select id, label from tags order by id")).toEqual([{ id: 1, label: "red" }, { id: 2, label: "green" }]);

    const events = await query(db.url, "select id, payload, thread from events order by id");
    expect(events).toHaveLength(EVENT_ROWS);
    expect(events.every((e, i) => e.payload === `EVENT ${i + 1}`)).toBe(true);
    // threadId 0 is the main thread: every row went through a worker thread.
    const threads = new Set(events.map((e) => Number(e.thread)));
    expect([...threads].every((t) => Number.isInteger(t) && t > 0), `thread ids ${[...threads]}`).toBe(true);
    // More than one thread took part (on SQLite, one chunk in flight, its rows split over the workers).
    expect(threads.size, `thread ids ${[...threads]}`).toBeGreaterThan(1);
    const transforms = await json<{ transforms: Record<string, unknown>[] }>("transform", "status");
    expect(transforms.transforms).toEqual([expect.objectContaining({ id: TRANSFORM_ID, table: "events", state: "done", rowsDone: EVENT_ROWS, rowsTotal: EVENT_ROWS })]);

    // up: the rest, in a second batch; seed.
    expectExit(await strata("up"), 0);
    expect(await columnsOf(db.url, "users")).toContain("nickname");
    expectExit(await strata("seed"), 0);
    expect(await query(db.url, "select name, email, score from users order by name")).toEqual([
      { name: "Ada", email: "ada@example.com", score: 3 },
      { name: "Linus", email: "linus@example.com", score: 5 },
    ]);

    // The project plugin in plugins/ and the built-in one from "strata/plugins" in the config.
    const plugins = await json<{ plugins: { name: string; hooks: string[] }[] }>("plugins");
    expect(plugins.plugins.map((p) => p.name).sort()).toEqual(["audit", "batching"]);
    expect(plugins.plugins.find((p) => p.name === "audit")!.hooks.sort()).toEqual(["migration:after", "run:start", "seed:after", "transform:end"]);
    expect(hookLines()).toEqual([
      `run:start up ${IDS.users},${IDS.tags},${IDS.events}`,
      `migration:after up ${IDS.users}`,
      `migration:after up ${IDS.tags}`,
      `transform:end ${TRANSFORM_ID} done`,
      `migration:after up ${IDS.events}`,
      `run:start up ${IDS.nickname}`,
      `migration:after up ${IDS.nickname}`,
      "seed:after true",
    ]);

    // backup, backup list.
    expectExit(await strata("backup"), 0);
    const backups = await json<{ backups: { file: string; head?: string; environment: string }[] }>("backup", "list");
    expect(backups.backups).toHaveLength(1);
    expect(backups.backups[0]).toMatchObject({ environment: "development", head: IDS.nickname });
    expect(existsSync(backups.backups[0].file)).toBe(true);
    expect(backups.backups[0].file.startsWith(join(dir, "backups"))).toBe(true);

    // down: the last batch.
    const down = await strata("down");
    expectExit(down, 0);
    expect(down.stdout).toContain(IDS.nickname);
    expect(await columnsOf(db.url, "users")).not.toContain("nickname");
    expect(statesOf(await json<StatusJson>("status")).at(-1)).toEqual([IDS.nickname, "pending", null]);
    expect(hookLines().at(-1)).toBe(`migration:after down ${IDS.nickname}`);
    const history = await json<HistoryJson>("history");
    expect(history.events.map((e) => [e.action, e.id])).toEqual([...ALL_IDS.map((id) => ["apply", id]), ["rollback", IDS.nickname]]);
    expect(history.events.every((e) => e.environment === "development")).toBe(true);

    // restore: needs --yes when not interactive; brings back the state of the backup.
    expectExit(await strata("restore", backups.backups[0].file), 2);
    expectExit(await strata("restore", backups.backups[0].file, "--yes"), 0);
    expect(statesOf(await json<StatusJson>("status")).map(([id, state]) => [id, state])).toEqual(ALL_IDS.map((id) => [id, "applied"]));
    expect(await columnsOf(db.url, "users")).toContain("nickname");
    expect(await query(db.url, "select name from users order by name")).toEqual([{ name: "Ada" }, { name: "Linus" }]);

    // An applied migration edited on disk: reported, refused by up, accepted by resolve.
    appendFileSync(join(dir, "migrations", `${IDS.users}.ts`), "// reviewed\n");
    expect((await json<StatusJson>("status")).migrations.find((m) => m.id === IDS.users)!.state).toBe("modified");
    const refused: CliResult = await strata("up");
    expectExit(refused, 1);
    expect(refused.stderr).toContain(IDS.users);
    expectExit(await strata("resolve", IDS.users, "--accept-checksum"), 0);
    expect((await json<StatusJson>("status")).migrations.every((m) => m.state === "applied")).toBe(true);
    expect((await json<HistoryJson>("history")).events.at(-1)).toMatchObject({ action: "resolve", id: IDS.users });

    // down --all: every migration, the .sql one included, undone.
    expectExit(await strata("down", "--all"), 0);
    expect(await userTables(db.url)).toEqual([]);
    expect((await json<StatusJson>("status")).migrations.every((m) => m.state === "pending")).toBe(true);

    // Nothing appeared beside the binary that a Node project would have.
    expect(readdirSync(dir).sort()).toEqual(["backups", HOOK_LOG, "migrations", "plugins", "seeders", "strata", "strata.config.ts"].sort());
  });
});
