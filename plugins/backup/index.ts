import { definePlugin, StrataError, type BackupEntry, type BackupProvider, type BackupRequest, type Plugin } from "strata";
import { findBackups } from "./catalog.ts";
import { createBackup } from "./create.ts";
import { BackupFailure } from "./failure.ts";
import { backupPrefix } from "./naming.ts";
import { restoreBackup } from "./restore.ts";
import { targetOf } from "./target.ts";
import type { ToolPaths } from "./tools.ts";

export interface BackupOptions {
  /**
   * Paths of the external tools when they are not on PATH (or another version is wanted),
   * e.g. `{ pg_dump: "/usr/lib/postgresql/16/bin/pg_dump" }`. `mysqldump` and `mysql` also
   * stand for MariaDB's mariadb-dump and mariadb.
   */
  tools?: ToolPaths;
  /** Compression level 1-9 used when the config's `backup.compress` is on (default 6). */
  level?: number;
}

/**
 * The built-in backup plugin: full backups before runs in environments with backup on,
 * and for `strata backup`, `strata backup list`, `strata restore <file>`.
 *
 * - PostgreSQL: pg_dump custom format (compressed inside), restored with pg_restore + psql
 *   in one transaction.
 * - MySQL/MariaDB: mariadb-dump or mysqldump, one consistent snapshot, gzip when
 *   compressing; restored through the mysql client after dropping every table.
 * - SQLite: VACUUM INTO (a consistent snapshot), gzip when compressing; restored by
 *   atomically replacing the database file.
 *
 * Files are `<env>-<database>-<UTC timestamp>.<ext>` in the config's `backup.path`, each
 * with a `.json` manifest (size, sha256, strata version, migration head). Passwords reach
 * the tools through the environment or a temporary option file, never their arguments.
 *
 * @example
 * import { backup } from "strata/plugins";
 * export default defineConfig({ backup: { enabled: true, path: "backups" }, plugins: [backup({ level: 9 })] });
 */
export function backup(options: BackupOptions = {}): Plugin {
  const level = options.level === undefined ? 6 : Math.min(9, Math.max(1, Math.round(options.level)));
  const tools = options.tools ?? {};
  const provider: BackupProvider = {
    create: (request) => guard(request, `Backup of ${request.database.described}`, () => createBackup(request, { tools, level })),
    list: (request) => guard(request, `Listing the backups of ${request.database.described}`, () => listBackups(request)),
    restore: (request, file) => guard(request, `Restore of ${file} into ${request.database.described}`, () => restoreBackup(request, file, tools)),
  };
  return definePlugin({ name: "backup", hooks: {}, backup: provider });
}

async function listBackups(request: BackupRequest): Promise<BackupEntry[]> {
  const target = targetOf(request);
  const found = await findBackups(request.options.dir, backupPrefix(request.environment, target.name), { environment: request.environment, dialect: target.dialect, databaseName: target.name });
  return found.map(({ file, manifest, createdAt, sizeBytes }) => ({
    file,
    createdAt: createdAt.toISOString(),
    sizeBytes,
    environment: manifest?.environment ?? request.environment,
    database: manifest?.database ?? target.name,
    ...(manifest?.head ? { head: manifest.head } : {}),
  }));
}

/** Every failure becomes BACKUP_FAILED, naming the database and saying what to do. */
async function guard<T>(request: BackupRequest, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const failure = error instanceof BackupFailure ? error : undefined;
    const message = error instanceof Error ? error.message : String(error);
    const stopped = request.reason === "run" ? " Nothing was applied: the run stopped before its first migration." : "";
    throw new StrataError("BACKUP_FAILED", `${what} failed: ${message}`, {
      hint: `${failure?.hint ?? "Fix the cause above and try again."}${stopped}`,
      cause: error,
    });
  }
}
