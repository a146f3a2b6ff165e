import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverMigrations, readModuleMetadata } from "../../src/core/discover.ts";
import { writeProject } from "../helpers/project.ts";

describe("readModuleMetadata (no execution)", () => {
  it("reads the class name and literal dependencies", () => {
    expect(readModuleMetadata(`import { Migration } from "strata";\nexport default class AddProfile extends Migration {\n  dependencies = ["CreateUsers", '20260101000000_x'];\n  up() {}\n}`)).toEqual({ className: "AddProfile", dependencies: ["CreateUsers", "20260101000000_x"] });
  });

  it("reads a class exported by name at the bottom and ignores commented dependencies", () => {
    expect(readModuleMetadata(`class A extends Migration {\n  // dependencies = ["X"]\n  up() {}\n}\nexport default A;\n`)).toEqual({ className: "A", dependencies: [] });
  });

  it("gives up (undefined) when dependencies are computed", () => {
    expect(readModuleMetadata(`export default class A extends Migration {\n  dependencies = [OTHER_ID];\n}`).dependencies).toBeUndefined();
    expect(readModuleMetadata(`export default class A extends Migration {\n  get dependencies() { return ["X"]; }\n}`).dependencies).toBeUndefined();
  });
});

describe("discoverMigrations", () => {
  it("reads ids, versions, checksums; ignores files that are not migrations", async () => {
    const dir = await writeProject({
      "migrations/20260101000000_create_users.sql": "-- migrate:up\r\ncreate table users (id int);\r\n-- migrate:down\r\ndrop table users;\r\n",
      "migrations/20260102000000_add_profiles.ts": `export default class AddProfiles extends Migration { dependencies = ["20260101000000_create_users"]; up() {} }`,
      "migrations/README.md": "notes",
      "migrations/helpers.ts": "export const x = 1;",
      "migrations/types.d.ts": "export {};",
    });
    const { migrations, ignored } = discoverMigrations(`${dir}/migrations`, dir);
    expect(migrations.map((m) => [m.id, m.version, m.name, m.kind, m.className])).toEqual([
      ["20260101000000_create_users", "20260101000000", "create_users", "sql", undefined],
      ["20260102000000_add_profiles", "20260102000000", "add_profiles", "module", "AddProfiles"],
    ]);
    expect(migrations[1].dependencies).toEqual(["20260101000000_create_users"]);
    expect(migrations[0].displayFile).toBe("migrations/20260101000000_create_users.sql");
    expect(ignored.sort()).toEqual(["README.md", "helpers.ts", "types.d.ts"]);
  });

  it("orders by id whatever the file names' order, follows a symbolic link and skips a folder", async () => {
    const sql = "-- migrate:up\nselect 1;\n";
    const dir = await writeProject({
      "migrations/1_a-b.sql": sql,
      "migrations/1_a.sql": sql,
      "migrations/2_b.sql": sql,
      "migrations/3_folder.sql/x.sql": sql,
      "elsewhere/linked.sql": sql,
      "migrations/notes/readme.md": "",
    });
    symlinkSync(join(dir, "elsewhere/linked.sql"), join(dir, "migrations/4_linked.sql"));
    const { migrations, ignored } = discoverMigrations(`${dir}/migrations`, dir);
    // "1_a-b.sql" sorts before "1_a.sql" by name, but id "1_a" comes before "1_a-b".
    expect(migrations.map((m) => m.id)).toEqual(["1_a", "1_a-b", "2_b", "4_linked"]);
    expect(ignored).toEqual([]);

    // A link to nothing is an error naming it, not a migration silently left out.
    symlinkSync(join(dir, "elsewhere/gone.sql"), join(dir, "migrations/5_dangling.sql"));
    expect(() => discoverMigrations(`${dir}/migrations`, dir)).toThrow(/migrations\/5_dangling\.sql .*cannot be read \(ENOENT/);
  });

  it("takes any file name that starts with digits, as dbmate does", async () => {
    const sql = "-- migrate:up\nselect 1;\n";
    const dir = await writeProject({ "migrations/0001-init.sql": sql, "migrations/0002.add.users.sql": sql, "migrations/20240101.sql": sql, "migrations/v3_later.sql": sql });
    const { migrations, ignored } = discoverMigrations(`${dir}/migrations`, dir);
    expect(migrations.map((m) => [m.id, m.version, m.name])).toEqual([
      ["0001-init", "0001", "init"],
      ["0002.add.users", "0002", "add.users"],
      ["20240101", "20240101", "20240101"],
    ]);
    expect(ignored).toEqual(["v3_later.sql"]);
  });

  it("rejects a .sql file without markers, naming the file", async () => {
    const dir = await writeProject({ "migrations/20260101000000_broken.sql": "create table x (id int);" });
    expect(() => discoverMigrations(`${dir}/migrations`, dir)).toThrow(/migrations\/20260101000000_broken\.sql is malformed/);
  });
});
