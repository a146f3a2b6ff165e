import { access } from "node:fs/promises";
import { basename, join } from "node:path";
import type { BackupRequest, BackupResult } from "strata";
import { findBackups, prune } from "./catalog.ts";
import { BackupFailure } from "./failure.ts";
import { digestFile, ensureDir, publish, removeQuietly, syncFile } from "./files.ts";
import { writeManifest } from "./manifest.ts";
import { dumpMysql } from "./mysql.ts";
import { backupFileName, backupPrefix, extensionFor, manifestPath, tempPath } from "./naming.ts";
import { dumpPostgres } from "./postgres.ts";
import { dumpSqlite } from "./sqlite.ts";
import { targetOf, type Target } from "./target.ts";
import type { ToolPaths } from "./tools.ts";

export interface CreateOptions {
  tools: ToolPaths;
  /** gzip / pg_dump compression level when `compress` is on. */
  level: number;
}

/**
 * One full backup: the dump into a hidden temp file beside its final name, checked (exit
 * status AND output shape), fsynced, renamed; then its manifest; then retention. On any
 * failure the temp file (and a half-published backup) is removed, so nothing that looks
 * like a good backup is left, and retention does not run.
 */
export async function createBackup(request: BackupRequest, options: CreateOptions): Promise<BackupResult> {
  const target = targetOf(request);
  // A mistyped file: URL would otherwise give an empty snapshot that looks like a good backup.
  if (target.dialect === "sqlite" && !(await exists(target.path))) {
    throw new BackupFailure(`the SQLite database ${request.database.described} does not exist: there is nothing to back up.`, "Check the URL (--url, DATABASE_URL or the environment's database).");
  }
  const { dir, compress, retentionDays } = request.options;
  await ensureDir(dir);
  const createdAt = new Date();
  const prefix = backupPrefix(request.environment, target.name);
  const final = await freeName(dir, prefix, createdAt, extensionFor(target.dialect, compress));
  const temp = tempPath(final);
  let published = false;
  let sizeBytes: number;
  try {
    const tool = await dump(request, target, temp, compress ? options.level : 0, options.tools);
    await syncFile(temp);
    const digest = await digestFile(temp);
    sizeBytes = digest.sizeBytes;
    await publish(temp, final);
    published = true;
    await writeManifest(final, {
      format: "strata-backup/1",
      file: basename(final),
      sizeBytes,
      sha256: digest.sha256,
      strataVersion: request.strataVersion,
      ...(request.head ? { head: request.head } : {}),
      environment: request.environment,
      database: request.database.described,
      databaseName: target.name,
      dialect: target.dialect,
      createdAt: createdAt.toISOString(),
      reason: request.reason,
      compressed: compress,
      tool,
    });
  } catch (error) {
    await removeQuietly(temp, ...(published ? [final, manifestPath(final)] : []));
    throw error;
  }
  // The backup stands; retention trouble is reported and never undoes it.
  try {
    await prune(await findBackups(dir, prefix, { environment: request.environment, dialect: target.dialect, databaseName: target.name }), final, retentionDays, createdAt, request.log);
  } catch (error) {
    request.log(`retention skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { file: final, sizeBytes };
}

function dump(request: BackupRequest, target: Target, temp: string, level: number, tools: ToolPaths): Promise<{ name: string; version: string }> {
  switch (target.dialect) {
    case "postgres":
      return dumpPostgres(target, temp, level, tools);
    case "mysql":
      return dumpMysql(target, temp, level, tools);
    case "sqlite":
      return dumpSqlite(request, temp, level);
  }
}

/** The final name, with "-1", "-2"... when another backup was taken within the same second. */
async function freeName(dir: string, prefix: string, date: Date, ext: string): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const path = join(dir, backupFileName(prefix, date, ext, n));
    if (!(await exists(path)) && !(await exists(manifestPath(path)))) return path;
  }
  throw new BackupFailure(`too many backups named ${backupFileName(prefix, date, ext)} in ${dir}.`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
