import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.ts";

/**
 * bin/strata-lib.mjs and bin/strata-plugins-lib.mjs (package.json "exports" for Node) list
 * the public names one by one: they must be exactly src/index.ts's and plugins/index.ts's
 * runtime exports, the very same objects.
 */
function compare(entry: string, source: string): { entry: string[]; source: string[]; different: string[] } {
  const script = `
    const entry = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, entry)).href)});
    const source = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, source)).href)});
    const names = (m) => Object.keys(m).sort();
    console.log(JSON.stringify({ entry: names(entry), source: names(source), different: names(entry).filter((k) => entry[k] !== source[k]) }));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node exited ${result.status}:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe("the package's Node entries", () => {
  it("bin/strata-lib.mjs re-exports every runtime export of src/index.ts, the same objects", () => {
    const { entry, source, different } = compare("bin/strata-lib.mjs", "src/index.ts");
    expect(entry).toEqual(source);
    expect(entry).toContain("Migrator");
    expect(different).toEqual([]);
  });

  it("bin/strata-plugins-lib.mjs re-exports every runtime export of plugins/index.ts", () => {
    const { entry, source, different } = compare("bin/strata-plugins-lib.mjs", "plugins/index.ts");
    expect(entry).toEqual(source);
    expect(different).toEqual([]);
  });
});
