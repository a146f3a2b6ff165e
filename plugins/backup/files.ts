import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { BackupFailure, fsFailure } from "./failure.ts";
import { tempPath } from "./naming.ts";

/** The backup folder, created when missing. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw fsFailure(error, dir, "creating the backup folder");
  }
}

/** A new file that must not exist yet, readable by its owner only (a backup holds every row). */
export async function createExclusive(path: string, mode = 0o600): Promise<FileHandle> {
  try {
    return await open(path, "wx", mode);
  } catch (error) {
    throw fsFailure(error, dirname(path), "creating a file in");
  }
}

/** Flushes a written file to disk: a rename must never publish data still in the page cache. */
export async function syncFile(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r+");
    await handle.sync();
  } catch (error) {
    throw fsFailure(error, dirname(path), "flushing a file in");
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Flushes a folder, so a rename in it survives a crash; some systems cannot, which is fine. */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Windows and some network file systems refuse fsync on a folder.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Publishes a finished temp file under its final name (same folder: atomic). */
export async function publish(temp: string, final: string): Promise<void> {
  try {
    await rename(temp, final);
  } catch (error) {
    throw fsFailure(error, final, "renaming the finished backup to");
  }
  await syncDir(dirname(final));
}

/** Writes a small file atomically: temp file, fsync, rename. */
export async function writeAtomic(final: string, text: string, mode = 0o600): Promise<void> {
  const temp = tempPath(final);
  const handle = await createExclusive(temp, mode);
  try {
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await publish(temp, final);
  } catch (error) {
    await removeQuietly(temp);
    throw error instanceof BackupFailure ? error : fsFailure(error, dirname(final), "writing a file in");
  }
}

export async function digestFile(path: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  await pipeline(createReadStream(path), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      sizeBytes += chunk.length;
    }
  });
  return { sha256: hash.digest("hex"), sizeBytes };
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export async function readHead(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function removeQuietly(...paths: string[]): Promise<void> {
  for (const path of paths) await rm(path, { force: true }).catch(() => undefined);
}
