import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { readManifest, type Manifest } from "./manifest.ts";
import { isBackupFile, manifestPath } from "./naming.ts";

export interface FoundBackup {
  file: string;
  manifest?: Manifest;
  createdAt: Date;
  sizeBytes: number;
}

/**
 * This environment's and database's backups in `dir` (named `<prefix><timestamp>.<ext>`),
 * newest first: the manifest's createdAt and size, else the file's mtime and size. Files
 * of other environments, of another database whose name makes the same prefix, of a database of the same name on another kind of server, temp
 * files and anything else are not listed.
 */
export async function findBackups(dir: string, prefix: string, of: { environment: string; dialect: Manifest["dialect"]; databaseName: string }): Promise<FoundBackup[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: FoundBackup[] = [];
  for (const name of names.filter((n) => isBackupFile(n, prefix))) {
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const manifest = await readManifest(file);
    // Names that differ only in characters a file name cannot hold share a prefix (app-old, app_old): the manifest tells them apart.
    if (manifest && (manifest.environment !== of.environment || manifest.dialect !== of.dialect || (manifest.databaseName ?? of.databaseName) !== of.databaseName)) continue;
    const stamped = manifest ? new Date(manifest.createdAt) : undefined;
    const createdAt = stamped && !Number.isNaN(stamped.getTime()) ? stamped : info.mtime;
    found.push({ file, createdAt, sizeBytes: info.size, ...(manifest ? { manifest } : {}) });
  }
  return found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.file.localeCompare(a.file));
}

/**
 * Retention, run only after a successful backup: removes backups (and their manifests)
 * older than `retentionDays`, never the newest one nor `keep` (the backup just written).
 * 0 days keeps everything. A file that cannot be removed is reported, not fatal.
 */
export async function prune(found: readonly FoundBackup[], keep: string, retentionDays: number, now: Date, log: (message: string) => void): Promise<string[]> {
  if (!(retentionDays > 0)) return [];
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const removed: string[] = [];
  for (const backup of found.slice(1)) {
    if (backup.file === keep || backup.createdAt.getTime() >= cutoff) continue;
    try {
      await rm(backup.file, { force: true });
      await rm(manifestPath(backup.file), { force: true });
      removed.push(backup.file);
      log(`removed ${backup.file} (taken ${backup.createdAt.toISOString()}, older than ${retentionDays} days)`);
    } catch (error) {
      log(`could not remove old backup ${backup.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return removed;
}
