import { describe, expect, it } from "vitest";
import { abort, definePlugin, Migrator, MigrationError, PluginError, type MigratorEvent, type Plugin, type PluginInput } from "../../src/index.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { tableMigration } from "../cli/fixtures.ts";
import { failingSecond, FIRST, SECOND, twoMigrations } from "./notify-fixtures.ts";
import { recorder, sequence, type Call } from "./recorder.ts";

async function setup(dialect: TestDialectName, files: Record<string, string>) {
  const db = await testDatabase(dialect);
  const dir = await writeProject(files);
  const events: MigratorEvent[] = [];
  const migrator = (plugins: PluginInput[]) => new Migrator({ cwd: dir, url: db.url, path: "migrations", plugins, onEvent: (e) => events.push(e) });
  const warnings = () => events.flatMap((e) => (e.event === "warning" ? [e.message] : []));
  return { db, dir, events, migrator, warnings };
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  return promise.then(() => expect.unreachable("expected a rejection"), (error: unknown) => error);
}

describe("hook order and payloads", () => {
  it("up: run:start with the plan, migration:before/after per migration in order, run:end with the result", async () => {
    const calls: Call[] = [];
    const { migrator } = await setup("sqlite", twoMigrations());
    const { applied } = await migrator([recorder("rec", calls)]).run();
    expect(applied).toEqual([FIRST, SECOND]);
    expect(sequence(calls)).toEqual(["run:start", `migration:before ${FIRST}`, `migration:after ${FIRST}`, `migration:before ${SECOND}`, `migration:after ${SECOND}`, "run:end"]);
    const [start, before, after] = calls.map((c) => c.payload);
    expect(start).toEqual({
      command: "up", environment: "development", database: expect.any(String), dialect: "sqlite", dryRun: false,
      plan: [{ id: FIRST, name: "create_things", direction: "up" }, { id: SECOND, name: "create_more", direction: "up" }],
    });
    expect(before).toEqual({ id: FIRST, name: "create_things", direction: "up", environment: "development", dryRun: false, index: 0, total: 2 });
    expect(after).toMatchObject({ id: FIRST, name: "create_things", direction: "up", environment: "development", dryRun: false, batch: 1 });
    expect(after.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls[3].payload).toMatchObject({ id: SECOND, index: 1, total: 2 });
    const end = calls[5].payload;
    expect(end).toMatchObject({ command: "up", success: true, applied: [FIRST, SECOND], rolledBack: [], dialect: "sqlite" });
    expect(end.migrations).toEqual([
      { id: FIRST, direction: "up", durationMs: expect.any(Number) },
      { id: SECOND, direction: "up", durationMs: expect.any(Number) },
    ]);
    expect(end.error).toBeUndefined();
  });

  it("down: run:start, rollback:before, migration hooks newest first, rollback:after, run:end", async () => {
    const calls: Call[] = [];
    const { migrator } = await setup("sqlite", twoMigrations());
    await migrator([]).run();
    const { rolledBack } = await migrator([recorder("rec", calls)]).down({ all: true });
    expect(rolledBack).toEqual([SECOND, FIRST]);
    expect(sequence(calls)).toEqual([
      "run:start", "rollback:before", `migration:before ${SECOND}`, `migration:after ${SECOND}`,
      `migration:before ${FIRST}`, `migration:after ${FIRST}`, "rollback:after", "run:end",
    ]);
    expect(calls[0].payload).toMatchObject({ command: "down", plan: [{ id: SECOND, direction: "down" }, { id: FIRST, direction: "down" }] });
    expect(calls[1].payload).toEqual({ environment: "development", migrations: [SECOND, FIRST], dryRun: false });
    expect(calls[2].payload).toMatchObject({ direction: "down", index: 0, total: 2 });
    expect(calls[6].payload).toMatchObject({ rolledBack: [SECOND, FIRST], dryRun: false });
    expect(calls[7].payload).toMatchObject({ command: "down", success: true, rolledBack: [SECOND, FIRST], applied: [] });
  });

  it("seed: seed:before and seed:after with the seeders", async () => {
    const calls: Call[] = [];
    const { migrator } = await setup("sqlite", {
      ...twoMigrations(),
      "seeders/things_seeder.ts": `import { Seeder } from "strata";\nexport default class ThingsSeeder extends Seeder {\n  async run() { await this.db.table("things").insertMany([{ name: "a" }]); }\n}\n`,
    });
    await migrator([]).run();
    await migrator([recorder("rec", calls)]).seed();
    expect(sequence(calls)).toEqual(["seed:before", "seed:after"]);
    expect(calls[0].payload).toEqual({ environment: "development", database: expect.stringMatching(/^file:/), dialect: "sqlite", seeders: ["things_seeder"] });
    expect(calls[1].payload).toMatchObject({ environment: "development", seeders: ["things_seeder"], success: true });
  });

  it("order: hook order pre/normal/post first, then the plugin's enforce, then config order", async () => {
    const calls: Call[] = [];
    const only = ["run:start", "run:end"] as const;
    const { migrator } = await setup("sqlite", twoMigrations());
    await migrator([
      recorder("a-normal", calls, { only }),
      recorder("b-enforce-post", calls, { only, enforce: "post" }),
      recorder("c-enforce-pre", calls, { only, enforce: "pre" }),
      recorder("d-order-pre", calls, { only, order: { "run:start": "pre" } }),
      recorder("e-pre-but-order-post", calls, { only, enforce: "pre", order: { "run:start": "post" } }),
      recorder("f-normal", calls, { only }),
    ]).run();
    const called = (hook: string) => calls.filter((c) => c.hook === hook).map((c) => c.plugin);
    expect(called("run:start")).toEqual(["d-order-pre", "c-enforce-pre", "a-normal", "f-normal", "b-enforce-post", "e-pre-but-order-post"]);
    expect(called("run:end")).toEqual(["c-enforce-pre", "e-pre-but-order-post", "a-normal", "d-order-pre", "f-normal", "b-enforce-post"]);
  });

  it("each hook gets the plugin's context; log() reaches the events attributed to the plugin", async () => {
    const seen: { plugin: string; environment: string }[] = [];
    const { migrator, events } = await setup("sqlite", twoMigrations());
    await migrator([definePlugin({ name: "ctx", hooks: { "run:end": (_p, context) => { seen.push({ plugin: context.plugin, environment: context.environment }); context.log("hello from ctx"); } } })]).run();
    expect(seen).toEqual([{ plugin: "ctx", environment: "development" }]);
    expect(events).toContainEqual({ event: "plugin-log", plugin: "ctx", message: "hello from ctx" });
  });

  it("migration:after comes once the migration is committed: another connection sees its history row (SQLite commits per run otherwise)", async () => {
    const { db, migrator } = await setup("sqlite", twoMigrations());
    const seen: string[][] = [];
    const watcher = definePlugin({
      name: "watcher",
      hooks: { "migration:after": async () => void seen.push((await query(db.url, "select id from migrations order by id")).map((r) => String(r.id))) },
    });
    await migrator([watcher]).run();
    expect(seen).toEqual([[FIRST], [FIRST, SECOND]]);
  });

  it("falsy entries are skipped and nested arrays flattened", async () => {
    const calls: Call[] = [];
    const { migrator } = await setup("sqlite", twoMigrations());
    const m = migrator([false, null, undefined, [recorder("one", calls, { only: ["run:end"] }), [recorder("two", calls, { only: ["run:end"] }), false]]]);
    await m.run();
    expect(calls.map((c) => c.plugin)).toEqual(["one", "two"]);
    expect((await m.plugins()).map((p) => [p.name, p.hooks])).toEqual([["one", ["run:end"]], ["two", ["run:end"]]]);
  });
});

forEachDialect((dialect) => {
  describe("a before hook that aborts", () => {
    it("run:start: PLUGIN_ABORTED with the reason, the database untouched, run:end reports the failure", async () => {
      const calls: Call[] = [];
      const { db, migrator } = await setup(dialect, twoMigrations());
      const before = await snapshot(db.url);
      const error = await rejection(migrator([recorder("freeze", calls, { override: { "run:start": () => abort("change freeze until Monday") } })]).run());
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: "PLUGIN_ABORTED", plugin: "freeze", hook: "run:start", exitCode: 1 });
      expect(error.message).toContain("change freeze until Monday");
      expect(await snapshot(db.url)).toEqual(before);
      expect(sequence(calls)).toEqual(["run:start", "run:end"]);
      expect(calls[1].payload).toMatchObject({ success: false, applied: [], error: { code: "PLUGIN_ABORTED" } });
    });

    it("a run refused before run:start (a modified migration) calls neither run:start nor run:end", async () => {
      const calls: Call[] = [];
      const { dir, migrator } = await setup(dialect, { [`migrations/${FIRST}.ts`]: tableMigration("CreateThings", "things") });
      await migrator([]).run();
      await addFiles(dir, { [`migrations/${FIRST}.ts`]: tableMigration("CreateThings", "other_things") });
      const error = await rejection(migrator([recorder("watch", calls)]).run());
      expect(error).toMatchObject({ code: "CHECKSUM_MISMATCH" });
      expect(sequence(calls)).toEqual([]);
    });

    it("migration:before: nothing of that migration applied, the database as it was", async () => {
      const { db, dir, migrator } = await setup(dialect, { [`migrations/${FIRST}.ts`]: tableMigration("CreateThings", "things") });
      await migrator([]).run();
      await addFiles(dir, { [`migrations/${SECOND}.ts`]: tableMigration("CreateMore", "more") });
      const before = await snapshot(db.url);
      const historyBefore = (await migrator([]).history()).events;
      const gate = definePlugin({ name: "gate", hooks: { "migration:before": ({ id }) => { if (id === SECOND) abort(`${id} needs approval`); } } });
      const error = await rejection(migrator([gate]).run());
      expect(error).toMatchObject({ code: "PLUGIN_ABORTED", plugin: "gate", hook: "migration:before" });
      expect(error.message).toContain(`${SECOND} needs approval`);
      expect(await snapshot(db.url)).toEqual(before);
      expect((await migrator([]).history()).events).toEqual(historyBefore);
      expect((await migrator([]).status()).migrations.map((m) => m.state)).toEqual(["applied", "pending"]);
    });
  });

  describe("an after hook that throws", () => {
    it("migration:after and run:end: warnings naming plugin and hook, the migrations stay applied", async () => {
      const { db, migrator, warnings } = await setup(dialect, twoMigrations());
      const noisy = definePlugin({
        name: "noisy",
        hooks: {
          "migration:after": ({ id }) => { throw new Error(`metrics down after ${id}`); },
          "run:end": () => { throw new Error("chat down"); },
        },
      });
      const { applied } = await migrator([noisy]).run();
      expect(applied).toEqual([FIRST, SECOND]);
      expect(warnings()).toEqual([
        `Plugin "noisy" failed in migration:after: metrics down after ${FIRST}`,
        `Plugin "noisy" failed in migration:after: metrics down after ${SECOND}`,
        'Plugin "noisy" failed in run:end: chat down',
      ]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["things", "more"]));
      expect((await migrator([]).status()).migrations.map((m) => m.state)).toEqual(["applied", "applied"]);
    });

    it("rollback:after: a warning, the rollback stays done", async () => {
      const { db, migrator, warnings } = await setup(dialect, twoMigrations());
      await migrator([]).run();
      const { rolledBack } = await migrator([definePlugin({ name: "late", hooks: { "rollback:after": () => { throw new Error("pager down"); } } })]).down();
      expect(rolledBack).toEqual([SECOND, FIRST]);
      expect(warnings()).toEqual(['Plugin "late" failed in rollback:after: pager down']);
      expect(await tableNames(db.url)).not.toContain("things");
    });

    it("migration:error: the original error is what the run rejects with", async () => {
      const { migrator, warnings } = await setup(dialect, failingSecond());
      const error = await rejection(migrator([definePlugin({ name: "oops", hooks: { "migration:error": () => { throw new Error("handler broke"); } } })]).run());
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.code).toBe("MIGRATION_FAILED");
      expect(error.migrationId).toBe(SECOND);
      expect(error.message).not.toContain("handler broke");
      expect(error.result.applied).toEqual([FIRST]);
      expect(warnings()).toEqual(['Plugin "oops" failed in migration:error: handler broke']);
    });
  });
});

describe("a before hook that throws (not abort)", () => {
  it("PLUGIN_FAILED naming plugin and hook, nothing applied", async () => {
    const { db, migrator } = await setup("sqlite", twoMigrations());
    const error = await rejection(migrator([definePlugin({ name: "buggy", hooks: { "migration:before": () => { throw new TypeError("x is undefined"); } } }) as Plugin]).run());
    expect(error).toMatchObject({ code: "PLUGIN_FAILED", plugin: "buggy", hook: "migration:before" });
    expect(error.message).toContain("x is undefined");
    expect(await tableNames(db.url)).not.toContain("things");
  });

  it("seed:before abort: no seeder runs", async () => {
    const { db, migrator } = await setup("sqlite", {
      ...twoMigrations(),
      "seeders/things_seeder.ts": `import { Seeder } from "strata";\nexport default class ThingsSeeder extends Seeder {\n  async run() { await this.db.table("things").insertMany([{ name: "a" }]); }\n}\n`,
    });
    await migrator([]).run();
    const before = await snapshot(db.url);
    const error = await rejection(migrator([definePlugin({ name: "no-seed", hooks: { "seed:before": () => abort("no seeding today") } })]).seed());
    expect(error).toMatchObject({ code: "PLUGIN_ABORTED", hook: "seed:before" });
    expect(await snapshot(db.url)).toEqual(before);
  });
});
