import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { parseJson, REPO_ROOT } from "../helpers/cli.ts";
import { query } from "../helpers/dump.ts";
import { expectExit, type StatusJson } from "../cli/fixtures.ts";
import { installBinary, nodeOnPath, nodeProjectAbove, runBinary, whichInSandbox } from "./sandbox.ts";

function emptyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-e2e-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("the binary alone in an empty folder", () => {
  it("runs with neither node nor bun on PATH (they are on this process's PATH)", () => {
    expect(nodeOnPath().length).toBeGreaterThan(0);
    expect(whichInSandbox(["node", "nodejs", "bun", "deno", "npx"])).toEqual([]);
    expect(whichInSandbox(["sh", "pg_dump", "mariadb-dump"]).length).toBe(3);
  });

  it("--version shows the version, the commit it was built from and the build target", async () => {
    const dir = emptyFolder();
    const bin = installBinary(inject("binary"), dir);
    const text = await runBinary(bin, dir, ["--version"]);
    expectExit(text, 0);
    const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;
    expect(text.stdout.trim()).toMatch(new RegExp(`^strata ${version.replace(/\./g, "\\.")} \\([0-9a-f]{12}\\) bun-(linux|darwin|windows)-(x64|arm64)\\S*$`));
    const info = parseJson<{ version: string; commit: string; target: string }>(await runBinary(bin, dir, ["--version", "--json"]));
    expect(info.version).toBe(version);
    expect(info.commit).toMatch(/^[0-9a-f]{40}$/);
    if (inject("builtCommit")) expect(info.commit).toBe(inject("builtCommit"));
    expect(info.target).toBe(`bun-${process.platform}-${process.arch}`);
    expect(text.stdout).toContain(info.commit.slice(0, 12));
  });

  it("init, new, new --sql, up, status and --env work on the embedded default SQLite, no package.json anywhere", async () => {
    const dir = emptyFolder();
    expect(nodeProjectAbove(dir)).toEqual([]);
    const bin = installBinary(inject("binary"), dir);
    const strata = (...args: string[]) => runBinary(bin, dir, args);

    const help = await strata("--help");
    expectExit(help, 0);
    for (const command of ["init", "new", "up", "down", "status", "history", "seed", "resolve", "backup", "restore", "plugins", "transform"]) expect(help.stdout).toContain(command);

    expectExit(await strata("init"), 0);
    expect(readdirSync(dir).sort()).toEqual(["migrations", "seeders", "strata", "strata.config.ts"]);
    expect(readFileSync(join(dir, "strata.config.ts"), "utf8")).toContain('from "strata"');

    expectExit(await strata("new", "create_widgets"), 0);
    const created = parseJson<{ id: string; file: string }>(await strata("new", "add_widget_index", "--sql", "--json"));
    const files = readdirSync(join(dir, "migrations")).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^\d{14}_create_widgets\.ts$/);
    expect(files[1]).toBe(`${created.id}.sql`);
    expect(created.id).toMatch(/^\d{14}_add_widget_index$/);
    expect(readFileSync(join(dir, "migrations", files[0]), "utf8")).toContain("class CreateWidgets extends Migration");

    // The templates as written apply (an empty .sql up section included), then filled in ones.
    expectExit(await strata("up"), 0);
    expectExit(await strata("down", "--all"), 0);
    writeFileSync(join(dir, "migrations", files[0]), `import { Migration, Schema } from "strata";

export default class CreateWidgets extends Migration {
  up() {
    Schema.createTable("widgets", [Schema.id(), Schema.string("name"), Schema.timestamps()]);
  }
}
`);
    writeFileSync(join(dir, "migrations", files[1]), "-- migrate:up\ncreate index widgets_name on widgets (name);\n\n-- migrate:down\ndrop index widgets_name;\n");
    expectExit(await strata("up"), 0);
    const status = parseJson<StatusJson>(await strata("status", "--json"));
    expect(status.migrations.map((m) => [m.name, m.state])).toEqual([["create_widgets", "applied"], ["add_widget_index", "applied"]]);

    // init's config: development is ./data/app_dev.db; testing is another database.
    expect(readdirSync(join(dir, "data"))).toEqual(["app_dev.db"]);
    expect(await query(`file:${join(dir, "data", "app_dev.db")}`, "select name from sqlite_master where name = 'widgets_name'")).toEqual([{ name: "widgets_name" }]);
    const testing = parseJson<StatusJson>(await strata("status", "--json", "--env", "testing"));
    expect(testing.migrations.map((m) => m.state)).toEqual(["pending", "pending"]);
  });
});
