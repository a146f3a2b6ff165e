import { describe, expect, it } from "vitest";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot, tableNames } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, states, statusJson, strata } from "../cli/fixtures.ts";
import { migrationFile, TRANSFORMS_TABLE, CHUNKS_TABLE, usersMigration } from "./fixtures.ts";

const CREATE = "20260101000000_create_users";
const HASH = "20260102000000_hash";
const SET = "20260103000000_set";

const files = (dialect: Parameters<typeof usersMigration>[0]) => ({
  [`migrations/${CREATE}.ts`]: usersMigration(dialect, 50),
  [`migrations/${HASH}.ts`]: migrationFile(
    "Hash",
    `  async up() {
    await this.transform("users", { columns: ["email", "counter"], batchSize: 10, workers: 2 }, "hash");
  }
  hash(row: { email: string; counter: number }) {
    return { email_hash: "h:" + row.email, counter: row.counter + 1 };
  }`,
  ),
  [`migrations/${SET}.ts`]: migrationFile(
    "SetCounter",
    `  async up() {
    await this.transform("users", { batchSize: 10 }, { set: { counter: "counter + 100" } });
  }`,
  ),
});

forEachDialect((dialect) => {
  describe("up --dry-run with a transform", () => {
    it("runs the row function on a sample and prints before and after, writing nothing", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(files(dialect));
      expectExit(await strata(dir, ["up", "--to", CREATE, "--url", db.url]), 0);
      const before = await snapshot(db.url);

      const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(dry, 0);
      // A sample of the first rows, each before and after the row function.
      for (const n of [1, 2, 3]) {
        expect(dry.stdout).toContain(`"email":"user${n}@example.com","counter":0`);
        expect(dry.stdout).toContain(`-> {"email_hash":"h:user${n}@example.com","counter":1}`);
      }
      expect(dry.stdout).not.toContain("user40@example.com");
      // { set } shows its SQL.
      expect(dry.stdout).toMatch(/counter.{0,3} = counter \+ 100/);

      // Nothing written: same schema and rows, no transform state tables, migrations pending.
      expect(await snapshot(db.url)).toEqual(before);
      const tables = await tableNames(db.url);
      expect(tables).not.toContain(TRANSFORMS_TABLE);
      expect(tables).not.toContain(CHUNKS_TABLE);
      expect(states(await statusJson(dir, ["--url", db.url]))).toEqual({ [CREATE]: "applied", [HASH]: "pending", [SET]: "pending" });
    });

    it("on a table an earlier pending migration creates: no sample, a note, exit 0", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject(files(dialect));
      const dry = await strata(dir, ["up", "--dry-run", "--url", db.url]);
      expectExit(dry, 0);
      expect(dry.stdout).toContain(`transform ${HASH}.users`);
      expect(dry.stdout).toContain(`no sample: "users" not created yet`);
      expect(await tableNames(db.url)).not.toContain("users");
    });
  });
});
