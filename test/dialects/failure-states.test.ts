import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Migrator, MigrationError } from "../../src/index.ts";
import { REPO_ROOT, runCli } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";

/**
 * Honest failure states where DDL is not transactional: MySQL/MariaDB always, PostgreSQL
 * for a migration that opts out (`transaction = false`, CREATE INDEX CONCURRENTLY). A
 * migration failing part-way is recorded as `failed` with the failing statement and the
 * count of statements that ran; `up` refuses until an explicit, logged `resolve`.
 */

const ts = (className: string, body: string) => `import { Migration, Schema } from "strata";
export default class ${className} extends Migration {
${body}
}
`;

async function setup(dialect: TestDialectName, files: Record<string, string>) {
  const db = await testDatabase(dialect);
  const dir = await writeProject(files);
  const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
  return { db, dir, migrator };
}

const BASE = "20260101000000_base";
const FOUR = "20260102000000_four_statements";
const AFTER = "20260103000000_after";

/** Four statements; the third references a table that does not exist. */
const fourStatements = (third: string) => `-- migrate:up
create table fs_one (id int primary key);
insert into fs_one (id) values (1);
${third};
create table fs_two (id int primary key);

-- migrate:down
drop table fs_two;
drop table fs_one;
`;

const mysqlProject = () => ({
  [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table fs_base (id int primary key);\n-- migrate:down\ndrop table fs_base;\n",
  [`migrations/${FOUR}.sql`]: fourStatements("insert into fs_missing (id) values (1)"),
  [`migrations/${AFTER}.sql`]: "-- migrate:up\ncreate table fs_after (id int primary key);\n-- migrate:down\ndrop table fs_after;\n",
});

const stateOf = async (migrator: Migrator) => Object.fromEntries((await migrator.status()).migrations.map((m) => [m.id, m.state]));

forEachDialect((dialect) => {
  describe("a migration failing at its third of four statements (MySQL commits DDL)", () => {
    it("is recorded as failed with the statement and what ran; up refuses; status names the way out", async () => {
      const { db, dir, migrator } = await setup(dialect, mysqlProject());
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migrationId).toBe(FOUR);
      expect((error as MigrationError).statement).toMatch(/^insert into fs_missing/);
      expect((error as MigrationError).result?.applied).toEqual([BASE]);
      // The error itself names the way out, as status does: what ran stays.
      expect((error as MigrationError).hint).toContain(`strata resolve ${FOUR} --mark-rolled-back`);
      expect((error as MigrationError).hint).not.toMatch(/nothing of it was kept/);

      const status = await migrator().status();
      const four = status.migrations.find((m) => m.id === FOUR)!;
      expect(four.state).toBe("failed");
      expect(four.failure).toMatchObject({ direction: "up", statementsDone: 2, statement: expect.stringMatching(/^insert into fs_missing \(id\) values \(1\);?$/) });
      expect(four.failure?.error).toContain("fs_missing");
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "failed", [AFTER]: "pending" });
      // The first two statements' effects are there, the fourth never ran.
      expect(await query(db.url, "select id from fs_one")).toEqual([{ id: 1 }]);
      expect(await tableNames(db.url)).not.toContain("fs_two");

      const refused = await migrator().run().catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "MIGRATION_FAILED_STATE" });
      expect((refused as { hint: string }).hint).toContain(`strata resolve ${FOUR}`);
      expect(await tableNames(db.url)).not.toContain("fs_after");

      const cli = await runCli(["status", "--url", db.url], { cwd: dir });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(/failed\s+20260102000000_four_statements/);
      expect(cli.stdout).toContain("after 2 statement(s) at: insert into fs_missing");
      expect(cli.stdout).toContain(`strata resolve ${FOUR} --mark-rolled-back`);
      expect(cli.stdout).toContain(`strata resolve ${FOUR} --mark-applied`);

      const fail = (await migrator().history()).events.find((e) => e.action === "fail");
      expect(fail).toMatchObject({ id: FOUR, details: { statementsDone: 2, statement: expect.stringMatching(/^insert into fs_missing/) } });
    });

    it("a rollback failing part-way names the ways out of a rollback, and up refuses until one is taken", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table rb_one (id int primary key);\ncreate table rb_two (id int primary key);\n-- migrate:down\ndrop table rb_two;\ndrop table rb_typo;\ndrop table rb_one;\n",
      });
      await migrator().run();
      const error = (await migrator().rollback().catch((e: unknown) => e)) as MigrationError;
      expect(error.hint).toContain(`"strata resolve ${BASE} --mark-rolled-back" (after finishing the rollback by hand) or "strata resolve ${BASE} --mark-applied" (after restoring what the rollback undid)`);
      const cli = await runCli(["status", "--url", db.url], { cwd: dir });
      expect(cli.stdout).toContain("failed while rolling back after 1 statement(s) at: drop table rb_typo");
      expect(cli.stdout).toContain("(after finishing the rollback by hand)");
      const refused = await migrator().run().catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "MIGRATION_FAILED_STATE", message: expect.stringContaining("through its rollback"), hint: expect.stringContaining("after restoring what the rollback undid") });
      // Finishing the rollback by hand, then marking it rolled back: up applies it again.
      await query(db.url, "drop table rb_one");
      await migrator().resolve(BASE, "mark-rolled-back");
      expect((await migrator().run()).applied).toEqual([BASE]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["rb_one", "rb_two"]));
    });

    it("data statements share one transaction: a failing one keeps those before it, a kill keeps none of the group", async () => {
      const inserts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `insert into dg_rows (id) values (${from + i});`).join("\n");
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: `-- migrate:up\ncreate table dg_rows (id int primary key);\n${inserts(1, 300)}\ncreate table dg_after (id int);\n`,
        [`migrations/${FOUR}.sql`]: `-- migrate:up\n${inserts(301, 303)}\ninsert into dg_rows (id) values (1);\n${inserts(304, 305)}\n`,
      });
      const error = (await migrator().run().catch((e: unknown) => e)) as MigrationError;
      expect(error.statement).toMatch(/^insert into dg_rows \(id\) values \(1\);?$/);
      expect(Number((await query(db.url, "select count(*) as n from dg_rows"))[0].n)).toBe(303);
      expect((await migrator().status()).migrations.find((m) => m.id === FOUR)).toMatchObject({ state: "failed", failure: { statementsDone: 3, statement: expect.stringMatching(/^insert into dg_rows \(id\) values \(1\);?$/) } });

      await addFiles(dir, { [`migrations/${AFTER}.sql`]: "-- migrate:up\ninsert into dg_after (id) values (1);\ninsert into dg_after (id) select 2 from (select sleep(3)) s;\ninsert into dg_after (id) values (3);\n" });
      await migrator().resolve(FOUR, "mark-applied");
      const child = spawnCli(["up", "--url", db.url], dir);
      const exited = new Promise((resolve) => child.on("close", resolve));
      for (let i = 0; ; i++) {
        if ((await query(db.url, "select 1 from information_schema.processlist where db = ? and info like '%sleep(3)%' and info not like '%processlist%'", [db.name])).length > 0) break;
        if (i > 300) throw new Error("the migration never reached its sleep");
        await sleep(50);
      }
      child.kill("SIGKILL");
      await exited;
      await sleep(3500);
      // The server rolled the open transaction back: nothing of the group, and the marker says so.
      expect(await query(db.url, "select id from dg_after")).toEqual([]);
      expect((await migrator().status()).migrations.find((m) => m.id === AFTER)).toMatchObject({ state: "failed", failure: { statementsDone: 0, statement: expect.stringMatching(/^insert into dg_after \(id\) values \(1\);?$/) } });
    });

    it("mark-rolled-back after undoing by hand: the fixed file then applies, and the resolve is logged", async () => {
      const { db, dir, migrator } = await setup(dialect, mysqlProject());
      await migrator().run().catch(() => undefined);
      // What a user does: undo what ran, fix the file (it was never applied, so its
      // checksum does not matter), resolve, run again.
      await query(db.url, "drop table fs_one");
      await addFiles(dir, { [`migrations/${FOUR}.sql`]: fourStatements("insert into fs_one (id) values (2)") });
      expect(await migrator().resolve(FOUR, "mark-rolled-back")).toEqual({ id: FOUR, action: "mark-rolled-back" });
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "pending", [AFTER]: "pending" });

      expect((await migrator().run()).applied).toEqual([FOUR, AFTER]);
      expect(await query(db.url, "select id from fs_one order by id")).toEqual([{ id: 1 }, { id: 2 }]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["fs_two", "fs_after"]));
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "applied", [AFTER]: "applied" });
      const events = (await migrator().history()).events;
      expect(events.map((e) => [e.action, e.id])).toEqual([["apply", BASE], ["fail", FOUR], ["resolve", FOUR], ["apply", FOUR], ["apply", AFTER]]);
      expect(events.find((e) => e.action === "resolve")?.details).toMatchObject({ kind: "mark-rolled-back", statementsDone: 2, failedStatement: expect.stringMatching(/^insert into fs_missing/) });
    });

    it("mark-applied after finishing by hand: the migration counts as applied and up goes on", async () => {
      const { db, dir, migrator } = await setup(dialect, mysqlProject());
      await migrator().run().catch(() => undefined);
      // Finish by hand what the migration meant, and make the file say what was done.
      await query(db.url, "create table fs_missing (id int primary key)");
      await query(db.url, "insert into fs_missing (id) values (1)");
      await query(db.url, "create table fs_two (id int primary key)");
      await addFiles(dir, {
        [`migrations/${FOUR}.sql`]: fourStatements("create table fs_missing (id int primary key);\ninsert into fs_missing (id) values (1)").replace("drop table fs_one;", "drop table fs_missing;\ndrop table fs_one;"),
      });
      await migrator().resolve(FOUR, "mark-applied");
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "applied", [AFTER]: "pending" });
      expect((await migrator().run()).applied).toEqual([AFTER]);
      expect((await query(db.url, "select id from migrations order by sequence")).map((r) => r.id)).toEqual([BASE, FOUR, AFTER]);
      const resolve = (await migrator().history()).events.find((e) => e.action === "resolve");
      expect(resolve).toMatchObject({ id: FOUR, details: { kind: "mark-applied", statementsDone: 2 } });
      // Resolving again is refused: it is applied now.
      await expect(migrator().resolve(FOUR, "mark-applied")).rejects.toMatchObject({ exitCode: 2 });
    });

    it("a first statement that fails: up leaves the migration pending, a rollback leaves it applied, with no marker either way", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table fs_base (id int primary key);\n-- migrate:down\ndrop table fs_base_typo;\ndrop table fs_base;\n",
        [`migrations/${FOUR}.sql`]: "-- migrate:up\ninsert into fs_missing (id) values (1);\ncreate table fs_one (id int primary key);\n-- migrate:down\ndrop table fs_one;\n",
      });
      await expect(migrator().run()).rejects.toMatchObject({ migrationId: FOUR, statement: expect.stringMatching(/^insert into fs_missing/) });
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "pending" });
      expect(await query(db.url, "select id from migrations_progress")).toEqual([]);
      expect(await tableNames(db.url)).not.toContain("fs_one");

      await expect(migrator().rollback()).rejects.toMatchObject({ migrationId: BASE, statement: expect.stringMatching(/^drop table fs_base_typo/) });
      const base = (await migrator().status()).migrations.find((m) => m.id === BASE)!;
      expect(base).toMatchObject({ state: "applied" });
      expect(base.failure).toBeUndefined();
      expect(await query(db.url, "select id from migrations_progress")).toEqual([]);
      expect(await tableNames(db.url)).toContain("fs_base");
      expect((await migrator().history()).events.filter((e) => e.action === "fail").map((e) => [e.id, e.details?.direction, e.details?.statementsDone])).toEqual([[FOUR, "up", 0], [BASE, "down", 0]]);
      // A syntax error's quoted text ends where the statement does, not in strata's own statements after it.
      await addFiles(dir, { [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table fs_base (id int primary key);\n-- migrate:down\ndrop table create table fs_base;\n" });
      await migrator().resolve(BASE, "accept-checksum");
      const syntax = (await migrator().rollback().catch((e: unknown) => e)) as MigrationError;
      expect(syntax.message).toMatch(/near 'create table fs_base' at line 1/);
      expect(syntax.message).not.toMatch(/migrations_progress|migrations_log/);
    });

    it("an exception in the migration's own code after a statement ran is failed with what ran, and names no statement", async () => {
      const { db, migrator } = await setup(dialect, {
        [`migrations/${FOUR}.ts`]: ts("Throws", `  async up() {\n    Schema.createTable("th_one", [Schema.id()]);\n    await this.db.table("th_one").insert({ id: 1 });\n    throw new Error("computed value out of range");\n  }`),
      });
      const error = (await migrator().run().catch((e: unknown) => e)) as MigrationError;
      expect(error).toMatchObject({ migrationId: FOUR, message: expect.stringContaining("computed value out of range") });
      expect(error.statement).toBeUndefined();
      const four = (await migrator().status()).migrations.find((m) => m.id === FOUR)!;
      expect(four).toMatchObject({ state: "failed", failure: { direction: "up", statementsDone: 2, error: expect.stringContaining("computed value out of range") } });
      expect(four.failure!.statement).toBeUndefined();
      expect(await query(db.url, "select id from th_one")).toEqual([{ id: 1 }]);
    });

    it("--single-transaction is a usage error (exit 2) on MySQL, and nothing is applied", async () => {
      const { db, dir } = await setup(dialect, mysqlProject());
      const result = await runCli(["up", "--single-transaction", "--url", db.url], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--single-transaction is not possible on");
      // Refused before the run starts: not even strata's own tables are created.
      expect(await tableNames(db.url)).toEqual([]);
      expect(result.stdout).not.toContain("Applying");
    });

    it("a name too long or a feature MySQL lacks, late in a migration, stops it before its first statement: nothing created, still pending", async () => {
      const long = "t".repeat(70);
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.ts`]: ts("LongName", `  up() {\n    Schema.createTable("ok_t", [Schema.id()]);\n    Schema.createTable("${long}", [Schema.id()]);\n  }`),
        [`migrations/${FOUR}.ts`]: ts("Partial", `  up() {\n    Schema.createTable("p_t", [Schema.id(), Schema.integer("n")]);\n    Schema.createIndex("p_t", ["n"], { where: "n > 0" });\n  }`),
      });
      await expect(migrator().run()).rejects.toMatchObject({ migrationId: BASE, code: "IDENTIFIER_INVALID" });
      expect((await tableNames(db.url)).filter((t) => !t.startsWith("migrations"))).toEqual([]);
      expect(await stateOf(migrator())).toEqual({ [BASE]: "pending", [FOUR]: "pending" });

      await addFiles(dir, { [`migrations/${BASE}.ts`]: ts("LongName", `  up() {\n    Schema.createTable("ok_t", [Schema.id()]);\n  }`) });
      const dry = await runCli(["up", "--dry-run", "--url", db.url], { cwd: dir });
      expect(dry.code).toBe(1);
      expect(dry.stderr).toMatch(/partial index/i);
      await expect(migrator().run()).rejects.toMatchObject({ migrationId: FOUR, code: "UNSUPPORTED" });
      expect((await tableNames(db.url)).filter((t) => !t.startsWith("migrations"))).toEqual(["ok_t"]);
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [FOUR]: "pending" });
    });

    it("a runner killed mid-migration (SIGKILL) leaves it failed with what ran, and its lock ends with its session", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table k_one (id int primary key);\nselect sleep(3);\ncreate table k_two (id int primary key);\n-- migrate:down\ndrop table k_two;\ndrop table k_one;\n",
      });
      const child = spawnCli(["up", "--url", db.url], dir);
      const exited = new Promise((resolve) => child.on("close", resolve));
      for (let i = 0; ; i++) {
        if ((await query(db.url, "select 1 from information_schema.processlist where db = ? and info like 'select sleep(3)%'", [db.name])).length > 0) break;
        if (i > 300) throw new Error("the migration never reached its sleep");
        await sleep(50);
      }
      child.kill("SIGKILL");
      await exited;

      const killed = await migrator().status();
      const [entry] = killed.migrations;
      // The statement it stopped at is read from the file.
      expect(entry).toMatchObject({ id: BASE, state: "failed", failure: { direction: "up", statementsDone: 1, statement: "select sleep(3)" } });
      // Its session still holds the lock while the server finishes the sleep: status says so.
      expect(killed.lockHolder).toMatch(/^connection \d+/);
      expect(await tableNames(db.url)).toContain("k_one");
      expect(await tableNames(db.url)).not.toContain("k_two");
      expect((await migrator().history()).events.filter((e) => e.action === "fail")).toEqual([]);
      // The killed runner's session lives on while the server finishes its statement (the
      // lock with it, rightly: the migration is still running there); then it ends, the lock
      // is free, and the next runner is refused for the failed migration, not for a lock.
      const refused = await migrator().run().catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "MIGRATION_FAILED_STATE" });
      expect(await tableNames(db.url)).not.toContain("k_two");
      // That runner, holding the lock, found the dead runner's marker: one fail event, logged once.
      const fails = async () => (await migrator().history()).events.filter((e) => e.action === "fail");
      expect(await fails()).toMatchObject([{ id: BASE, details: { direction: "up", interrupted: true, statement: expect.stringMatching(/^(select sleep\(3\)|create table k_two)/) } }]);
      await expect(migrator().run()).rejects.toMatchObject({ code: "MIGRATION_FAILED_STATE" });
      expect(await fails()).toHaveLength(1);
      expect((await migrator().status()).lockHolder).toBeUndefined();
    });

    it("status during another runner's migration says the lock is held, and a resolve that waited for it refuses an applied migration", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table lv_one (id int primary key);\nselect sleep(4);\n-- migrate:down\ndrop table lv_one;\n",
      });
      const running = migrator().run();
      for (let i = 0; ; i++) {
        if ((await query(db.url, "select 1 from information_schema.processlist where db = ? and info like 'select sleep(4)%'", [db.name])).length > 0) break;
        if (i > 300) throw new Error("the migration never reached its sleep");
        await sleep(50);
      }
      // A resolve typed now waits for the lock, then finds the migration applied: refused.
      const resolving = runCli(["resolve", BASE, "--mark-rolled-back", "--url", db.url], { cwd: dir });
      const during = await runCli(["status", "--url", db.url], { cwd: dir });
      expect(during.code).toBe(0);
      expect(during.stdout).toMatch(/the migration lock is held now \(connection \d+[^)]*\): its runner may still be at work/);
      const json = JSON.parse((await runCli(["status", "--json", "--url", db.url], { cwd: dir })).stdout);
      expect(Object.keys(json)).toEqual(["migrations", "heads"]);
      expect((await running).applied).toEqual([BASE]);
      const resolved = await resolving;
      expect(resolved.code, resolved.stdout + resolved.stderr).toBe(2);
      expect(resolved.stderr).toMatch(/another run held the migration lock when this command started, and the migration is applied now/);
      expect(await query(db.url, "select id from migrations")).toEqual([{ id: BASE }]);
      const after = await runCli(["status", "--url", db.url], { cwd: dir });
      expect(after.stdout).toMatch(/applied/);
      expect(after.stdout).not.toMatch(/lock is held/);
    });

    // A .sql section's last statement goes out with the history writes, in one batch.
    it("history writes failing after the last statement ran: failed with every statement done, naming none of them", async () => {
      const { db, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate trigger hw_closed before insert on migrations for each row signal sqlstate '45000' set message_text = 'history is closed';\ncreate table hw_two (id int primary key);\n-- migrate:down\ndrop table hw_two;\n",
      });
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).message).toContain("history is closed");
      expect((error as MigrationError).statement).toBeUndefined();
      const [entry] = (await migrator().status()).migrations;
      expect(entry).toMatchObject({ id: BASE, state: "failed", failure: { direction: "up", statementsDone: 2 } });
      expect(entry.failure?.statement).toBeUndefined();
      expect(await tableNames(db.url)).toContain("hw_two");
      expect(await query(db.url, "select id from migrations")).toEqual([]);
    });

    it("a duration that cannot be corrected afterwards does not fail a recorded migration", async () => {
      const { db, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate trigger lu_closed before update on migrations_log for each row signal sqlstate '45000' set message_text = 'log rows are append-only';\ndo sleep(0.2);\n",
      });
      expect((await migrator().run()).applied).toEqual([BASE]);
      expect((await migrator().status()).migrations).toMatchObject([{ id: BASE, state: "applied" }]);
      expect((await query(db.url, "select action from migrations_log")).map((e) => e.action)).toEqual(["apply"]);
    });

    it("a slow last statement still gets its whole duration in the history and the log", async () => {
      const { db, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table du_one (id int primary key);\ndo sleep(0.3);\n-- migrate:down\ndrop table du_one;\ndo sleep(0.3);\n",
      });
      await migrator().run();
      const [row] = await query(db.url, "select duration_ms from migrations");
      expect(Number(row.duration_ms)).toBeGreaterThanOrEqual(300);
      await migrator().down();
      const events = await query(db.url, "select action, duration_ms from migrations_log order by seq");
      expect(events.map((e) => [e.action, Number(e.duration_ms) >= 300])).toEqual([["apply", true], ["rollback", true]]);
      expect(await query(db.url, "select id from migrations_progress")).toEqual([]);
    });

    it("stays failed when its file is deleted: up refuses, and resolve finds it by id", async () => {
      const { db, dir, migrator } = await setup(dialect, mysqlProject());
      await migrator().run().catch(() => undefined);
      await rm(join(dir, "migrations", `${FOUR}.sql`));
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [AFTER]: "pending", [FOUR]: "failed" });
      expect(await migrator().run().catch((e: unknown) => e)).toMatchObject({ code: "MIGRATION_FAILED_STATE" });
      expect(await tableNames(db.url)).not.toContain("fs_after");
      const check = await runCli(["check", "--url", db.url], { cwd: dir });
      expect(check.code).toBe(1);
      expect(check.stdout + check.stderr).toContain("MIGRATION_FAILED_STATE");

      await query(db.url, "drop table fs_one");
      const resolved = await runCli(["resolve", FOUR, "--mark-rolled-back", "--url", db.url], { cwd: dir });
      expect(resolved.code, resolved.stderr).toBe(0);
      expect(await stateOf(migrator())).toEqual({ [BASE]: "applied", [AFTER]: "pending" });
      expect((await migrator().run()).applied).toEqual([AFTER]);
      expect((await migrator().history()).events.filter((e) => e.action === "resolve").map((e) => e.id)).toEqual([FOUR]);
    });
  });
}, ["mysql"]);

/** The CLI as a child process this test can kill (runCli waits for the exit). */
function spawnCli(args: string[], cwd: string): ChildProcess {
  const bin = process.env.STRATA_BIN;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ["DATABASE_URL", "STRATA_ENV", "NODE_ENV"]) delete env[key];
  return spawn(bin ?? process.execPath, bin ? args : [join(REPO_ROOT, "bin/strata.mjs"), ...args], { cwd, env, stdio: "ignore" });
}

forEachDialect((dialect) => {
  describe("PostgreSQL: transaction = false behaves like MySQL, a normal migration rolls back completely", () => {
    it("a non-transactional migration failing at its third statement is failed with what ran", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        "migrations/20260101000000_concurrent.ts": ts("Concurrent", `  transaction = false;
  up() {
    Schema.createTable("pg_one", [Schema.id(), Schema.string("email")]);
    Schema.createIndex("pg_one", ["email"], { concurrently: true });
    Schema.raw("insert into pg_missing (id) values (1)");
    Schema.createTable("pg_two", [Schema.id()]);
  }
  down() {
    Schema.dropTable("pg_two");
    Schema.dropTable("pg_one");
  }`),
      });
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", migrationId: "20260101000000_concurrent" });
      const [entry] = (await migrator().status()).migrations;
      expect(entry).toMatchObject({ state: "failed", failure: { statementsDone: 2, statement: "insert into pg_missing (id) values (1)" } });
      const pgOne = (await snapshot(db.url)).schema.tables.find((t) => t.name === "pg_one")!;
      expect(pgOne.indexes).toEqual([{ name: "pg_one_email_idx", columns: ["email"], unique: false }]);
      expect(await tableNames(db.url)).not.toContain("pg_two");
      await expect(migrator().run()).rejects.toMatchObject({ code: "MIGRATION_FAILED_STATE" });

      await query(db.url, "drop table pg_one");
      await addFiles(dir, {
        "migrations/20260101000000_concurrent.ts": ts("Concurrent", `  transaction = false;
  up() {
    Schema.createTable("pg_one", [Schema.id(), Schema.string("email")]);
    Schema.createIndex("pg_one", ["email"], { concurrently: true });
    Schema.createTable("pg_two", [Schema.id()]);
  }`),
      });
      await migrator().resolve("20260101000000_concurrent", "mark-rolled-back");
      // A fresh process: this one has the old module cached (see the module-cache test below).
      const up = await runCli(["up", "--url", db.url], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
      expect(await stateOf(migrator())).toEqual({ "20260101000000_concurrent": "applied" });
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["pg_one", "pg_two"]));
      expect((await migrator().history()).events.map((e) => e.action)).toEqual(["fail", "resolve", "apply"]);
    });

    it("a transactional migration failing at its third statement leaves nothing and stays pending", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_plain.sql": fourStatements("insert into fs_missing (id) values (1)").replace("create table fs_two", "create index fs_one_idx on fs_one (id);\ncreate table fs_two"),
      });
      const before = (await tableNames(db.url)).sort();
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", migrationId: "20260101000000_plain" });
      expect((error as MigrationError).hint).toContain("nothing of it was kept");
      expect((await tableNames(db.url)).filter((t) => t.startsWith("fs_"))).toEqual([]);
      expect(before).toEqual([]);
      expect((await migrator().status()).migrations).toMatchObject([{ id: "20260101000000_plain", state: "pending" }]);
      expect((await migrator().status()).migrations[0].failure).toBeUndefined();
      const fail = (await migrator().history()).events.find((e) => e.action === "fail");
      expect(fail).toMatchObject({ id: "20260101000000_plain", details: { transactional: true } });
    });

    it("a failed CREATE INDEX CONCURRENTLY leaves an INVALID index; with the data fixed, running again makes it valid", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_accounts.ts": ts("Accounts", `  async up() {
    Schema.createTable("accounts", [Schema.id(), Schema.string("email")]);
    await this.db.table("accounts").insertMany([{ email: "dup@x" }, { email: "dup@x" }, { email: "one@x" }]);
  }
  down() { Schema.dropTable("accounts"); }`),
        "migrations/20260102000000_unique_email.ts": ts("UniqueEmail", `  up() {
    Schema.createIndex("accounts", ["email"], { unique: true, concurrently: true });
  }`),
      });
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", migrationId: "20260102000000_unique_email" });
      expect((error as MigrationError).result?.applied).toEqual(["20260101000000_accounts"]);
      const accounts = async () => (await snapshot(db.url)).schema.tables.find((t) => t.name === "accounts")!;
      expect((await accounts()).indexes).toEqual([{ name: "accounts_email_key", columns: ["email"], unique: true, valid: false }]);
      // Its first statement failed, so nothing of it is recorded as run: it is pending, and the
      // INVALID leftover is strata's to clean up on the next attempt.
      expect(await stateOf(migrator())).toEqual({ "20260101000000_accounts": "applied", "20260102000000_unique_email": "pending" });

      await query(db.url, `delete from accounts where id = (select max(id) from accounts where email = 'dup@x')`);
      expect((await migrator().run()).applied).toEqual(["20260102000000_unique_email"]);
      expect((await accounts()).indexes).toEqual([{ name: "accounts_email_key", columns: ["email"], unique: true }]);
      await expect(query(db.url, "insert into accounts (email) values ('one@x')")).rejects.toMatchObject({ details: { databaseCode: "23505" } });
    });

    for (const [label, create] of [
      ["a .sql CREATE UNIQUE INDEX CONCURRENTLY", `create unique index concurrently "Acct_Email" on accounts (email);`],
      ["a .sql CREATE INDEX CONCURRENTLY IF NOT EXISTS (which would pass over the broken index)", `-- the unique index\ncreate unique index concurrently if not exists "Acct_Email" on accounts (email);`],
    ] as const) {
      it(`${label}: its INVALID leftover is dropped before the next try, which makes a valid index`, async () => {
        const { db, migrator } = await setup(dialect, {
          "migrations/20260101000000_accounts.sql": "-- migrate:up\ncreate table accounts (id int primary key, email text);\ninsert into accounts values (1, 'dup@x'), (2, 'dup@x'), (3, 'one@x');\n-- migrate:down\ndrop table accounts;\n",
          "migrations/20260102000000_unique_email.sql": `-- migrate:up\n${create}\n-- migrate:down\ndrop index concurrently "Acct_Email";\n`,
        });
        await expect(migrator().run()).rejects.toMatchObject({ code: "MIGRATION_FAILED", migrationId: "20260102000000_unique_email" });
        const indexes = async () => (await snapshot(db.url)).schema.tables.find((t) => t.name === "accounts")!.indexes;
        expect(await indexes()).toEqual([{ name: "Acct_Email", columns: ["email"], unique: true, valid: false }]);

        await query(db.url, "delete from accounts where id = 2");
        expect((await migrator().run()).applied).toEqual(["20260102000000_unique_email"]);
        expect(await indexes()).toEqual([{ name: "Acct_Email", columns: ["email"], unique: true }]);
        await expect(query(db.url, "insert into accounts values (4, 'one@x')")).rejects.toMatchObject({ details: { databaseCode: "23505" } });
      });
    }
  });
}, ["postgres"]);

forEachDialect((dialect) => {
  describe("recovering through the API, in one process", () => {
    // User files are imported with their checksum in the URL, so a later Migrator in the
    // same process runs the file as it is now, not as the module cache first loaded it.
    it("runs the migration file as it is now, not as an earlier Migrator loaded it", async () => {
      const file = (body: string) => ts("AddThings", `  up() {\n    ${body}\n  }`);
      const { db, dir, migrator } = await setup(dialect, { "migrations/20260101000000_add_things.ts": file(`throw new Error("not yet");`) });
      await expect(migrator().run()).rejects.toThrow("not yet");
      await addFiles(dir, { "migrations/20260101000000_add_things.ts": file(`Schema.createTable("things", [Schema.id()]);`) });
      expect((await migrator().run()).applied).toEqual(["20260101000000_add_things"]);
      expect(await tableNames(db.url)).toContain("things");
    });
  });
}, ["sqlite"]);

// Outside a transaction a .sql section's last statement may go out with the history writes
// (one batch where the database allows it): every statement still runs, once, and a failing
// last statement is failed with what ran before it, on every database.
forEachDialect((dialect) => {
  describe("a .sql migration with transaction:false", () => {
    const file = (last: string) => `-- migrate:up transaction:false\ncreate table nt_one (id int primary key);\n${last};\n\n-- migrate:down transaction:false\ndrop table nt_two;\ndrop table nt_one;\n`;

    it("runs every statement going up and down, and leaves no marker", async () => {
      const { db, migrator } = await setup(dialect, { "migrations/20260101000000_nt.sql": file("create table nt_two (id int primary key)") });
      expect((await migrator().run()).applied).toEqual(["20260101000000_nt"]);
      expect((await tableNames(db.url)).filter((t) => t.startsWith("nt_"))).toEqual(["nt_one", "nt_two"]);
      expect(await query(db.url, "select id from migrations_progress")).toEqual([]);
      expect((await migrator().down()).rolledBack).toEqual(["20260101000000_nt"]);
      expect((await tableNames(db.url)).filter((t) => t.startsWith("nt_"))).toEqual([]);
      expect(await query(db.url, "select id from migrations_progress")).toEqual([]);
      expect(await query(db.url, "select id from migrations")).toEqual([]);
    });

    it("records a duration that includes a slow last statement", async () => {
      const slow = { postgres: "select pg_sleep(0.2)", mysql: "do sleep(0.2)", sqlite: "with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000000) select count(*) from c" }[dialect];
      const { db, dir } = await setup(dialect, { "migrations/20260101000000_nt.sql": `-- migrate:up transaction:false\ncreate table nt_one (id int primary key);\n${slow};\n` });
      const migrated: number[] = [];
      await new Migrator({ cwd: dir, url: db.url, path: "migrations", onEvent: (e) => void (e.event === "migrated" && migrated.push(e.ms)) }).run();
      const [row] = await query(db.url, "select duration_ms from migrations");
      const [event] = await query(db.url, "select duration_ms from migrations_log where action = 'apply'");
      expect(Number(row.duration_ms)).toBeGreaterThanOrEqual(100);
      expect(Number(event.duration_ms)).toBeGreaterThanOrEqual(100);
      expect(migrated[0]).toBeGreaterThanOrEqual(100);
    });

    it("a failing last statement is failed with the statement and the one that ran", async () => {
      const { db, migrator } = await setup(dialect, { "migrations/20260101000000_nt.sql": file("insert into nt_missing (id) values (1)") });
      const error = await migrator().run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", migrationId: "20260101000000_nt", statement: expect.stringMatching(/^insert into nt_missing/) });
      const [entry] = (await migrator().status()).migrations;
      expect(entry).toMatchObject({ state: "failed", failure: { direction: "up", statementsDone: 1, statement: expect.stringMatching(/^insert into nt_missing/) } });
      expect((await tableNames(db.url)).filter((t) => t.startsWith("nt_"))).toEqual(["nt_one"]);
      expect(await query(db.url, "select id from migrations")).toEqual([]);
    });
  });
});

forEachDialect((dialect) => {
  describe("a .sql section with its own COMMIT", () => {
    it("runs outside strata's transaction: failing after the COMMIT it is failed with what ran, never recorded as applied", async () => {
      const { db, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table oc_one (id int);\ncommit;\ncreate table oc_two (id int);\nselect 1/0;\n-- migrate:down\ndrop table oc_one;\n",
      });
      const error = (await migrator().run().catch((e: unknown) => e)) as MigrationError;
      expect(error).toBeInstanceOf(MigrationError);
      const [entry] = (await migrator().status()).migrations;
      expect(entry).toMatchObject({ id: BASE, state: "failed", failure: { statementsDone: 3, statement: expect.stringMatching(/^select 1\/0/) } });
      expect(await query(db.url, "select count(*) as n from migrations")).toEqual([{ n: 0 }]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["oc_one", "oc_two"]));
    });
  });
}, ["postgres"]);


forEachDialect((dialect) => {
  describe("a .sql section with a transaction of its own that fails inside it", () => {
    it("undoes that transaction, as closing the connection would, and records the failure naming the statement", async () => {
      const start = dialect === "mysql" ? "START TRANSACTION" : "BEGIN";
      const { db, migrator } = await setup(dialect, {
        [`migrations/${BASE}.sql`]: "-- migrate:up\ncreate table acct (id int primary key, bal int);\ninsert into acct values (1, 100), (2, 0);\n-- migrate:down\ndrop table acct;\n",
        [`migrations/${FOUR}.sql`]: `-- migrate:up\n${start};\nupdate acct set bal = bal - 50 where id = 1;\nupdate acct set bal = bal + 50 where id = 2;\ninsert into acct values (2, 999);\nCOMMIT;\n-- migrate:down\nselect 1;\n`,
      });
      const error = (await migrator().run().catch((e: unknown) => e)) as MigrationError;
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.migrationId).toBe(FOUR);
      expect(error.statement).toMatch(/^insert into acct values \(2, 999\)/);
      expect(await query(db.url, "select id, bal from acct order by id")).toEqual([{ id: 1, bal: 100 }, { id: 2, bal: 0 }]);
      const four = (await migrator().status()).migrations.find((m) => m.id === FOUR)!;
      expect(four).toMatchObject({ state: "failed", failure: { statement: expect.stringMatching(/^insert into acct/) } });
      expect((await migrator().history()).events.map((e) => [e.action, e.id])).toEqual([["apply", BASE], ["fail", FOUR]]);
    });
  });
});
