import { rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsFailure } from "./failure.ts";
import type { MysqlTarget } from "./target.ts";

export type MysqlFlavor = "mariadb" | "mysql";

/** MariaDB's and Oracle's tools read the same option files but spell TLS differently. */
export function flavorOf(version: string): MysqlFlavor {
  return /mariadb/i.test(version) ? "mariadb" : "mysql";
}

/**
 * Runs `fn` with a temporary option file holding the connection, password included: a
 * private folder (0700) and file (0600) under the system temp folder, removed afterwards
 * whatever happens. The tools read it through --defaults-extra-file, which must be their
 * first argument. (A process killed with SIGKILL leaves it: nothing runs then.)
 */
export async function withOptionFile<T>(target: MysqlTarget, flavor: MysqlFlavor, fn: (argument: string) => Promise<T>): Promise<T> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), "strata-mysql-"));
  } catch (error) {
    throw fsFailure(error, tmpdir(), "creating the temporary option file in");
  }
  // Also when the process exits before the finally below (a second Ctrl-C exits at once).
  const removeNow = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeNow);
  try {
    const file = join(dir, "client.cnf");
    try {
      await writeFile(file, optionFileText(target, flavor), { mode: 0o600, flag: "wx" });
    } catch (error) {
      throw fsFailure(error, dir, "writing the temporary option file in");
    }
    return await fn(`--defaults-extra-file=${file}`);
  } finally {
    process.off("exit", removeNow);
    await rm(dir, { recursive: true, force: true });
  }
}

export function optionFileText(target: MysqlTarget, flavor: MysqlFlavor): string {
  const lines = ["[client]"];
  if (target.socket) {
    lines.push(`socket=${quote(target.socket)}`, "protocol=SOCKET");
  } else {
    // "localhost" would make the client use a Unix socket; strata's driver talks TCP.
    lines.push(`host=${quote(target.host)}`, `port=${target.port}`, "protocol=TCP");
  }
  if (target.user) lines.push(`user=${quote(target.user)}`);
  if (target.password) lines.push(`password=${quote(target.password)}`);
  lines.push(...tlsLines(target.sslMode, flavor));
  return `${lines.join("\n")}\n`;
}

function tlsLines(mode: string | undefined, flavor: MysqlFlavor): string[] {
  if (!mode) return [];
  if (flavor === "mysql") {
    const modes: Record<string, string> = { disable: "DISABLED", prefer: "PREFERRED", require: "REQUIRED", "verify-ca": "VERIFY_CA", "verify-full": "VERIFY_IDENTITY" };
    return modes[mode] ? [`ssl-mode=${modes[mode]}`] : [];
  }
  if (mode === "disable") return ["skip-ssl"];
  if (mode === "require") return ["ssl"];
  if (mode === "verify-ca" || mode === "verify-full") return ["ssl", "ssl-verify-server-cert"];
  return [];
}

/**
 * An option file value in double quotes: the tools strip the quotes and undo \\ \" \n \t
 * \r, and a "#" inside quotes is no comment (mysys my_default.c).
 */
function quote(value: string): string {
  const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return `"${escaped}"`;
}
