import { expect, inject, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit } from "../cli/fixtures.ts";
import { installBinary, runBinary } from "./sandbox.ts";

/** Row counts as the compiled (minified) binary reads them from each driver. */
forEachDialect((dialect) => {
  it("counts the rows a { set } transform and this.db.update() change", async () => {
    const db = await testDatabase(dialect);
    const dir = await writeProject({
      "strata.config.ts": `export default { url: ${JSON.stringify(db.url)} };\n`,
      "migrations/20260101000000_acc.ts": `import { Migration, Schema } from "strata";
export default class Acc extends Migration {
  async up() {
    Schema.createTable("acc", [Schema.id(), Schema.integer("n", { default: 0 })]);
    await this.db.table("acc").insertMany(Array.from({ length: 600 }, () => ({ n: 0 })));
    const updated = await this.db.table("acc").where("id", "<=", 10).update({ n: 5 });
    await this.db.table("acc").insert({ n: updated === 10 ? -1 : -2 });
  }
}
`,
      "migrations/20260102000000_bump.ts": `import { Migration } from "strata";
export default class Bump extends Migration {
  async up() {
    await this.transform("acc", { batchSize: 250 }, { set: { n: "n + 1" } });
  }
}
`,
    });
    const bin = installBinary(inject("binary"), dir);
    expectExit(await runBinary(bin, dir, ["up"]), 0);
    // The last row is -1 when update() said 10 (-2 otherwise); the transform then added one to every row.
    expect(await query(db.url, "select n from acc where id = 601")).toEqual([{ n: 0 }]);
    const status = await runBinary(bin, dir, ["transform", "status", "--json"]);
    expectExit(status, 0);
    expect(parseJson<{ transforms: { rowsDone: number; rowsTotal: number }[] }>(status).transforms).toMatchObject([{ rowsDone: 601, rowsTotal: 601 }]);
  });
});
