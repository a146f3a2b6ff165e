import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Migrator, MigrationError, type MigratorEvent } from "../../src/index.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

const example = () => ({
  "migrations/20261123120000_create_user_table.ts": readFileSync(join(REPO_ROOT, "migrations/20261123120000_create_user_table.ts"), "utf8"),
  "migrations/20261123120100_add_user_profile.ts": readFileSync(join(REPO_ROOT, "migrations/20261123120100_add_user_profile.ts"), "utf8"),
  "migrations/20261123120200_create_roles.sql": readFileSync(join(REPO_ROOT, "migrations/20261123120200_create_roles.sql"), "utf8"),
  "seeders/user_seeder.ts": readFileSync(join(REPO_ROOT, "seeders/user_seeder.ts"), "utf8"),
});

const migration = (className: string, body: string, extra = "") => `import { Migration, Schema } from "strata";
export default class ${className} extends Migration {
  ${extra}
  ${body}
}
`;

async function setup(dialect: TestDialectName, files: Record<string, string>) {
  const db = await testDatabase(dialect);
  const dir = await writeProject(files);
  const events: MigratorEvent[] = [];
  const migrator = (more: object = {}) => new Migrator({ cwd: dir, url: db.url, path: "migrations", onEvent: (e) => events.push(e), ...more });
  return { db, dir, events, migrator };
}

forEachDialect((dialect) => {
  describe("Migrator", () => {
    it("applies the example project in dependency order, records history, and a second run does nothing", async () => {
      const { db, migrator } = await setup(dialect, example());
      const first = await migrator().run();
      expect(first.applied).toEqual(["20261123120000_create_user_table", "20261123120100_add_user_profile", "20261123120200_create_roles"]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["users", "user_profiles", "roles", "user_roles", "migrations", "migrations_log"]));
      const history = await query(db.url, "select id, batch from migrations order by sequence");
      expect(history.map((r) => [r.id, Number(r.batch)])).toEqual(first.applied.map((id) => [id, 1]));
      expect((await migrator().run()).applied).toEqual([]);
      const status = await migrator().status();
      expect(status.migrations.map((m) => m.state)).toEqual(["applied", "applied", "applied"]);
      const seeded = await migrator().seed();
      expect(seeded.seeded).toEqual(["user_seeder"]);
      await migrator().seed();
      expect(await query(db.url, "select username from users order by username")).toEqual([{ username: "admin" }, { username: "test" }]);
    });

    it("rollback() undoes the last batch only; rollbackTo(version) everything applied after it", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        "migrations/20260101000000_a.ts": migration("A", `up() { Schema.createTable("a", [Schema.id()]); }`),
        "migrations/20260102000000_b.ts": migration("B", `up() { Schema.createTable("b", [Schema.id()]); }`),
      });
      await migrator().run();
      await addFiles(dir, {
        "migrations/20260103000000_c.ts": migration("C", `up() { Schema.createTable("c", [Schema.id()]); }`),
        "migrations/20260104000000_d.ts": migration("D", `up() { Schema.createTable("d", [Schema.id()]); }`),
      });
      await migrator().run();
      expect((await migrator().rollback()).rolledBack).toEqual(["20260104000000_d", "20260103000000_c"]);
      expect(await tableNames(db.url)).toEqual(expect.arrayContaining(["a", "b"]));
      expect(await tableNames(db.url)).not.toEqual(expect.arrayContaining(["c"]));
      await migrator().run();
      expect((await migrator().rollbackTo("20260101000000")).rolledBack).toEqual(["20260104000000_d", "20260103000000_c", "20260102000000_b"]);
      const left = await tableNames(db.url);
      expect(left).toContain("a");
      expect(left).not.toContain("b");
      const events = (await migrator().history()).events;
      expect(events.filter((e) => e.action === "rollback").map((e) => e.id)).toEqual(["20260104000000_d", "20260103000000_c", "20260104000000_d", "20260103000000_c", "20260102000000_b"]);
      expect(events.every((e) => e.environment === "development")).toBe(true);
    });

    it("derives down() from up() for reversible operations", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_base.ts": migration("Base", `up() { Schema.createTable("people", [Schema.id(), Schema.string("name")]); }\n  down() { Schema.dropTable("people"); }`),
        "migrations/20260102000000_more.ts": migration("More", `up() {
    Schema.addColumn("people", Schema.string("nickname", { nullable: true }));
    Schema.createIndex("people", ["name", "nickname"]);
    Schema.renameColumn("people", "name", "full_name");
    Schema.createTable("pets", [Schema.id(), Schema.foreignKey("owner_id", "people")]);
  }`),
      });
      await migrator().run();
      const before = (await snapshot(db.url)).schema.tables.find((t) => t.name === "people")!;
      expect(before.columns.map((c) => c.name)).toEqual(["id", "full_name", "nickname"]);
      expect((await migrator().down({ steps: 1 })).rolledBack).toEqual(["20260102000000_more"]);
      const after = await snapshot(db.url);
      expect(after.schema.tables.map((t) => t.name)).not.toContain("pets");
      const people = after.schema.tables.find((t) => t.name === "people")!;
      expect(people.columns.map((c) => c.name)).toEqual(["id", "name"]);
      expect(people.indexes).toEqual([]);
    });

    it("refuses a rollback with an irreversible migration before anything runs", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_base.ts": migration("Base", `up() { Schema.createTable("t", [Schema.id(), Schema.string("a"), Schema.string("b")]); }`),
        "migrations/20260102000000_drop.ts": migration("Drop", `up() { Schema.dropColumn("t", "b"); }`),
        "migrations/20260103000000_add.ts": migration("Add", `up() { Schema.addColumn("t", Schema.string("c", { nullable: true })); }`),
      });
      await migrator().run();
      const before = await snapshot(db.url);
      const error = await migrator().down({ all: true }).catch((e) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.code).toBe("IRREVERSIBLE");
      expect(error.message).toContain("20260102000000_drop");
      expect(error.message).toContain('dropColumn("t", "b")');
      expect(await snapshot(db.url)).toEqual(before);
    });

    it("dry-run prints the SQL and changes nothing, not even the history table", async () => {
      const { db, events, migrator } = await setup(dialect, example());
      const before = await snapshot(db.url);
      const result = await migrator().run({ dryRun: true });
      expect(result.applied).toEqual([]);
      const statements = events.filter((e) => e.event === "statement").map((e) => (e as { sql: string }).sql);
      expect(statements.some((s) => /create table .?users/i.test(s))).toBe(true);
      expect(statements.some((s) => /create table\s+roles/i.test(s))).toBe(true);
      expect(await snapshot(db.url)).toEqual(before);
    });

    it("this.db inside a migration sees the tables up() created and writes rows", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_data.ts": migration("Data", `async up() {
    Schema.createTable("colors", [Schema.id(), Schema.string("name"), Schema.boolean("warm", { default: false }), Schema.json("meta", { nullable: true })]);
    await this.db.table("colors").insertMany([{ name: "red", warm: true, meta: { hex: "#f00" } }, { name: "blue" }, { name: "green" }], { chunkSize: 2 });
    const warm = await this.db.table("colors").where({ warm: true }).select(["name"]);
    if (warm.length !== 1 || warm[0].name !== "red") throw new Error("unexpected rows " + JSON.stringify(warm));
    await this.db.table("colors").where("name", "blue").update({ warm: false });
    await this.db.table("colors").where("name", "in", ["green"]).delete();
    const rows = await this.db.sql\`select count(*) as n from colors where name <> \${"none"}\`;
    if (Number(rows[0].n) !== 2) throw new Error("count " + JSON.stringify(rows));
  }
  down() { Schema.dropTable("colors"); }`),
      });
      await migrator().run();
      expect((await query(db.url, "select name from colors order by name")).map((r) => r.name)).toEqual(["blue", "red"]);
    });

    it("refuses to go on when an applied migration changed or vanished, until resolved", async () => {
      const { dir, migrator } = await setup(dialect, {
        "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n",
        "migrations/20260102000000_b.sql": "-- migrate:up\ncreate table b (id int);\n-- migrate:down\ndrop table b;\n",
      });
      await migrator().run({ to: "20260101000000_a" });
      await addFiles(dir, { "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int, x int);\n-- migrate:down\ndrop table a;\n" });
      const refused = await migrator().run().catch((e) => e);
      expect(refused.code).toBe("CHECKSUM_MISMATCH");
      expect(refused.hint).toContain("strata resolve 20260101000000_a --accept-checksum");
      expect((await migrator().status()).migrations.map((m) => m.state)).toEqual(["modified", "pending"]);
      await migrator().resolve("20260101000000_a", "accept-checksum");
      expect((await migrator().run()).applied).toEqual(["20260102000000_b"]);
      const events = (await migrator().history()).events;
      expect(events.find((e) => e.action === "resolve")).toMatchObject({ id: "20260101000000_a", details: { kind: "accept-checksum" } });
    });

    it("in a plan-only environment (dryRun: true) run() and rollback() change nothing unless apply: true", async () => {
      const { db, events, migrator } = await setup(dialect, { "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n" });
      const production = (more: object = {}) => migrator({ env: "production", environments: { production: { dryRun: true } }, ...more });
      expect(await production().run()).toEqual({ applied: [] });
      expect(await tableNames(db.url)).not.toContain("a");
      expect(events.some((e) => e.event === "warning" && e.message.includes("plan-only"))).toBe(true);
      expect(await production().run({ apply: true })).toEqual({ applied: ["20260101000000_a"] });
      expect(await production().rollback()).toEqual({ rolledBack: [] });
      expect(await tableNames(db.url)).toContain("a");
      expect(await production().rollback({ apply: true })).toEqual({ rolledBack: ["20260101000000_a"] });
      expect(await tableNames(db.url)).not.toContain("a");
    });

    it("one Migrator object sees files edited, added and deleted between its calls", async () => {
      const { db, dir, migrator } = await setup(dialect, {
        "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n",
        "migrations/20260102000000_b.sql": "-- migrate:up\ncreate table b (id int);\n-- migrate:down\ndrop table b;\n",
      });
      const m = migrator();
      await m.run({ to: "20260101000000_a" });
      await addFiles(dir, { "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int, x int);\n-- migrate:down\ndrop table a;\n" });
      expect((await m.status()).migrations.map((e) => e.state)).toEqual(["modified", "pending"]);
      await expect(m.run()).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH" });
      expect(await tableNames(db.url)).not.toContain("b");

      await m.resolve("20260101000000_a", "accept-checksum");
      await addFiles(dir, { "migrations/20260103000000_c.sql": "-- migrate:up\ncreate table c (id int);\n-- migrate:down\ndrop table c;\n" });
      expect((await m.run()).applied).toEqual(["20260102000000_b", "20260103000000_c"]);
      rmSync(join(dir, "migrations/20260103000000_c.sql"));
      expect((await m.status()).migrations.map((e) => [e.id, e.state])).toContainEqual(["20260103000000_c", "missing"]);
    });

    it("a migration that throws halfway: earlier ones stay applied, the failing one leaves nothing behind (or is failed where DDL commits)", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_ok.ts": migration("Ok", `up() { Schema.createTable("ok", [Schema.id()]); }`),
        "migrations/20260102000000_boom.ts": migration("Boom", `async up() {
    Schema.createTable("half", [Schema.id(), Schema.string("name")]);
    await this.db.table("half").insert({ name: "x" });
    throw new Error("boom after a table and a row");
  }
  down() { Schema.dropTable("half"); }`),
        "migrations/20260103000000_later.ts": migration("Later", `up() { Schema.createTable("later", [Schema.id()]); }`),
      });
      const error = await migrator().run().catch((e) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.message).toContain("20260102000000_boom");
      expect(error.message).toContain("boom after a table and a row");
      expect(error.result.applied).toEqual(["20260101000000_ok"]);
      const tables = await tableNames(db.url);
      expect(tables).toContain("ok");
      expect(tables).not.toContain("later");
      const states = (await migrator().status()).migrations.map((m) => [m.id, m.state]);
      if (dialect === "mysql") {
        // MySQL committed the CREATE TABLE; the migration is failed until resolved.
        expect(states).toEqual([["20260101000000_ok", "applied"], ["20260102000000_boom", "failed"], ["20260103000000_later", "pending"]]);
        expect((await migrator().run().catch((e) => e)).code).toBe("MIGRATION_FAILED_STATE");
      } else {
        expect(tables).not.toContain("half");
        expect(states).toEqual([["20260101000000_ok", "applied"], ["20260102000000_boom", "pending"], ["20260103000000_later", "pending"]]);
      }
      const fail = (await migrator().history()).events.find((e) => e.action === "fail");
      expect(fail).toMatchObject({ id: "20260102000000_boom", details: { error: expect.stringContaining("boom after") } });
    });

    it("--single-transaction: all or nothing", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_a.ts": migration("A", `up() { Schema.createTable("a", [Schema.id()]); }`),
        "migrations/20260102000000_b.sql": "-- migrate:up\ncreate table b (id int);\ninsert into nowhere values (1);\n-- migrate:down\ndrop table b;\n",
      });
      const error = await migrator().run({ singleTransaction: true }).catch((e) => e);
      if (dialect === "mysql") {
        expect(error.code).toBe("USAGE");
        expect(await tableNames(db.url)).not.toContain("a");
        return;
      }
      expect(error.migrationId).toBe("20260102000000_b");
      expect(error.result.applied).toEqual([]);
      const tables = await tableNames(db.url);
      expect(tables).not.toContain("a");
      expect(tables).not.toContain("b");
      expect((await migrator().status()).migrations.map((m) => m.state)).toEqual(["pending", "pending"]);
      // The failure is logged, though the run's transaction took everything else back.
      expect((await migrator().history()).events.map((e) => [e.action, e.id])).toEqual([["fail", "20260102000000_b"]]);
    });

    it("--single-transaction refuses, before anything runs, a plan with a migration that must run outside a transaction", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_a.ts": migration("A", `up() { Schema.createTable("a", [Schema.id()]); }`),
        "migrations/20260102000000_b.sql": "-- migrate:up transaction:false\ncreate table b (id int);\n-- migrate:down\ndrop table b;\n",
      });
      await expect(migrator().run({ singleTransaction: true })).rejects.toMatchObject({ code: "USAGE" });
      expect(await tableNames(db.url)).not.toContain("a");
      expect((await migrator().status()).migrations.map((m) => m.state)).toEqual(["pending", "pending"]);
    });
  });
});

describe("options the API checks", () => {
  it("an inline config with environments reads url as the base their database names join, as the file does", async () => {
    const dir = await writeProject(example());
    const migrator = new Migrator({ cwd: dir, url: "file:dbs/", path: "migrations", environments: { development: { database: "tenant_a" } } });
    await migrator.run();
    expect(await tableNames(`file:${join(dir, "dbs", "tenant_a.db")}`)).toContain("users");
    // Without environments, url is the database itself.
    await new Migrator({ cwd: dir, url: "file:dbs/plain.db", path: "migrations" }).run();
    expect(await tableNames(`file:${join(dir, "dbs", "plain.db")}`)).toContain("users");
  });

  it("refuses a lockTimeout that is not a number of milliseconds, rollbackTo() without a target and a cwd that does not exist", async () => {
    const dir = await writeProject(example());
    await expect(new Migrator({ cwd: dir, lockTimeout: "abc" as unknown as number }).run()).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining('"lockTimeout"') });
    await expect(new Migrator({ cwd: dir, lockTimeout: -5 }).run()).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(new Migrator({ cwd: dir }).rollbackTo(undefined as unknown as string)).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("rollbackTo() needs") });
    await expect(new Migrator({ cwd: join(dir, "nope") }).run()).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("does not exist") });
    expect(existsSync(join(dir, "nope"))).toBe(false);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });
});
