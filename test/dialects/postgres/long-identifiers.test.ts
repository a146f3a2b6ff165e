import { describe, expect, it } from "vitest";
import { longIdentifiers } from "../../../src/dialects/postgres/identifiers.ts";
import { forEachDialect, testDatabase } from "../../helpers/databases.ts";
import { tableNames } from "../../helpers/dump.ts";
import { writeProject } from "../../helpers/project.ts";
import { expectExit, migration, strata } from "../../cli/fixtures.ts";

const LONG = `t${"x".repeat(69)}`; // 70 bytes: PostgreSQL would keep 63 of them

describe("longIdentifiers (PostgreSQL names over 63 bytes in SQL text)", () => {
  it("finds words and quoted names, not strings, comments or dollar-quoted bodies", () => {
    expect(longIdentifiers(`create table ${LONG} (id int)`, 63)).toEqual([LONG]);
    expect(longIdentifiers(`alter table t add column "${LONG} ""q""" int`, 63)).toEqual([`${LONG} "q"`]);
    // 22 three-byte characters: 66 bytes in 22 characters.
    expect(longIdentifiers(`create table ${"表".repeat(22)} (id int)`, 63)).toEqual(["表".repeat(22)]);
    expect(longIdentifiers(`create table "${"表".repeat(21)}" (id int)`, 63)).toEqual([]);
    const text = [
      `insert into t values ('${LONG}', E'it\\'s ${LONG}')`,
      `-- ${LONG}`,
      `/* outer /* ${LONG} */ still a comment ${LONG} */ select 1`,
      `create function f() returns text as $body$ select '${LONG}' $body$ language sql`,
      `do $$ begin raise notice '${LONG}'; end $$`,
      `select $1::text, ${"y".repeat(63)}`,
      `select 1 as U&"${"\\0061".repeat(16)}"`,
    ].join(";\n");
    expect(longIdentifiers(text, 63)).toEqual([]);
  });
});

forEachDialect(() => {
  describe("a name PostgreSQL would cut, in raw SQL", () => {
    it("is refused before it runs: exit 1, the name and the migration in the message, nothing created", async () => {
      const db = await testDatabase("postgres");
      const dir = await writeProject({
        "migrations/20260101000000_keep.sql": "-- migrate:up\ncreate table kept (id int);\n-- migrate:down\ndrop table kept;\n",
        "migrations/20260102000000_long.sql": `-- migrate:up\ncreate table fine (id int);\ncreate table ${LONG} (id int);\n-- migrate:down\n`,
      });
      const sql = await strata(dir, ["up", "--url", db.url]);
      expectExit(sql, 1);
      expect(sql.stderr).toContain("20260102000000_long");
      expect(sql.stderr).toContain(LONG);
      expect(await tableNames(db.url)).not.toContain("fine");
      expect((await tableNames(db.url)).some((t) => t.startsWith("txxx"))).toBe(false);

      const raw = await writeProject({ "migrations/20260103000000_raw.ts": migration("Raw", `up() {\n    Schema.raw(${JSON.stringify(`create table ${LONG} (id int)`)});\n  }\n  down() {}`) });
      const other = await testDatabase("postgres");
      const ts = await strata(raw, ["up", "--url", other.url]);
      expectExit(ts, 1);
      expect(ts.stderr).toContain("20260103000000_raw");
      expect(ts.stderr).toContain(LONG);
      expect((await tableNames(other.url)).filter((t) => !t.startsWith("migrations"))).toEqual([]);
    });
  });
}, ["postgres"]);
