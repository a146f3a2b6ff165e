import { describe, expect, it } from "vitest";
import { Migrator } from "../../src/index.ts";
import { loadDialect } from "../../src/dialects/registry.ts";
import { describeUrl } from "../../src/util/redact.ts";
import { forEachDialect, testDatabase, type TestDialectName } from "../helpers/databases.ts";
import { query, snapshot, tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { normaliseSchema, STRATA_TABLES, type NeutralTable } from "./cross/normalise.ts";
import { ROUND_TRIP_IDS, roundTripProject } from "./cross/round-trip-project.ts";

/**
 * The same migration folder on every dialect yields the same schema, modulo type names,
 * read back through each dialect's introspector; rolled back completely it leaves only
 * strata's tables; applied again it yields the same schema again.
 */

const ENUM_CHECKS = ["users_role_check", "projects_status_check"];
const NOW = (column: string) => `${column} not null default current_timestamp`;

/** The one expected schema, shared by all three dialects. */
const EXPECTED: NeutralTable[] = [
  {
    name: "audit_log",
    columns: ["id not null", "action not null", "note null"],
    primaryKey: ["id"],
    indexes: [],
    foreignKeys: [],
    checks: [],
  },
  {
    name: "initiatives",
    columns: ["id not null", "team_id not null", "name not null", "status not null default draft", "budget null", "meta null", NOW("created_at"), NOW("updated_at"), "owner_id null"],
    primaryKey: ["id"],
    indexes: ["initiatives_active_team_idx(team_id)", "initiatives_status_created_at_idx(status, created_at)", "initiatives_team_id_name_key(team_id, name) unique"],
    foreignKeys: [
      "initiatives_owner_fk: owner_id -> users(id) on delete set null on update restrict",
      "projects_team_id_fkey: team_id -> teams(id) on delete restrict on update no action",
    ],
    checks: ["initiatives_budget_positive"],
  },
  {
    name: "memberships",
    columns: ["id not null", "user_id not null", "team_id not null", "role_name not null default member", NOW("created_at"), NOW("updated_at")],
    primaryKey: ["id"],
    indexes: ["memberships_user_id_team_id_key(user_id, team_id) unique"],
    foreignKeys: [
      "memberships_team_id_fkey: team_id -> teams(id) on delete restrict on update no action",
      "memberships_user_id_fkey: user_id -> users(id) on delete cascade on update no action",
    ],
    checks: [],
  },
  {
    name: "team_tags",
    columns: ["team_id not null", "tag not null"],
    primaryKey: ["team_id", "tag"],
    indexes: [],
    foreignKeys: ["team_tags_team_id_fkey: team_id -> teams(id) on delete cascade on update no action"],
    checks: [],
  },
  {
    name: "teams",
    columns: ["id not null", "name not null", "slug not null", "archived_at null", NOW("created_at"), NOW("updated_at")],
    primaryKey: ["id"],
    indexes: [],
    foreignKeys: [],
    checks: [],
  },
  {
    name: "users",
    columns: [
      "id not null", "public_id not null", "email not null", "username null", "handle null", "bio null", "login_count not null default 0", "age null",
      "active not null default 0", "balance not null default 0", "score null", "rating null", "birthday null", "wakes_at null", "last_seen_at null",
      "settings null", "avatar null", "role not null default member", NOW("created_at"), NOW("updated_at"), "display_name null",
    ],
    primaryKey: ["id"],
    indexes: ["users_email_key(email) unique", "users_public_id_key(public_id) unique", "users_username_idx(username)"],
    foreignKeys: [],
    checks: [],
  },
];

/**
 * InnoDB has no distinct NO ACTION, and MariaDB reads a rule the DDL did not spell out as
 * RESTRICT (PostgreSQL and SQLite read "no action"): on MySQL the two compare equal. See
 * the separate test of the unspecified case below.
 */
function forDialect(tables: NeutralTable[], dialect: TestDialectName): NeutralTable[] {
  if (dialect !== "mysql") return tables;
  const merge = (s: string) => s.replace(/on (delete|update) (restrict|no action)/g, "on $1 no action/restrict");
  return tables.map((t) => ({ ...t, foreignKeys: t.foreignKeys.map(merge).sort() }));
}

async function supportsPartialIndex(url: string): Promise<boolean> {
  const dialect = await loadDialect({ url, described: describeUrl(url) });
  try {
    return dialect.adapter.supportsPartialIndex;
  } finally {
    await dialect.driver.close();
  }
}

async function setup(dialect: TestDialectName, files?: Record<string, string>) {
  const db = await testDatabase(dialect);
  const partial = await supportsPartialIndex(db.url);
  const dir = await writeProject(files ?? roundTripProject({ partialIndexes: partial }));
  const migrator = () => new Migrator({ cwd: dir, url: db.url, path: "migrations" });
  return { db, partial, migrator };
}

/** Reads the schema back and compares it with the shared literal, plus what differs by design. */
async function expectSharedSchema(url: string, dialect: TestDialectName, partial: boolean): Promise<void> {
  const { schema, rows } = await snapshot(url);
  expect(normaliseSchema(schema, { dialect, enumChecks: ENUM_CHECKS })).toEqual(forDialect(EXPECTED, dialect));
  const table = (name: string) => schema.tables.find((t) => t.name === name)!;
  // Enums: a named check on PostgreSQL and SQLite (renamed table or not), a native type on MySQL.
  const checks = [...table("users").checks, ...table("initiatives").checks].map((c) => c.name);
  if (dialect === "mysql") expect(checks.filter((c) => ENUM_CHECKS.includes(c))).toEqual([]);
  else expect(checks).toEqual(expect.arrayContaining(ENUM_CHECKS));
  const active = table("initiatives").indexes.find((i) => i.name === "initiatives_active_team_idx")!;
  if (partial) expect(active.where).toMatch(/status\W*=\W*'active'/);
  else expect(active.where).toBeUndefined();
  expect(rows.audit_log).toHaveLength(1);
  expect(rows.initiatives).toHaveLength(1);
}

forEachDialect((dialect) => {
  describe("round trip of a realistic migration folder", () => {
    it("applies every operation and yields the shared schema", async () => {
      const { db, partial, migrator } = await setup(dialect);
      expect((await migrator().run()).applied).toEqual([...ROUND_TRIP_IDS]);
      await expectSharedSchema(db.url, dialect, partial);
      expect((await migrator().status()).migrations.map((m) => m.state)).toEqual(ROUND_TRIP_IDS.map(() => "applied"));
    });

    // On MySQL, InnoDB drops the index it made for a foreign key once a later index covers
    // the key's columns; dropping that later index must then keep an index for the key.
    it("down --all leaves only strata's tables, and applying again yields the same schema", async () => {
      const { db, partial, migrator } = await setup(dialect);
      await migrator().run();
      const down = await migrator().down({ all: true });
      expect(down.rolledBack).toEqual([...ROUND_TRIP_IDS].reverse());
      expect((await tableNames(db.url)).sort()).toEqual([...STRATA_TABLES]);
      expect(await query(db.url, "select id from migrations")).toEqual([]);

      expect((await migrator().run()).applied).toEqual([...ROUND_TRIP_IDS]);
      await expectSharedSchema(db.url, dialect, partial);
      const events = (await migrator().history()).events;
      expect(events.filter((e) => e.action === "apply")).toHaveLength(2 * ROUND_TRIP_IDS.length);
      expect(events.filter((e) => e.action === "rollback").map((e) => e.id)).toEqual([...ROUND_TRIP_IDS].reverse());
      expect(events.filter((e) => e.action === "fail")).toEqual([]);
    });

    // The same in its smallest form: a join table whose composite unique index covers the
    // first foreign key.
    it("rolls back a join table whose unique index covers a foreign key", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_join.ts": `import { Migration, Schema } from "strata";
export default class Join extends Migration {
  up() {
    Schema.createTable("people", [Schema.id()]);
    Schema.createTable("groups", [Schema.id()]);
    Schema.createTable("people_groups", [Schema.id(), Schema.foreignKey("person_id", "people"), Schema.foreignKey("group_id", "groups")]);
    Schema.createIndex("people_groups", ["person_id", "group_id"], { unique: true });
  }
}
`,
      });
      await migrator().run();
      expect((await migrator().down()).rolledBack).toEqual(["20260101000000_join"]);
      expect((await tableNames(db.url)).sort()).toEqual([...STRATA_TABLES]);
    });

    // A foreign key declared without actions reads "no action" everywhere (the MySQL
    // compiler writes the default out; MariaDB would report an omitted rule as RESTRICT).
    it("reads a foreign key declared without actions as no action", async () => {
      const { db, migrator } = await setup(dialect, {
        "migrations/20260101000000_fk.ts": `import { Migration, Schema } from "strata";
export default class Fk extends Migration {
  up() {
    Schema.createTable("owners", [Schema.id()]);
    Schema.createTable("pets", [Schema.id(), Schema.foreignKey("owner_id", "owners")]);
  }
}
`,
      });
      await migrator().run();
      const pets = (await snapshot(db.url)).schema.tables.find((t) => t.name === "pets")!;
      expect(pets.foreignKeys.map(({ name, onDelete, onUpdate }) => ({ name, onDelete, onUpdate }))).toEqual([
        { name: "pets_owner_id_fkey", onDelete: "no action", onUpdate: "no action" },
      ]);
    });
  });
});
