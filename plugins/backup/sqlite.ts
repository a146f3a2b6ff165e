import { createReadStream } from "node:fs";
import { chmod, chown, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { BackupRequest } from "strata";
import { BackupFailure, fsFailure, HINT_OTHER_BACKUP } from "./failure.ts";
import { createExclusive, publish, readHead, removeQuietly, syncDir } from "./files.ts";
import { tempPath } from "./naming.ts";
import { streamToHandle } from "./streams.ts";
import type { SqliteTarget } from "./target.ts";

const MAGIC = "SQLite format 3\0";

/**
 * SQLite's online backup through strata's own connection: VACUUM INTO writes a consistent
 * snapshot (a read transaction) into a new file, never a copy of a file being written.
 * Compressed afterwards when asked.
 */
export async function dumpSqlite(request: BackupRequest, temp: string, gzipLevel: number): Promise<{ name: string; version: string }> {
  const raw = gzipLevel > 0 ? `${temp}.raw` : temp;
  try {
    // VACUUM INTO accepts an empty existing file: creating it first makes it owner-only and
    // turns "cannot write here" into a plain EACCES/EROFS instead of SQLITE_CANTOPEN.
    await (await createExclusive(raw)).close();
    try {
      await request.query("vacuum into ?", [raw]);
    } catch (error) {
      throw sqliteFailure(error, raw);
    }
    await checkSqliteFile(raw, "the snapshot VACUUM INTO wrote");
    if (gzipLevel > 0) {
      const handle = await createExclusive(temp);
      try {
        await streamToHandle(createReadStream(raw), handle, { gzipLevel });
        await handle.sync();
      } catch (error) {
        throw fsFailure(error, dirname(temp), "writing the backup into");
      } finally {
        await handle.close().catch(() => undefined);
      }
    }
  } finally {
    if (raw !== temp) await removeQuietly(raw);
  }
  const [row] = await request.query("select sqlite_version() as version");
  return { name: "sqlite vacuum into", version: `SQLite ${String(row?.version ?? "unknown")}` };
}

function sqliteFailure(error: unknown, file: string): BackupFailure {
  const text = error instanceof Error ? error.message : String(error);
  const code = String((error as { details?: { databaseCode?: unknown } }).details?.databaseCode ?? "");
  if (/SQLITE_FULL/.test(code) || /disk is full|no space/i.test(text)) return fsFailure(Object.assign(new Error(text), { code: "ENOSPC" }), dirname(file), "writing the backup into");
  if (/SQLITE_(CANTOPEN|READONLY|PERM|IOERR)/.test(code)) return new BackupFailure(`SQLite could not write ${file}: ${text}`, "Check that the backup folder is writable and its disk has space.");
  return new BackupFailure(`vacuum into ${file} failed: ${text}`);
}

/** A file that SQLite wrote: its header, and a size that is a whole number of pages. */
export async function checkSqliteFile(file: string, subject: string): Promise<void> {
  const header = await readHead(file, 100);
  if (header.length === 0) throw new BackupFailure(`${subject} is empty.`, HINT_OTHER_BACKUP);
  if (header.subarray(0, 16).toString("latin1") !== MAGIC || header.length < 100) throw new BackupFailure(`${subject} is not a SQLite database.`, HINT_OTHER_BACKUP);
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const { size } = await stat(file);
  if (pageSize < 512 || size % pageSize !== 0) throw new BackupFailure(`${subject} is truncated (${size} bytes is no whole number of ${pageSize}-byte pages).`, HINT_OTHER_BACKUP);
}

/**
 * Replaces the database file atomically: the backup is unpacked beside it, checked
 * (header, then PRAGMA quick_check through an ATTACH), given the old file's mode and
 * owner, and renamed over it. The old file's -wal/-shm/-journal would be replayed into
 * the new one, so they are removed before and after the rename.
 */
export async function restoreSqlite(request: BackupRequest, target: SqliteTarget, file: string, compressed: boolean): Promise<void> {
  const dir = dirname(target.path);
  const temp = tempPath(target.path, "restore");
  const previous = await stat(target.path).catch(() => undefined);
  try {
    const handle = await createExclusive(temp, previous ? previous.mode & 0o777 : 0o644);
    try {
      await streamToHandle(createReadStream(file), handle, { gunzip: compressed });
      await handle.sync();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (/^(ENOSPC|EDQUOT|EACCES|EPERM|EROFS)$/.test(code)) throw fsFailure(error, dirname(temp), "unpacking the backup into");
      throw new BackupFailure(`${basename(file)} cannot be unpacked (${error instanceof Error ? error.message : String(error)}). Nothing was restored.`, HINT_OTHER_BACKUP);
    } finally {
      await handle.close().catch(() => undefined);
    }
    await checkSqliteFile(temp, basename(file));
    await quickCheck(request, temp, basename(file));
    if (previous) {
      await chmod(temp, previous.mode & 0o7777).catch(() => undefined);
      await chown(temp, previous.uid, previous.gid).catch(() => undefined);
    }
    const sides = ["-wal", "-shm", "-journal"].map((s) => `${target.path}${s}`);
    await removeQuietly(...sides);
    await publish(temp, target.path);
    await removeQuietly(...sides);
    await syncDir(dir);
  } finally {
    await removeQuietly(temp);
  }
}

async function quickCheck(request: BackupRequest, file: string, shown: string): Promise<void> {
  await request.query("attach database ? as strata_restore_check", [file]);
  let result: string;
  try {
    const rows = await request.query("pragma strata_restore_check.quick_check");
    result = rows.map((r) => String(Object.values(r)[0])).join("; ");
  } finally {
    await request.query("detach database strata_restore_check");
  }
  if (result !== "ok") throw new BackupFailure(`${shown} is a damaged SQLite database (quick_check: ${result.slice(0, 300)}). Nothing was restored.`, HINT_OTHER_BACKUP);
}
