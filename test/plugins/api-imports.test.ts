import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.ts";

const PLUGINS = join(REPO_ROOT, "plugins");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const re of [/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/g, /(?:^|\n)\s*import\s*["']([^"']+)["']/g, /\bimport\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return found;
}

describe("built-in plugins use only the public API", () => {
  it('plugins/** imports only "strata", node: built-ins and files inside plugins/', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(PLUGINS)) {
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (spec === "strata" || spec.startsWith("node:")) continue;
        if (spec.startsWith(".") && (resolve(file, "..", spec) + sep).startsWith(PLUGINS + sep)) continue;
        wrong.push(`${relative(REPO_ROOT, file)} imports "${spec}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the checker sees imports of each form", () => {
    expect(specifiers(`import { a } from "strata";\nimport type { B } from "../../src/x.ts";\nexport { c } from "./c.ts";\nimport "node:fs";\nconst m = await import("mysql2");\n`)).toEqual(
      expect.arrayContaining(["strata", "../../src/x.ts", "./c.ts", "node:fs", "mysql2"]),
    );
  });
});
