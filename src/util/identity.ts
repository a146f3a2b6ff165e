import { existsSync, readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, join } from "node:path";

/** `user@host` of the process, recorded in the history as who applied a migration. */
export function whoAmI(env: (name: string) => string | undefined): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid.
  }
  // Bun answers "unknown" when $USER is unset (typical of containers and CI running as root).
  if (!user || user === "unknown") user = env("USER") || env("USERNAME") || passwdName() || "unknown";
  return `${user}@${hostname()}`;
}

/** The process uid's name in /etc/passwd, where there is one. */
function passwdName(): string | undefined {
  try {
    const uid = process.getuid?.();
    if (uid === undefined) return undefined;
    const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.split(":")[2] === String(uid));
    return line?.split(":")[0] || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The git commit of the project, when known: from CI variables, else read from .git
 * directly (no git process, so it costs nothing measurable).
 */
export function readGitCommit(root: string, env: (name: string) => string | undefined): string | undefined {
  const fromEnv = env("STRATA_GIT_COMMIT") ?? env("GITHUB_SHA") ?? env("CI_COMMIT_SHA") ?? env("GIT_COMMIT");
  if (fromEnv) return fromEnv;
  let dir = root;
  for (let i = 0; i < 20; i++) {
    const git = join(dir, ".git");
    if (existsSync(git)) return readHead(git);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function readHead(git: string): string | undefined {
  try {
    const head = readFileSync(join(git, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    const ref = head.slice(5);
    const loose = join(git, ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
    const packed = join(git, "packed-refs");
    if (!existsSync(packed)) return undefined;
    const line = readFileSync(packed, "utf8").split("\n").find((l) => l.endsWith(` ${ref}`));
    return line?.split(" ")[0];
  } catch {
    return undefined;
  }
}
