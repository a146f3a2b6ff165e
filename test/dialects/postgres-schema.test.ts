import { describe, expect, it, onTestFinished } from "vitest";
import { Migrator } from "../../src/index.ts";
import { parseJson, runCli } from "../helpers/cli.ts";
import { createTestDatabase, forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";

/**
 * Where strata's writes land: a non-public PostgreSQL schema managed end to end, and a
 * migration that moves its session elsewhere (SET search_path, USE) without taking the
 * history or later migrations with it.
 */

const ts = (className: string, body: string, extra = "") => `import { Migration, Schema } from "strata";
export default class ${className} extends Migration {
${extra ? `  ${extra}\n` : ""}  up() {
${body}
  }
}
`;

const STRATA = ["migrations", "migrations_log", "migrations_progress"];
const IDS = ["20260101000000_create_teams", "20260102000000_wander", "20260103000000_later"];

/** Teams and users with a foreign key; a migration that leaves the schema; one that runs after it. */
const project = (wander: string, wanderExtra = "") => ({
  "migrations/20260101000000_create_teams.ts": ts("CreateTeams", `    Schema.createTable("teams", [Schema.id(), Schema.string("name", { unique: true })]);
    Schema.createTable("users", [Schema.id(), Schema.foreignKey("team_id", "teams", "id", { onDelete: "cascade" }), Schema.string("email", { index: true })]);`),
  "migrations/20260102000000_wander.ts": ts("Wander", wander, wanderExtra),
  // One operation through the compiler, one unqualified raw statement: both must land home.
  "migrations/20260103000000_later.ts": ts("Later", `    Schema.createTable("later", [Schema.id()]);
    Schema.raw("create table later_raw (id integer)", "drop table later_raw");`),
});

async function pgTables(url: string, schemas: string[]): Promise<Record<string, string[]>> {
  const rows = await query(url, "select table_schema, table_name from information_schema.tables where table_schema = any(string_to_array($1, ',')) order by 1, 2", [schemas.join(",")]);
  const out: Record<string, string[]> = Object.fromEntries(schemas.map((s) => [s, []]));
  for (const r of rows) out[String(r.table_schema)].push(String(r.table_name));
  return out;
}

async function setup(dialect: TestDialectName, files: Record<string, string>) {
  const db = await testDatabase(dialect);
  const dir = await writeProject(files);
  return { db, dir };
}

forEachDialect((dialect) => {
  describe("a non-public schema (schema: \"app\")", () => {
    it("puts the tables and strata's history there; status, history and down read them; SET search_path does not leak", async () => {
      const { db, dir } = await setup(dialect, project(`    Schema.raw("set search_path to public", "set search_path to public");`));
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations", schema: "app" });
      expect((await migrator().run()).applied).toEqual(IDS);

      expect(await pgTables(db.url, ["app", "public"])).toEqual({ app: ["later", "later_raw", ...STRATA, "teams", "users"].sort(), public: [] });
      expect((await query(db.url, "select id from app.migrations order by sequence")).map((r) => r.id)).toEqual(IDS);
      const fk = await query(db.url, `select ccu.table_schema as ref_schema, ccu.table_name as ref_table from information_schema.table_constraints tc
        join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
        where tc.table_schema = 'app' and tc.table_name = 'users' and tc.constraint_type = 'FOREIGN KEY'`);
      expect(fk).toEqual([{ ref_schema: "app", ref_table: "teams" }]);

      const status = await migrator().status();
      expect(status.migrations.map((m) => [m.id, m.state])).toEqual(IDS.map((id) => [id, "applied"]));
      expect((await migrator().history()).events.map((e) => [e.action, e.id])).toEqual(IDS.map((id) => ["apply", id]));
      // Without the schema option the same database shows nothing applied: the history is app's.
      expect((await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).status()).migrations.map((m) => m.state)).toEqual(["pending", "pending", "pending"]);

      expect((await migrator().down({ all: true })).rolledBack).toEqual([...IDS].reverse());
      expect(await pgTables(db.url, ["app", "public"])).toEqual({ app: STRATA, public: [] });
      expect((await migrator().history()).events.filter((e) => e.action === "rollback")).toHaveLength(3);
    });

    it("a migration outside a transaction that changes search_path: its progress markers and the history stay in the schema", async () => {
      const { db, dir } = await setup(dialect, project(`    Schema.raw("set search_path to public");
    Schema.raw("create table wandered (id integer)");`, "transaction = false;"));
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations", schema: "app" });
      expect((await migrator().run()).applied).toEqual(IDS);
      // The migration's own unqualified statement went where it pointed the session; nothing else did.
      expect(await pgTables(db.url, ["app", "public"])).toEqual({ app: ["later", "later_raw", ...STRATA, "teams", "users"].sort(), public: ["wandered"] });
    });

    it("takes the schema from a config file given with --config", async () => {
      const { db, dir } = await setup(dialect, {
        ...project(`    Schema.raw("set search_path to public", "set search_path to public");`),
        "config/strata.json": JSON.stringify({ schema: "tenant_1", path: "../migrations" }),
      });
      const args = ["--config", "config/strata.json", "--url", db.url];
      const up = await runCli(["up", ...args], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
      expect(await pgTables(db.url, ["tenant_1", "public"])).toEqual({ tenant_1: ["later", "later_raw", ...STRATA, "teams", "users"].sort(), public: [] });
      const status = await runCli(["status", "--json", ...args], { cwd: dir });
      expect(parseJson(status).migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "applied", "applied"]);
      const down = await runCli(["down", "--all", ...args], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
      expect(await pgTables(db.url, ["tenant_1", "public"])).toEqual({ tenant_1: STRATA, public: [] });
    });
  });

  describe("the default schema", () => {
    // Without a configured schema, strata's own tables are qualified with the session's
    // current_schema() at open, so a migration's `set search_path` cannot move its writes.
    it("a non-transactional migration that moves search_path to another schema does not take strata's writes with it", async () => {
      const { db, dir } = await setup(dialect, project(`    Schema.raw("create schema other");
    Schema.raw("set search_path to other");
    Schema.createTable("inside_other", [Schema.id()]);`, "transaction = false;"));
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      expect((await migrator().run()).applied).toEqual(IDS);
      expect(await pgTables(db.url, ["public", "other"])).toEqual({ public: ["later", "later_raw", ...STRATA, "teams", "users"].sort(), other: ["inside_other"] });
      expect((await query(db.url, "select id from public.migrations order by sequence")).map((r) => r.id)).toEqual(IDS);
    });
  });
}, ["postgres"]);

forEachDialect((dialect) => {
  describe("USE <another database> inside a migration", () => {
    // strata's own tables are qualified with the URL's database, so a migration's `USE`
    // cannot move its writes.
    it("does not move the history, the progress markers or later migrations", async () => {
      const other = await createTestDatabase("mysql");
      onTestFinished(() => other.drop());
      const use = `Schema.raw("use \`${other.name}\`");`;
      const { db, dir } = await setup(dialect, project(`    ${use}
    Schema.raw("create table wandered (id integer)");
  }
  down() {
    ${use}
    Schema.raw("drop table wandered");`));
      const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      const tables = async (name: string) =>
        (await query(db.url, "select table_name as t from information_schema.tables where table_schema = ? order by 1", [name])).map((r) => String(r.t));
      expect((await migrator().run()).applied).toEqual(IDS);
      expect(await tables(db.name)).toEqual(["later", "later_raw", ...STRATA, "teams", "users"].sort());
      expect(await tables(other.name)).toEqual(["wandered"]);
      expect((await query(db.url, "select id from migrations order by sequence")).map((r) => r.id)).toEqual(IDS);

      expect((await migrator().down({ all: true })).rolledBack).toEqual([...IDS].reverse());
      expect(await tables(db.name)).toEqual(STRATA);
      expect(await tables(other.name)).toEqual([]);
    });
  });
}, ["mysql"]);

forEachDialect(() => {
  describe("an INVALID index of the same name in another schema", () => {
    it("is left alone: only an index on the statement's own table counts as its leftover", async () => {
      const db = await testDatabase("postgres");
      await query(db.url, "create schema appy");
      await query(db.url, "create table public.b (id int, v int)");
      await query(db.url, "insert into public.b values (1, 1), (2, 1)");
      await query(db.url, "create unique index concurrently a_v_uidx on public.b (v)").catch(() => undefined);
      expect(await query(db.url, "select indisvalid as valid from pg_index where indexrelid = 'public.a_v_uidx'::regclass")).toEqual([{ valid: false }]);
      const dir = await writeProject({
        "migrations/20260101000000_a.sql": "-- migrate:up\ncreate table a (id int primary key, v int);\n-- migrate:down\ndrop table a;\n",
        "migrations/20260102000000_a_v.sql": "-- migrate:up\ncreate unique index concurrently a_v_uidx on a (v);\n-- migrate:down\ndrop index concurrently a_v_uidx;\n",
      });
      await new Migrator({ cwd: dir, url: db.url, path: "migrations", schema: "appy" }).run();
      const indexes = await query(db.url, "select n.nspname as schema, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where c.relname = 'a_v_uidx' order by 1");
      expect(indexes).toEqual([{ schema: "appy", valid: true }, { schema: "public", valid: false }]);
    });
  });
}, ["postgres"]);
