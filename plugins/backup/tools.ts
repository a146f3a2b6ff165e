import { execFile, spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import process from "node:process";
import { BackupFailure } from "./failure.ts";

/** The external programs the plugin runs, by the key `backup({ tools })` overrides them with. */
export type ToolKey = "pg_dump" | "pg_restore" | "psql" | "mysqldump" | "mysql";
export type ToolPaths = Partial<Record<ToolKey, string>>;

/** Each tool's names, and the Debian/Ubuntu packages that provide it. */
const TOOLS: Record<ToolKey, { names: string[]; packages: string[] }> = {
  pg_dump: { names: ["pg_dump"], packages: ["postgresql-client"] },
  pg_restore: { names: ["pg_restore"], packages: ["postgresql-client"] },
  psql: { names: ["psql"], packages: ["postgresql-client"] },
  // MariaDB 10.5+ names its tools mariadb-*; mysqldump/mysql remain (as links, or Oracle's).
  mysqldump: { names: ["mariadb-dump", "mysqldump"], packages: ["mariadb-client", "default-mysql-client"] },
  mysql: { names: ["mariadb", "mysql"], packages: ["mariadb-client", "default-mysql-client"] },
};

export interface Tool {
  key: ToolKey;
  /** The program's name as found (e.g. mariadb-dump). */
  name: string;
  path: string;
}

/**
 * The program for `key`: the configured path, else the first of its names on PATH. A
 * missing one names the Debian package that provides it.
 */
export async function findTool(key: ToolKey, paths: ToolPaths = {}, prefer?: string): Promise<Tool> {
  const { names, packages } = TOOLS[key];
  const configured = paths[key];
  if (configured) {
    if (await isExecutable(configured)) return { key, name: configured.split(/[\\/]/).pop() ?? key, path: configured };
    throw new BackupFailure(`${key} was configured as ${configured}, which is not an executable file.`, `Fix backup({ tools: { ${key} } }) or remove it to use ${names.join("/")} from PATH.`);
  }
  const ordered = prefer && names.includes(prefer) ? [prefer, ...names.filter((n) => n !== prefer)] : names;
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d && isAbsolute(d));
  for (const name of ordered) {
    for (const dir of dirs) {
      const path = join(dir, process.platform === "win32" ? `${name}.exe` : name);
      if (await isExecutable(path)) return { key, name, path };
    }
  }
  throw new BackupFailure(
    `${names.join(" or ")} was not found on PATH; it is needed to ${key.includes("dump") ? "take" : "restore"} the backup (package ${packages.join(" or ")}).`,
    `Install it (Debian/Ubuntu: apt-get install ${packages.join(", or apt-get install ")}), or give its path: backup({ tools: { ${key}: "/path/to/${names[0]}" } }).`,
  );
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const versions = new Map<string, Promise<string>>();

/** The tool's `--version` line, for the manifest ("pg_dump (PostgreSQL) 15.20"). */
export function toolVersion(tool: Tool): Promise<string> {
  let version = versions.get(tool.path);
  if (!version) {
    version = new Promise((resolve) => {
      execFile(tool.path, ["--version"], { timeout: 10_000 }, (error, stdout) => resolve(error ? "unknown" : stdout.trim().split("\n")[0] ?? "unknown"));
    });
    versions.set(tool.path, version);
  }
  return version;
}

export interface ToolExit {
  code: number | null;
  signal: string | null;
  stderr: string;
}

export interface RunningTool {
  child: ChildProcess;
  /** Settles when the process has exited and its streams are closed; never rejects. */
  exit: Promise<ToolExit>;
}

/**
 * Starts a tool with `env` added to this process's environment. Arguments never carry a
 * password: callers pass it through `env` (PGPASSWORD) or an option file.
 */
export function startTool(tool: Tool, args: readonly string[], env: Record<string, string>, stdio: StdioOptions): RunningTool {
  const child = spawn(tool.path, args, { env: { ...process.env, ...env }, stdio, windowsHide: true });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exit = new Promise<ToolExit>((resolve) => {
    child.on("error", (error) => resolve({ code: null, signal: null, stderr: `${stderr}\n${error.message}` }));
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exit };
}

/** Runs a tool to the end with no input and output; its exit, whatever it was. */
export async function runTool(tool: Tool, args: readonly string[], env: Record<string, string> = {}): Promise<ToolExit> {
  return startTool(tool, args, env, ["ignore", "ignore", "pipe"]).exit;
}
