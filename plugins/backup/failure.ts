import { redactSecrets } from "strata";

/**
 * A backup or restore failure the user can act on: the message says what happened, the
 * hint what to do. index.ts turns it into strata's BACKUP_FAILED with the database named.
 */
export class BackupFailure extends Error {
  readonly hint?: string;

  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "BackupFailure";
    this.hint = hint;
  }
}

/** For a backup file that cannot be restored. */
export const HINT_OTHER_BACKUP = "Restore another backup (strata backup list shows them).";

/** `text` ending with a full stop, so another sentence can follow. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const HINT_SPACE = "Free space on that disk, or point backup.path at a larger one.";
const HINT_PERMISSION = "Make the backup folder writable by the user running strata, or set backup.path to a folder it can write.";

/** A file system error (node's `code`) on `path`, as a failure that names the cause. */
export function fsFailure(error: unknown, path: string, doing: string): BackupFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return new BackupFailure(`disk full while ${doing} ${path} (${code}: no space left on device).`, HINT_SPACE, error);
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new BackupFailure(`permission denied while ${doing} ${path} (${code}${code === "EROFS" ? ": read-only file system" : ""}).`, HINT_PERMISSION, error);
    case "ENOTDIR":
    case "EEXIST":
      return new BackupFailure(`${path} is not a folder (${code}).`, "Set backup.path to a folder, or remove the file in the way.", error);
    default:
      return new BackupFailure(`${doing} ${path} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, error);
  }
}

/**
 * A tool that exited with an error (or a signal): its own message, cleaned of secrets, and
 * classified when it says the disk is full or access was denied.
 */
export function toolFailure(tool: string, exit: { code: number | null; signal: string | null; stderr: string }, secrets: readonly string[]): BackupFailure {
  const said = clean(exit.stderr, secrets);
  const status = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const detail = said ? `: ${said}` : " (it printed nothing)";
  if (/no space left on device|disk (is )?full|errno: ?28\b/i.test(said)) return new BackupFailure(`disk full: ${tool} ${status}${detail}`, HINT_SPACE);
  if (/permission denied|read-only file system|operation not permitted/i.test(said) && !/for (table|schema|database|relation|sequence|function)|access denied for user/i.test(said)) {
    return new BackupFailure(`permission denied: ${tool} ${status}${detail}`, HINT_PERMISSION);
  }
  return new BackupFailure(`${tool} ${status}${detail}`);
}

/** The last lines a tool printed, at most ~1500 characters, secrets masked. */
export function clean(text: string, secrets: readonly string[]): string {
  const masked = redactSecrets(text, secrets.filter((s) => s.length > 0)).trim();
  const tail = masked.length > 1500 ? `...${masked.slice(-1500)}` : masked;
  return tail.split("\n").map((l) => l.trim()).filter(Boolean).join(" | ");
}
