import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/cli.ts";

/**
 * STYLE.md's dependency direction, read from the import lines of src/: a folder imports
 * only from folders listed before it; drivers only in their dialect's driver.ts; runtime
 * specifics only in runtime/.
 */
const LAYERS: [string, number][] = [
  ["util/", 1], ["errors.ts", 1], ["runtime/", 2], ["schema/", 3], ["hooks/", 4], ["dialects/", 5],
  ["config/", 6], ["transform/", 7], ["core/", 8], ["cli/", 9], ["index.ts", 9],
];
const SRC = join(REPO_ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith(".ts") ? [full] : [];
  });
}

const layerOf = (file: string) => {
  const rel = relative(SRC, file).replace(/\\/g, "/");
  const found = LAYERS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  if (!found) throw new Error(`${rel} is in no layer of STYLE.md`);
  return found[1];
};

const importsOf = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);

describe("architecture", () => {
  const sources = files(SRC);

  it("imports only point to earlier layers", () => {
    const wrong: string[] = [];
    for (const file of sources) {
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = resolve(dirname(file), spec);
        if (layerOf(target) > layerOf(file)) wrong.push(`${relative(SRC, file)} -> ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a dialect folder never imports another dialect or the engine, and drivers load only in driver.ts", () => {
    const wrong: string[] = [];
    for (const file of sources) {
      const rel = relative(SRC, file).replace(/\\/g, "/");
      const text = readFileSync(file, "utf8");
      const dialect = /^dialects\/(postgres|mysql|sqlite)\//.exec(rel)?.[1];
      for (const spec of importsOf(text)) {
        if (/^(postgres|mysql2(\/.*)?|@libsql\/client(\/.*)?)$/.test(spec) && !/^dialects\/(postgres|mysql|sqlite)\/driver\.ts$/.test(rel)) wrong.push(`${rel} imports ${spec}`);
        if (dialect && spec.startsWith(".")) {
          const target = relative(SRC, resolve(dirname(file), spec)).replace(/\\/g, "/");
          const other = /^dialects\/(postgres|mysql|sqlite)\//.exec(target)?.[1];
          if ((other && other !== dialect) || target.startsWith("core/")) wrong.push(`${rel} imports ${spec}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("Bun, Deno, process.exit, process.argv and environment reads stay in runtime/", () => {
    const wrong: string[] = [];
    for (const file of sources) {
      const rel = relative(SRC, file).replace(/\\/g, "/");
      if (rel.startsWith("runtime/")) continue;
      // Comments and template text (e.g. a generated config file) are not code.
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|`[^`]*`/g, "");
      for (const pattern of [/\bBun\./, /\bDeno\./, /process\.exit\b/, /process\.argv\b/, /process\.env\b/]) {
        if (pattern.test(code)) wrong.push(`${rel}: ${pattern.source}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the version constant matches package.json", async () => {
    const { STRATA_VERSION } = await import("../src/util/version.ts");
    expect(STRATA_VERSION).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
  });
});
