import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, statusJson, strata } from "./fixtures.ts";

const NEW_FILE = /^Created (migrations\/(\d{14})_([a-z0-9_]+)\.(ts|sql))$/m;

function created(stdout: string): { path: string; version: string; name: string; ext: string } {
  const m = NEW_FILE.exec(stdout);
  if (!m) throw new Error(`no "Created migrations/..." line in:\n${stdout}`);
  return { path: m[1], version: m[2], name: m[3], ext: m[4] };
}

describe("strata init", () => {
  it("scaffolds strata.config.ts, migrations/ and seeders/, and a second run changes nothing", async () => {
    const dir = await writeProject({});
    const first = await strata(dir, ["init"]);
    expectExit(first, 0);
    expect(readFileSync(join(dir, "strata.config.ts"), "utf8")).toMatch(/export default defineConfig\(/);
    expect(statSync(join(dir, "migrations")).isDirectory()).toBe(true);
    expect(statSync(join(dir, "seeders")).isDirectory()).toBe(true);

    // The user's own edits survive a second init.
    const edited = `${readFileSync(join(dir, "strata.config.ts"), "utf8")}// edited by hand\n`;
    writeFileSync(join(dir, "strata.config.ts"), edited);
    const second = await strata(dir, ["init"]);
    expectExit(second, 0);
    expect(readFileSync(join(dir, "strata.config.ts"), "utf8")).toBe(edited);
    expect(readdirSync(dir).sort()).toEqual(["migrations", "seeders", "strata.config.ts"]);
    expect(second.stdout).toMatch(/already/i);
  });
});

describe("strata new", () => {
  it("a second migration of the same name gets a class name of its own, so both apply", async () => {
    const dir = await writeProject({});
    const first = created((await strata(dir, ["new", "add_index"])).stdout);
    const second = created((await strata(dir, ["new", "add_index"])).stdout);
    expect(readFileSync(join(dir, first.path), "utf8")).toContain("export default class AddIndex extends Migration");
    expect(readFileSync(join(dir, second.path), "utf8")).toContain(`export default class AddIndex${second.version} extends Migration`);
    expectExit(await strata(dir, ["up"]), 0);
    const status = await statusJson(dir);
    expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[`${first.version}_add_index`, "applied"], [`${second.version}_add_index`, "applied"]]);
    expect(status.heads).toEqual([`${second.version}_add_index`]);
  });

  it("under the explicit strategy a new migration depends on the current head, so up runs without a merge", async () => {
    const dir = await writeProject({ "strata.config.mjs": 'export default { strategy: "explicit" };\n' });
    const a = created((await strata(dir, ["new", "first"])).stdout);
    const b = created((await strata(dir, ["new", "second"])).stdout);
    const c = created((await strata(dir, ["new", "third", "--sql"])).stdout);
    expect(readFileSync(join(dir, a.path), "utf8")).not.toContain("dependencies");
    expect(readFileSync(join(dir, b.path), "utf8")).toContain(`dependencies = ["${a.version}_first"];`);
    expect(readFileSync(join(dir, c.path), "utf8")).toMatch(new RegExp(`^-- strata:depends ${b.version}_second$`, "m"));
    expectExit(await strata(dir, ["check"]), 0);
    expectExit(await strata(dir, ["up"]), 0);
    const status = await statusJson(dir);
    expect(status.migrations.every((m) => m.state === "applied")).toBe(true);
    expect(status.heads).toEqual([`${c.version}_third`]);
  });

  it("creates a TypeScript migration with a fresh UTC version and a PascalCase class", async () => {
    const dir = await writeProject({});
    const result = await strata(dir, ["new", "add_things"]);
    expectExit(result, 0);
    const file = created(result.stdout);
    expect(file).toMatchObject({ name: "add_things", ext: "ts" });
    expect(readdirSync(join(dir, "migrations"))).toEqual([`${file.version}_add_things.ts`]);
    const v = file.version;
    const when = Date.UTC(+v.slice(0, 4), +v.slice(4, 6) - 1, +v.slice(6, 8), +v.slice(8, 10), +v.slice(10, 12), +v.slice(12, 14));
    expect(Math.abs(when - Date.now())).toBeLessThan(10 * 60_000);
    const text = readFileSync(join(dir, file.path), "utf8");
    expect(text).toMatch(/export default class AddThings extends Migration\b/);
    expect(text).toMatch(/from "strata"/);
  });

  it("--sql creates a .sql file with the -- migrate:up and -- migrate:down markers", async () => {
    const dir = await writeProject({});
    const result = await strata(dir, ["new", "backfill", "--sql"]);
    expectExit(result, 0);
    const file = created(result.stdout);
    expect(file).toMatchObject({ name: "backfill", ext: "sql" });
    const lines = readFileSync(join(dir, file.path), "utf8").split("\n").map((l) => l.trim());
    expect(lines).toContain("-- migrate:up");
    expect(lines).toContain("-- migrate:down");
    expect(lines.indexOf("-- migrate:up")).toBeLessThan(lines.indexOf("-- migrate:down"));
  });

  it("gives each new migration a version after the newest one, even within the same second", async () => {
    // A migration dated in the future: every `new` must still sort after it, one after another.
    const dir = await writeProject({ "migrations/20991231235900_future.sql": "-- migrate:up\n-- migrate:down\n" });
    const first = created((await strata(dir, ["new", "first"])).stdout);
    const second = created((await strata(dir, ["new", "second", "--sql"])).stdout);
    expect(first.version > "20991231235900").toBe(true);
    expect(second.version > first.version).toBe(true);
    expect(readdirSync(join(dir, "migrations")).sort()).toEqual(["20991231235900_future.sql", `${first.version}_first.ts`, `${second.version}_second.sql`]);
  });

  it("files made by init and new run with up and roll back with down", async () => {
    const dir = await writeProject({});
    expectExit(await strata(dir, ["init"]), 0);
    const ts = created((await strata(dir, ["new", "create_things"])).stdout);
    const sql = created((await strata(dir, ["new", "create_more", "--sql"])).stdout);
    expect(sql.version > ts.version).toBe(true);

    // Fill in the templates as a user would: uncomment the example, write the SQL.
    const tsPath = join(dir, ts.path);
    const template = readFileSync(tsPath, "utf8");
    expect(template).toMatch(/\/\/ Schema\.createTable\("things"/);
    writeFileSync(tsPath, template.replace(/\/\/ (Schema\.createTable\("things")/, "$1"));
    const sqlPath = join(dir, sql.path);
    writeFileSync(sqlPath, readFileSync(sqlPath, "utf8").replace("-- migrate:up\n", "-- migrate:up\ncreate table more_things (id integer primary key);\n").replace("-- migrate:down\n", "-- migrate:down\ndrop table more_things;\n"));

    expectExit(await strata(dir, ["up"]), 0);
    const status = await statusJson(dir);
    expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[`${ts.version}_create_things`, "applied"], [`${sql.version}_create_more`, "applied"]]);
    // init's config names the development database "app_dev": a SQLite file under ./data/.
    const url = `file:${join(dir, "data", "app_dev.db")}`;
    expect(existsSync(join(dir, "data", "app_dev.db"))).toBe(true);
    expect(await tableNames(url)).toEqual(expect.arrayContaining(["things", "more_things"]));

    expectExit(await strata(dir, ["down"]), 0);
    const left = await tableNames(url);
    expect(left).not.toContain("things");
    expect(left).not.toContain("more_things");
  });
});
