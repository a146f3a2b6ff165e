import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson, runCli } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, tableNames } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";

const migration = (name: string, body: string, deps: string[] = []) => `import { Migration, Schema } from "strata";
export default class ${name} extends Migration {
  dependencies = ${JSON.stringify(deps)};
  ${body}
}
`;

const base = {
  "migrations/20260101000000_root.ts": migration("Root", `up() { Schema.createTable("root", [Schema.id()]); }`),
  "migrations/20260102000000_left.ts": migration("Left", `up() { Schema.createTable("left_side", [Schema.id()]); }`, ["Root"]),
  "migrations/20260103000000_right.ts": migration("Right", `up() { Schema.createTable("right_side", [Schema.id()]); }`, ["Root"]),
};

describe("strata check and merge (explicit strategy)", () => {
  it("reports several heads under explicit, up refuses, merge joins them and up goes on", async () => {
    const dir = await writeProject({ ...base, "strata.config.json": JSON.stringify({ strategy: "explicit" }) });
    const check = await runCli(["check", "--json"], { cwd: dir });
    expect(check.code).toBe(1);
    const report = parseJson(check);
    expect(report.problems).toContainEqual(expect.objectContaining({ level: "error", code: "MULTIPLE_HEADS", ids: ["20260102000000_left", "20260103000000_right"] }));
    expect((await runCli(["check"], { cwd: dir })).stdout).toContain("2 heads: 20260102000000_left, 20260103000000_right");
    const up = await runCli(["up"], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("MULTIPLE_HEADS");
    expect(up.stderr).toContain("strata merge");
    const merge = await runCli(["merge", "join_sides", "--json"], { cwd: dir });
    expect(merge.code).toBe(0);
    const created = parseJson(merge).created;
    expect(created.id).toMatch(/^\d{14}_join_sides$/);
    const text = readFileSync(join(dir, created.file), "utf8");
    expect(text).toContain('"20260102000000_left", "20260103000000_right"');
    expect((await runCli(["check"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
    const status = parseJson(await runCli(["status", "--json"], { cwd: dir }));
    expect(status.heads).toEqual([created.id]);
    expect(status.migrations.every((m: { state: string }) => m.state === "applied")).toBe(true);
  });

  it("in an all-SQL folder (or with --sql) merge writes a .sql migration; new under explicit says it merges the heads", async () => {
    const sql = (table: string, depends?: string) => `${depends ? `-- strata:depends ${depends}\n` : ""}-- migrate:up\ncreate table ${table} (id int);\n-- migrate:down\ndrop table ${table};\n`;
    const dir = await writeProject({
      "strata.config.json": JSON.stringify({ strategy: "explicit" }),
      "migrations/20260101000000_root.sql": sql("root_t"),
      "migrations/20260102000000_left.sql": sql("left_t", "20260101000000_root"),
      "migrations/20260103000000_right.sql": sql("right_t", "20260101000000_root"),
    });
    const created = parseJson(await runCli(["merge", "--json"], { cwd: dir })).created;
    expect(created.file).toMatch(/^migrations\/\d{14}_merge_heads\.sql$/);
    expect(readFileSync(join(dir, created.file), "utf8")).toContain("-- strata:depends 20260102000000_left\n-- strata:depends 20260103000000_right\n-- migrate:up");
    expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["down", "--all"], { cwd: dir })).code).toBe(0);

    // Two heads again: a new migration depends on both, and says so.
    await addFiles(dir, { "migrations/20991231000000_late.sql": sql("late_t", "20260101000000_root") });
    const made = await runCli(["new", "after_late"], { cwd: dir });
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/depends on the 2 heads \(\d{14}_merge_heads, 20991231000000_late\), so it merges them/);
  });

  it("merge with one head creates nothing; check warns about files that are not migrations and reports drift", async () => {
    const dir = await writeProject({ "migrations/20260101000000_root.ts": base["migrations/20260101000000_root.ts"], "migrations/notes.txt": "x" });
    const merge = await runCli(["merge"], { cwd: dir });
    expect(merge.stdout).toContain("Nothing to merge");
    expect(readdirSync(join(dir, "migrations"))).toHaveLength(2);
    expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
    await addFiles(dir, { "migrations/20260101000000_root.ts": migration("Root", `up() { Schema.createTable("root", [Schema.id(), Schema.string("x")]); }`) });
    const check = await runCli(["check", "--json"], { cwd: dir });
    expect(check.code).toBe(1);
    const problems = parseJson(check).problems;
    expect(problems).toContainEqual(expect.objectContaining({ level: "warning", code: "NOT_A_MIGRATION" }));
    expect(problems).toContainEqual(expect.objectContaining({ level: "error", code: "CHECKSUM_MISMATCH", ids: ["20260101000000_root"] }));
  });

  it("status and up warn about a .sql or .ts file whose name is not <version>_<name>, and skip it", async () => {
    const dir = await writeProject({ "migrations/20260101000000_root.ts": base["migrations/20260101000000_root.ts"], "migrations/create_x.sql": "-- migrate:up\nselect 1;\n", "migrations/types.d.ts": "", "migrations/notes.txt": "x" });
    for (const command of [["up"], ["status", "--json"]]) {
      const result = await runCli(command, { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/warning create_x\.sql in .* is not named <version>_<name>/);
      expect(result.stderr).not.toMatch(/types\.d\.ts|notes\.txt/);
    }
  });

  it("check on a broken graph reports the cycle and exits 1", async () => {
    const dir = await writeProject({
      "migrations/20260101000000_a.ts": migration("A", "up() {}", ["B"]),
      "migrations/20260102000000_b.ts": migration("B", "up() {}", ["A"]),
    });
    const check = await runCli(["check", "--json"], { cwd: dir });
    expect(check.code).toBe(1);
    expect(parseJson(check).problems[0]).toMatchObject({ level: "error", code: "DEPENDENCY_CYCLE" });
  });

  it("check loads every TypeScript migration: a syntax error or a missing Migration class is an error naming the file", async () => {
    const dir = await writeProject({
      "migrations/20260101000000_fine.ts": migration("Fine", "up() {}"),
      "migrations/20260102000000_broken.ts": 'import { Migration } from "strata";\nexport default class Broken extends Migration {\n  up() {\n',
      "migrations/20260103000000_plain.ts": "export default class Plain {\n  up() {}\n}\n",
    });
    const check = await runCli(["check", "--json"], { cwd: dir });
    expect(check.code).toBe(1);
    const problems = parseJson(check).problems as { level: string; ids?: string[]; message: string }[];
    expect(problems.filter((p) => p.level === "error").map((p) => p.ids)).toEqual([["20260102000000_broken"], ["20260103000000_plain"]]);
    for (const p of problems) expect(p.message).toMatch(/migrations\/2026010[23]000000_(broken|plain)\.ts/);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("under the timestamp strategy, version order already joins branches: merge writes nothing, as status shows one head", async () => {
    const dir = await writeProject({ "strata.config.json": "{}", ...base });
    const merge = await runCli(["merge"], { cwd: dir });
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain("Nothing to merge");
    expect(readdirSync(join(dir, "migrations"))).toHaveLength(3);
  });

  it("resolve --mark-rolled-back refuses a migration that applied migrations depend on, and changes nothing", async () => {
    const dir = await writeProject({ "strata.config.json": JSON.stringify({ strategy: "explicit" }), ...base, "migrations/20260104000000_join.ts": migration("Join", "up() {}", ["Left", "Right"]) });
    expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
    const refused = await runCli(["resolve", "20260101000000_root", "--mark-rolled-back"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("applied migrations depend on it: 20260102000000_left, 20260103000000_right");
    const status = parseJson(await runCli(["status", "--json"], { cwd: dir }));
    expect(status.migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "applied", "applied", "applied"]);
  });

  it("check fails (exit 1) when the applied migrations no longer replay on an empty database, before and after up", async () => {
    const sql = (up: string, down: string) => `-- migrate:up\n${up};\n-- migrate:down\n${down};\n`;
    const dir = await writeProject({
      "migrations/20260101000001_t.sql": sql("create table t (id int primary key, name text)", "drop table t"),
      "migrations/20260101000003_x.sql": sql("alter table t add column x int", "alter table t drop column x"),
    });
    expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
    // A merged branch brings an older migration that needs the newer one's column.
    await addFiles(dir, { "migrations/20260101000002_idx.sql": sql("create index t_x_idx on t (x)", "drop index t_x_idx") });
    for (const step of ["before up", "after up"]) {
      if (step === "after up") expect((await runCli(["up"], { cwd: dir })).code).toBe(0);
      const check = await runCli(["check", "--json"], { cwd: dir });
      expect(check.code, step).toBe(1);
      expect(parseJson(check).problems).toContainEqual(expect.objectContaining({ level: "error", code: "REPLAY_FAILED", message: expect.stringContaining("20260101000002_idx") }));
    }
  });
});

forEachDialect((dialect) => {
  describe("strata check: drift of the live schema", () => {
    it("is clean after up, and names the tables changed by hand (exit 1)", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(base);
      expect((await runCli(["up", "--url", db.url], { cwd: dir })).code).toBe(0);
      const clean = await runCli(["check", "--json", "--url", db.url], { cwd: dir });
      expect(clean.code, clean.stdout + clean.stderr).toBe(0);
      expect(parseJson(clean).problems).toEqual([]);

      const tables = (await tableNames(db.url)).filter((t) => !t.startsWith("migrations"));
      await query(db.url, `drop table ${tables[0]}`);
      await query(db.url, "create table made_by_hand (x integer)");
      await query(db.url, `alter table ${tables[1]} add column hack integer`);
      const drifted = await runCli(["check", "--json", "--url", db.url], { cwd: dir });
      expect(drifted.code).toBe(1);
      const problems = parseJson(drifted).problems as { code: string; message: string }[];
      expect(problems.map((p) => p.code)).toEqual(["SCHEMA_DRIFT", "SCHEMA_DRIFT", "SCHEMA_DRIFT"]);
      expect(problems.map((p) => p.message).join(" ")).toContain(`Table "${tables[1]}" in the database differs from what the applied migrations make: extra column "hack".`);
      expect(problems.map((p) => p.message).join(" ")).toContain(`Table "${tables[0]}" is made by the applied migrations, but the database has none`);
      expect(problems.map((p) => p.message).join(" ")).toContain(`Table "made_by_hand" is in the database, but no applied migration makes it`);
    });
  });

  describe("strata verify", () => {
    it("round-trips pending migrations on a scratch database and leaves the real one untouched", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(base);
      expect((await runCli(["up", "--to", "20260102000000_left", "--url", db.url], { cwd: dir })).code).toBe(0);
      const before = await tableNames(db.url);
      const ok = await runCli(["verify", "--json", "--url", db.url], { cwd: dir });
      expect(ok.code).toBe(0);
      expect(parseJson(ok)).toMatchObject({ ok: true, verified: ["20260103000000_right"] });
      expect(await tableNames(db.url)).toEqual(before);
      await addFiles(dir, { "migrations/20260104000000_bad_down.ts": migration("BadDown", `up() { Schema.createTable("things", [Schema.id()]); }\n  down() {}`) });
      const bad = await runCli(["verify", "--json", "--url", db.url], { cwd: dir });
      expect(bad.code).toBe(1);
      const result = parseJson(bad);
      expect(result.ok).toBe(false);
      expect(result.differences.join(" ")).toContain("things");
      expect(await tableNames(db.url)).toEqual(before);
    });

    it("checks each pending migration on its own: a later down() cannot hide an earlier one's leftovers", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_good.ts": migration("Good", `up() { Schema.createTable("vg", [Schema.id()]); }\n  down() { Schema.dropTable("vg"); }`),
        // down() forgets the column: dropping vg in Good's down() would hide it in a round trip over both.
        "migrations/20260102000000_bad.ts": migration("Bad", `up() {\n    Schema.addColumn("vg", Schema.integer("extra", { nullable: true }));\n    Schema.createIndex("vg", ["extra"]);\n  }\n  down() { Schema.dropIndex("vg", ["extra"]); }`),
      });
      const result = await runCli(["verify", "--json", "--url", db.url], { cwd: dir });
      expect(result.code).toBe(1);
      const json = parseJson(result);
      expect(json).toMatchObject({ ok: false, verified: ["20260101000000_good", "20260102000000_bad"] });
      expect(json.differences.join(" ")).toMatch(/20260102000000_bad, after down: table "vg" differs: extra column "extra"/);
      expect(json.differences.join(" ")).not.toContain("20260101000000_good");
    });
  });
});
