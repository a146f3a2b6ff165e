import { describe, expect, it } from "vitest";
import { testDatabase } from "../helpers/databases.ts";
import { tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, migration, statusJson, strata } from "./fixtures.ts";

describe("migration properties written as getters", () => {
  it("are read: a computed dependency orders the migration after it", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({
      // Older version, but it depends on the newer one through a getter.
      "migrations/20260101000000_b.ts": migration("B", `get dependencies() {\n    return ["C"];\n  }\n  up() {\n    Schema.raw("create table b as select * from c", "drop table b");\n  }`),
      "migrations/20260102000000_c.ts": migration("C", `up() {\n    Schema.createTable("c", [Schema.id()]);\n  }`),
    });
    expect((await statusJson(dir, ["--url", db.url])).migrations.map((m) => m.id)).toEqual(["20260102000000_c", "20260101000000_b"]);
    expectExit(await strata(dir, ["up", "--url", db.url]), 0);
    expect((await tableNames(db.url)).filter((t) => !t.startsWith("migrations"))).toEqual(["b", "c"]);
  });
});
