/**
 * A realistic migration folder that uses every Schema operation of SPEC "Interface
 * details", as files for writeProject(). The same files run on every dialect; only the
 * partial index differs, because MySQL has none (`partialIndexes: false` writes the same
 * index without its predicate).
 */

const file = (className: string, body: string, extra = "") => `import { Migration, Schema } from "strata";

export default class ${className} extends Migration {
${extra ? `  ${extra}\n` : ""}${body}
}
`;

export const ROUND_TRIP_IDS = [
  "20260301090000_create_users",
  "20260301090100_create_teams",
  "20260301090200_create_memberships",
  "20260301090300_create_projects",
  "20260301090400_alter_users",
  "20260301090500_rename_projects",
  "20260301090600_initiative_constraints",
  "20260301090700_indexes",
  "20260301090800_cleanup",
  "20260301090900_audit_log",
  "20260301091000_seed_core_team",
] as const;

export function roundTripProject(options: { partialIndexes: boolean }): Record<string, string> {
  const where = options.partialIndexes ? `, where: "status = 'active'"` : "";
  return {
    // Every column type and modifier, table comment, timestamps(); down() derived.
    "migrations/20260301090000_create_users.ts": file("CreateUsers", `  up() {
    Schema.createTable("users", [
      Schema.id(),
      Schema.uuid("public_id", { unique: true }),
      Schema.string("email", { unique: true }),
      Schema.string("username", 64, { index: true }),
      Schema.string("nickname", { nullable: true, comment: "shown next to posts" }),
      Schema.text("bio", { nullable: true }),
      Schema.integer("login_count", { default: 0 }),
      Schema.bigInteger("karma", { default: 0 }),
      Schema.smallInteger("age", { nullable: true }),
      Schema.boolean("active", { default: true }),
      Schema.decimal("balance", 12, 2, { default: 0 }),
      Schema.float("score", { nullable: true }),
      Schema.double("rating", { nullable: true }),
      Schema.date("birthday", { nullable: true }),
      Schema.time("wakes_at", { nullable: true }),
      Schema.timestamp("last_seen_at", { nullable: true, tz: true }),
      Schema.json("settings", { nullable: true }),
      Schema.binary("avatar", { nullable: true }),
      Schema.enum("role", ["admin", "member", "guest"], { default: "member" }),
      Schema.timestamps(),
    ], { comment: "people who sign in" });
  }`),
    // bigId, a plain foreignKey() without actions; three tables, dropped in reverse.
    "migrations/20260301090100_create_teams.ts": file("CreateTeams", `  up() {
    Schema.createTable("teams", [Schema.bigId(), Schema.string("name"), Schema.string("slug", { unique: true }), Schema.timestamp("archived_at", { nullable: true }), Schema.timestamps()]);
    Schema.createTable("legacy_invites", [Schema.id(), Schema.string("code", 32), Schema.foreignKey("team_id", "teams")]);
    // A composite primary key, and a foreign key through the \`references\` modifier.
    Schema.createTable("team_tags", [
      Schema.bigInteger("team_id", { primary: true, references: { table: "teams", onDelete: "cascade" } }),
      Schema.string("tag", 40, { primary: true }),
    ]);
  }`),
    // Foreign keys with actions, a unique multi-column index, a plain index; class-name dependencies.
    "migrations/20260301090200_create_memberships.ts": file("CreateMemberships", `  up() {
    Schema.createTable("memberships", [
      Schema.id(),
      Schema.foreignKey("user_id", "users", "id", { onDelete: "cascade" }),
      Schema.foreignKey("team_id", "teams", "id", { onDelete: "cascade", onUpdate: "cascade" }),
      Schema.string("role_name", 32, { default: "member" }),
      Schema.timestamps(),
    ]);
    Schema.createIndex("memberships", ["user_id", "team_id"], { unique: true });
    Schema.createIndex("memberships", ["role_name"]);
  }`, `dependencies = ["CreateUsers", "CreateTeams"];`),
    "migrations/20260301090300_create_projects.ts": file("CreateProjects", `  up() {
    Schema.createTable("projects", [
      Schema.id(),
      Schema.foreignKey("team_id", "teams", "id", { onDelete: "restrict" }),
      Schema.string("name"),
      Schema.enum("status", ["draft", "active", "done"], { default: "draft" }),
      Schema.decimal("budget", 14, 2, { nullable: true }),
      Schema.json("meta", { nullable: true }),
      Schema.timestamps(),
    ]);
    Schema.addCheck("projects", "projects_name_not_blank", "name <> ''");
  }`),
    // addColumn, renameColumn, dropColumn, alterColumn (widen, nullability, default): explicit down().
    "migrations/20260301090400_alter_users.ts": file("AlterUsers", `  up() {
    Schema.addColumn("users", Schema.string("display_name", { nullable: true }));
    Schema.renameColumn("users", "nickname", "handle");
    Schema.dropColumn("users", "karma");
    Schema.alterColumn("users", Schema.bigInteger("login_count", { default: 0 }));
    Schema.alterColumn("users", Schema.string("username", 100, { nullable: true }));
    Schema.alterColumn("users", Schema.boolean("active", { default: false }));
  }
  down() {
    Schema.alterColumn("users", Schema.boolean("active", { default: true }));
    Schema.alterColumn("users", Schema.string("username", 64));
    Schema.alterColumn("users", Schema.integer("login_count", { default: 0 }));
    Schema.addColumn("users", Schema.bigInteger("karma", { default: 0 }));
    Schema.renameColumn("users", "handle", "nickname");
    Schema.dropColumn("users", "display_name");
  }`),
    "migrations/20260301090500_rename_projects.ts": file("RenameProjects", `  up() {
    Schema.renameTable("projects", "initiatives");
  }`),
    // addForeignKey with actions and a name, addUnique, addCheck; down() derived.
    "migrations/20260301090600_initiative_constraints.ts": file("InitiativeConstraints", `  up() {
    Schema.addColumn("initiatives", Schema.bigInteger("owner_id", { nullable: true }));
    Schema.addForeignKey("initiatives", ["owner_id"], "users", ["id"], { onDelete: "set null", onUpdate: "restrict", name: "initiatives_owner_fk" });
    Schema.addUnique("initiatives", ["team_id", "name"]);
    Schema.addCheck("initiatives", "initiatives_budget_positive", "budget >= 0");
  }`),
    "migrations/20260301090700_indexes.ts": file("Indexes", `  up() {
    Schema.createIndex("initiatives", ["status", "created_at"]);
    Schema.createIndex("initiatives", ["team_id"], { name: "initiatives_active_team_idx"${where} });
    Schema.createIndex("users", ["last_seen_at"], { name: "users_recently_seen_idx" });
  }`),
    // dropIndex, dropUnique, dropCheck, dropForeignKey (and re-add with other actions), dropTable: explicit down().
    "migrations/20260301090800_cleanup.ts": file("Cleanup", `  up() {
    Schema.dropIndex("memberships", ["role_name"]);
    Schema.dropIndex("users", "users_recently_seen_idx");
    Schema.dropUnique("teams", ["slug"]);
    Schema.dropCheck("initiatives", "projects_name_not_blank");
    Schema.dropForeignKey("memberships", ["team_id"]);
    Schema.addForeignKey("memberships", ["team_id"], "teams", ["id"], { onDelete: "restrict", onUpdate: "no action" });
    Schema.dropTable("legacy_invites");
  }
  down() {
    Schema.createTable("legacy_invites", [Schema.id(), Schema.string("code", 32), Schema.foreignKey("team_id", "teams")]);
    Schema.dropForeignKey("memberships", ["team_id"]);
    Schema.addForeignKey("memberships", ["team_id"], "teams", ["id"], { onDelete: "cascade", onUpdate: "cascade" });
    Schema.addCheck("initiatives", "projects_name_not_blank", "name <> ''");
    Schema.addUnique("teams", ["slug"]);
    Schema.createIndex("users", ["last_seen_at"], { name: "users_recently_seen_idx" });
    Schema.createIndex("memberships", ["role_name"]);
  }`),
    // raw() with downSql: portable SQL, reversed in order by the derived down().
    "migrations/20260301090900_audit_log.ts": file("AuditLog", `  up() {
    Schema.raw("create table audit_log (id integer not null primary key, action varchar(50) not null, note varchar(200))", "drop table audit_log");
    Schema.raw("insert into audit_log (id, action) values (1, 'installed')", "delete from audit_log where id = 1");
  }`),
    // Data through this.db, against the schema the earlier migrations built.
    "migrations/20260301091000_seed_core_team.ts": file("SeedCoreTeam", `  async up() {
    await this.db.table("teams").insert({ name: "Core", slug: "core" });
    const [team] = await this.db.table("teams").where({ slug: "core" }).select(["id"]);
    await this.db.table("initiatives").insert({ team_id: team.id, name: "Launch", status: "active", budget: "10.50", meta: { tags: ["a"] } });
  }
  async down() {
    await this.db.table("initiatives").where({ name: "Launch" }).delete();
    await this.db.table("teams").where({ slug: "core" }).delete();
  }`),
  };
}
