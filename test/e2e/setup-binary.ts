import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { createSandbox } from "./sandbox.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the compiled binary under test. */
    binary: string;
    /** The commit the binary was built from (empty when unknown: a binary given by STRATA_E2E_BINARY). */
    builtCommit: string;
    /** PATH and HOME without node, bun or deno (sandbox.ts). */
    sandbox: { path: string; home: string };
  }
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds dist/strata once for the whole end-to-end run (`npm run build`, about a second),
 * or takes the binary named by STRATA_E2E_BINARY (then nothing is built); makes the
 * sandbox PATH, removed at the end of the run.
 */
export default function setup(project: TestProject) {
  const sandbox = createSandbox();
  project.provide("sandbox", { path: sandbox.path, home: sandbox.home });
  try {
    provideBinary(project);
  } catch (error) {
    sandbox.remove();
    throw error;
  }
  return () => sandbox.remove();
}

function provideBinary(project: TestProject): void {
  const given = process.env.STRATA_E2E_BINARY;
  if (given) {
    if (!existsSync(given)) throw new Error(`STRATA_E2E_BINARY=${given} does not exist.`);
    project.provide("binary", given);
    project.provide("builtCommit", "");
    return;
  }
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  let commit = "";
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    commit = "";
  }
  project.provide("binary", fileURLToPath(new URL("../../dist/strata", import.meta.url)));
  project.provide("builtCommit", process.env.STRATA_GIT_COMMIT ?? commit);
}
