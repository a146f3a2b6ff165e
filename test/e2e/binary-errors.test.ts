import { expect, inject, it } from "vitest";
import { writeProject } from "../helpers/project.ts";
import { expectExit } from "../cli/fixtures.ts";
import { installBinary, runBinary } from "./sandbox.ts";

it("a TypeScript migration the binary cannot transpile is named with each error's line and column", async () => {
  const dir = await writeProject({
    "migrations/20260101000000_broken.ts": `import { Migration, Schema } from "strata";\nexport default class Broken extends Migration { up() { Schema.raw("select 1" } }\n`,
  });
  const bin = installBinary(inject("binary"), dir);
  for (const command of ["up", "check"]) {
    const result = await runBinary(bin, dir, [command]);
    expectExit(result, 1);
    const output = result.stdout + result.stderr;
    expect(output).toContain("migrations/20260101000000_broken.ts");
    expect(output).toMatch(/20260101000000_broken\.ts:2:\d+: Expected "\)" but found "}"/);
    expect(output).not.toContain("strata-version");
  }
});
