import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT, type CliResult } from "../helpers/cli.ts";

export type SourceRuntime = "bun" | "deno";

/** The command line that runs the CLI from source on a runtime (Bun and Deno are devDependencies). */
export function sourceCommand(runtime: SourceRuntime, args: string[]): string[] {
  const bin = join(REPO_ROOT, "bin", "strata.mjs");
  if (runtime === "bun") return [join(REPO_ROOT, "node_modules", ".bin", "bun"), bin, ...args];
  // deno.json maps "strata" and "strata/plugins" for user files (an import map).
  return [join(REPO_ROOT, "node_modules", ".bin", "deno"), "run", "-A", "--config", join(REPO_ROOT, "deno.json"), bin, ...args];
}

/** Runs `strata <args>` from source on Bun or Deno in `cwd`, with the test runner's variables cleared. */
export function runSource(runtime: SourceRuntime, cwd: string, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  const [command, ...argv] = sourceCommand(runtime, args);
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, STRATA_ENV: undefined, NODE_ENV: undefined, FORCE_COLOR: undefined, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
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
