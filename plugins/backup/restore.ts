import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import process from "node:process";
import { createGunzip } from "node:zlib";
import type { BackupRequest } from "strata";
import { BackupFailure } from "./failure.ts";
import { readHead } from "./files.ts";
import { readManifest, verifyAgainstManifest } from "./manifest.ts";
import { restoreMysql } from "./mysql.ts";
import { checkArchive, restorePostgres } from "./postgres.ts";
import { restoreSqlite } from "./sqlite.ts";
import { targetOf, type DialectName } from "./target.ts";
import type { ToolPaths } from "./tools.ts";

/**
 * Restores `fileArg` into the configured database: the file is found (relative to the
 * working directory, else to the backup folder), checked against its manifest's checksum,
 * its content recognized as a backup of this kind of database, then restored.
 */
export async function restoreBackup(request: BackupRequest, fileArg: string, tools: ToolPaths): Promise<void> {
  const target = targetOf(request);
  const file = await locate(fileArg, request.options.dir);
  const manifest = await readManifest(file);
  if (manifest) {
    if (manifest.dialect !== target.dialect) throw mismatch(file, manifest.dialect, target.dialect);
    await verifyAgainstManifest(file, manifest);
    if (manifest.databaseName !== target.name) request.log(`restoring a backup of ${manifest.database} (${manifest.environment}) into ${request.database.described}`);
  } else {
    request.log(`${basename(file)} has no manifest, so its checksum cannot be verified; only its format is checked.`);
  }
  const format = await detectFormat(file);
  if (!format) throw new BackupFailure(`${basename(file)} is not a backup strata can restore (neither a pg_dump archive, a mysqldump file nor a SQLite database). Nothing was restored.`);
  if (format.dialect !== target.dialect) throw mismatch(file, format.dialect, target.dialect);
  switch (target.dialect) {
    case "postgres":
      await checkArchive(file, tools);
      return restorePostgres(target, file, tools);
    case "mysql":
      return restoreMysql(request, target, file, format.compressed, tools);
    case "sqlite":
      return restoreSqlite(request, target, file, format.compressed);
  }
}

function mismatch(file: string, backup: DialectName, database: DialectName): BackupFailure {
  return new BackupFailure(`${basename(file)} is a ${backup} backup and the database is ${database}. Nothing was restored.`, "Pass a backup of this database (strata backup list), or --url for the database it came from.");
}

async function locate(fileArg: string, dir: string): Promise<string> {
  const candidates = isAbsolute(fileArg) ? [fileArg] : [resolve(process.cwd(), fileArg), resolve(dir, fileArg)];
  for (const candidate of candidates) {
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  throw new BackupFailure(
    `no backup file ${fileArg} (looked for ${[...new Set(candidates)].join(" and ")}).`,
    "strata backup list shows this environment's backups; pass one of their paths.",
  );
}

/** What a file holds, from its first bytes (through gunzip when it is gzip). */
async function detectFormat(file: string): Promise<{ dialect: DialectName; compressed: boolean } | undefined> {
  const head = await readHead(file, 16);
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return { dialect: "postgres", compressed: false };
  const compressed = head[0] === 0x1f && head[1] === 0x8b;
  const text = compressed ? await gunzippedHead(file, 4096) : (await readHead(file, 4096)).toString("utf8");
  if (text.startsWith("SQLite format 3\0")) return { dialect: "sqlite", compressed };
  if (/^-- (MariaDB|MySQL) dump/m.test(text)) return { dialect: "mysql", compressed };
  return undefined;
}

async function gunzippedHead(file: string, n: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  const source = createReadStream(file, { end: 1 << 20 });
  try {
    for await (const chunk of source.pipe(createGunzip())) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= n) break;
    }
  } catch {
    // the read stopped short of the end of the gzip stream: the head is what counts
  } finally {
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n).toString("utf8");
}
