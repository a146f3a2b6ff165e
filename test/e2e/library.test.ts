import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, REPO_ROOT, type CliResult } from "../helpers/cli.ts";
import { query } from "../helpers/dump.ts";
import { addFiles } from "../helpers/project.ts";
import { expectExit, type StatusJson } from "../cli/fixtures.ts";
import { ALL_IDS, e2eProject, EVENT_ROWS } from "./project.ts";

/**
 * strata as a dependency: the package packed and installed into a fresh Node project (its
 * dependencies from the npm cache, or the registry), then `npx strata` and
 * `import { Migrator } from "strata"` in a plain .mjs script.
 */
function run(command: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<CliResult> {
  // The variables `npm run` sets for this test run must not steer the nested npm.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(npm_|INIT_CWD$|NODE_ENV$|DATABASE_URL$|STRATA_ENV$)/i.test(key)) env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

describe("the package installed as a dependency of another project", () => {
  const root = mkdtempSync(join(tmpdir(), "strata-e2e-library-"));
  const app = join(root, "app");
  const database = join(app, "data", "app.db");

  beforeAll(async () => {
    const packed = await run("npm", ["pack", REPO_ROOT, "--pack-destination", root, "--silent"], root);
    expectExit(packed, 0);
    const tarball = readdirSync(root).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    await addFiles(app, { "package.json": JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }, null, 2) });
    const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(root, tarball!)], app);
    expectExit(installed, 0);
    await addFiles(app, e2eProject(`file:${database}`));
  }, 300_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("gives the strata command (npx strata)", async () => {
    const help = await run("npx", ["--no-install", "strata", "--help"], app);
    expectExit(help, 0);
    expect(help.stdout).toContain("Usage:");
  });

  it("imports { Migrator } from \"strata\" in a plain Node ESM script; the CLI and the script share the database and the classes", async () => {
    writeFileSync(join(app, "migrate.mjs"), `import { Migrator, Migration, StrataError } from "strata";
import { backup, batching, notify } from "strata/plugins";

const { applied } = await new Migrator().run();
let refused;
try {
  await new Migrator({ url: "bogus://nowhere" }).status();
} catch (error) {
  refused = error;
}
console.log(JSON.stringify({
  applied,
  refusedIsStrataError: refused instanceof StrataError,
  refusedCode: refused?.code,
  migration: typeof Migration,
  plugins: [typeof backup, typeof batching, typeof notify],
}));
`);
    const script = await run(process.execPath, ["migrate.mjs"], app);
    expectExit(script, 0);
    expect(parseJson(script)).toEqual({
      applied: [...ALL_IDS],
      refusedIsStrataError: true,
      refusedCode: "DIALECT_UNKNOWN",
      migration: "function",
      plugins: ["function", "function", "function"],
    });

    // The migrations' own "strata" is the same module as the script's.
    expect(await query(`file:${database}`, "select value from e2e_checks where name = 'engine error instanceof StrataError'")).toEqual([{ value: "true" }]);
    const events = await query(`file:${database}`, "select payload, thread from events order by id");
    expect(events).toHaveLength(EVENT_ROWS);
    expect(events.every((e, i) => e.payload === `EVENT ${i + 1}` && Number(e.thread) > 0)).toBe(true);

    const status = await run("npx", ["--no-install", "strata", "status", "--json"], app);
    expectExit(status, 0);
    expect(parseJson<StatusJson>(status).migrations.map((m) => [m.id, m.state])).toEqual(ALL_IDS.map((id) => [id, "applied"]));
    expectExit(await run("npx", ["--no-install", "strata", "down", "--all"], app), 0);
  });
});
