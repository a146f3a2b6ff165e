import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, migration, strata } from "./fixtures.ts";

describe("--dry-run of several changes to one table (SQLite rebuilds)", () => {
  it("never prints a rebuild compiled from the table as it was before the migration's earlier changes", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({
      "migrations/20260101000000_child.ts": migration("Child", `up() {\n    Schema.createTable("child", [Schema.id(), Schema.integer("qty"), Schema.string("label")]);\n  }`),
    });
    expectExit(await strata(dir, ["up", "--url", db.url]), 0);
    await addFiles(dir, {
      "migrations/20260102000000_reshape.ts": migration(
        "Reshape",
        `up() {
    Schema.addColumn("child", Schema.string("nickname", { nullable: true }));
    Schema.renameColumn("child", "label", "title");
    Schema.addCheck("child", "qty_pos", "qty > 0");
  }
  down() {}`,
      ),
    });
    const before = await snapshot(db.url);
    const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
    expectExit(dry, 0);
    // The first change is exact; the check's rebuild depends on it, so it is a note, not
    // SQL copying "label" into a table without "nickname".
    expect(dry.stdout).toMatch(/alter table "child" add column "nickname"/i);
    expect(dry.stdout).toContain(`"child" is changed by an earlier operation of this migration`);
    expect(dry.stdout).not.toMatch(/create table "[^"]*child[^"]*" \([^)]*"label"/i);
    expect(await snapshot(db.url)).toEqual(before);

    expectExit(await strata(dir, ["up", "--url", db.url]), 0);
    const child = (await snapshot(db.url)).schema.tables.find((t) => t.name === "child")!;
    expect(child.columns.map((c) => c.name)).toEqual(["id", "qty", "title", "nickname"]);
    expect(child.checks.map((c) => c.name)).toEqual(["qty_pos"]);
  });
});

forEachDialect((dialect) => {
  describe("--dry-run of several changes to one table, where columns alter in place", () => {
    it("prints every statement: nothing there depends on a rebuild", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_people.ts": migration("People", `up() {\n    Schema.createTable("people", [Schema.id(), Schema.string("email", { unique: true })]);\n  }`),
      });
      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      await addFiles(dir, {
        "migrations/20260102000000_more.ts": migration(
          "More",
          `up() {\n    Schema.addColumn("people", Schema.string("nick", { nullable: true }));\n    Schema.createIndex("people", ["nick"]);\n    Schema.dropUnique("people", ["email"]);\n  }\n  down() {}`,
        ),
      });
      const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(dry, 0);
      expect(dry.stdout).not.toContain("compiled when earlier statements have run");
      expect(dry.stdout).toMatch(/people_email_key/);
    });
  });
}, ["postgres", "mysql"]);

forEachDialect((dialect) => {
  describe("--dry-run of a drop by columns whose index an earlier migration of the plan creates", () => {
    it("shows a note instead of a guessed name; the real run drops the right indexes", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({
        "migrations/20260101000000_big.ts": migration("Big", `up() {\n    Schema.createTable("big", [Schema.id(), Schema.integer("a"), Schema.integer("b"), Schema.string("s", { length: 40 })]);\n  }`),
        "migrations/20260102000000_indexes.ts": migration("Indexes", `up() {\n    Schema.createIndex("big", ["a", "b"], { unique: true, name: "big_ab" });\n    Schema.createIndex("big", ["s"], { unique: true });\n  }`),
        "migrations/20260103000000_drop.ts": migration("Drop", `up() {\n    Schema.dropIndex("big", ["s"]);\n    Schema.dropIndex("big", ["a", "b"]);\n  }\n  down() {}`),
      });
      const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(dry, 0);
      expect(dry.stdout).toMatch(/-- DropIndex: compiled when earlier statements have run \(nothing on big \(s\) exists yet/);
      expect(dry.stdout).not.toMatch(/drop index[^\n]*big_(s|a_b)_idx/i);

      expectExit(await strata(dir, ["up", "--url", db.url]), 0);
      expect((await snapshot(db.url)).schema.tables.find((t) => t.name === "big")!.indexes).toEqual([]);
    });
  });
});
