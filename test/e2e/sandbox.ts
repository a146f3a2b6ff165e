import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, parse } from "node:path";
import { inject } from "vitest";
import type { CliResult } from "../helpers/cli.ts";

/** JavaScript runtimes and their launchers: the binary must run with none of them on PATH. */
const RUNTIMES = new Set(["node", "nodejs", "npm", "npx", "corepack", "bun", "bunx", "deno", "tsx", "vitest"]);

export interface Sandbox {
  /** A folder of symlinks: the PATH. */
  path: string;
  home: string;
  remove(): void;
}

/**
 * A PATH with every command of this machine except node, bun, deno and their launchers (a
 * folder of symlinks: node lives in /usr/bin here, beside pg_dump and mariadb-dump, which
 * the backup commands need), and a HOME of its own. Made once per run by setup-binary.ts.
 */
export function createSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "strata-e2e-sandbox-"));
  const bin = join(root, "bin");
  const home = join(root, "home");
  mkdirSync(bin);
  mkdirSync(home);
  for (const dir of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (RUNTIMES.has(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return { path: bin, home, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function sandboxEnv(): { path: string; home: string } {
  return inject("sandbox");
}

/** Where each of the commands is found on the sandbox PATH (none: an empty list). */
export function whichInSandbox(commands: readonly string[]): string[] {
  const { path } = sandboxEnv();
  const script = commands.map((c) => `command -v ${c} || true`).join("; ");
  const result = spawnSync("/bin/sh", ["-c", script], { env: { PATH: path }, encoding: "utf8" });
  return result.stdout.split("\n").filter(Boolean);
}

/** Copies the binary, alone, into `dir`; returns its absolute path. */
export function installBinary(binary: string, dir: string): string {
  const target = join(dir, "strata");
  copyFileSync(binary, target);
  return target;
}

/**
 * Runs the binary by its absolute path in `cwd` with a minimal environment (as `env -i`):
 * the sandbox PATH and HOME, plus `env`.
 */
export function runBinary(binary: string, cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const { path, home } = sandboxEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env: { PATH: path, HOME: home, LANG: "C.UTF-8", ...env }, stdio: ["ignore", "pipe", "pipe"] });
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

/** package.json or node_modules in `dir` or any folder above it (none may help the binary). */
export function nodeProjectAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    for (const name of ["package.json", "node_modules"]) if (existsSync(join(d, name))) found.push(join(d, name));
    if (d === parse(d).root) return found;
  }
}

/** The PATH entries of this process that hold a `node` (to show the sandbox differs). */
export function nodeOnPath(): string[] {
  return (process.env.PATH ?? "").split(delimiter).filter((d) => d && existsSync(join(d, "node")));
}
