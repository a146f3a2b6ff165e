#!/usr/bin/env node
// npm run build: dist/strata, one standalone executable made with `bun build --compile`.
// Local SQLite runs on bun:sqlite inside it, so no native addon has to sit beside the file;
// libsql (Node's SQLite driver) and tsx (Node's TypeScript loader) are never used there.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));
const target = process.env.STRATA_TARGET ?? `bun-${process.platform}-${process.arch}`;
let commit = process.env.STRATA_GIT_COMMIT ?? "";
if (!commit) {
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    commit = "";
  }
}
mkdirSync(new URL("../dist", import.meta.url), { recursive: true });
const args = [
  // Split into chunks loaded on first import: Bun's node:net, node:tls, node:crypto and
  // node:stream cost ~12 ms to load, and only the commands that reach a driver need them.
  "build", "--compile", "--format=esm", "--splitting", "--minify", "--bytecode", "--sourcemap=none",
  `--target=${target}`,
  "--define", `__STRATA_BUILD__=${JSON.stringify({ commit, target })}`,
  "--external", "libsql", "--external", "tsx", "--external", "tsx/esm/api",
  "scripts/binary/strata.ts", "scripts/binary/transform-worker.ts", "scripts/binary/entry/worker.ts",
  "--outfile", "dist/strata",
];
const result = spawnSync(bun, args, { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
