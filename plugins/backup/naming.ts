import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { DialectName } from "./target.ts";

/** The data file extensions this plugin writes, per dialect and compression. */
export function extensionFor(dialect: DialectName, compress: boolean): string {
  // pg_dump's custom format compresses inside the archive (-Z), so it never gets ".gz".
  if (dialect === "postgres") return ".dump";
  if (dialect === "mysql") return compress ? ".sql.gz" : ".sql";
  return compress ? ".db.gz" : ".db";
}

const EXTENSIONS = String.raw`(?:dump|sql|sql\.gz|db|db\.gz)`;

/**
 * One part of a file name: anything but letters, digits, "_" and "." becomes "_", so "-"
 * only ever separates environment, database and timestamp (env "a" + db "b-c" and env
 * "a-b" + db "c" never share a prefix).
 */
export function namePart(text: string): string {
  const part = text.replace(/[^A-Za-z0-9_.]+/g, "_").replace(/^\.+/, "_");
  return part === "" ? "_" : part;
}

/** `production-app_prod-` : every backup of this environment and database starts so. */
export function backupPrefix(environment: string, database: string): string {
  return `${namePart(environment)}-${namePart(database)}-`;
}

/** 2026-11-26T12:00:00.123Z -> 20261126T120000Z */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

/** `<prefix><timestamp>[-n]<ext>`; `n` counts backups taken within the same second. */
export function backupFileName(prefix: string, date: Date, ext: string, n = 0): string {
  return `${prefix}${compactTimestamp(date)}${n > 0 ? `-${n}` : ""}${ext}`;
}

/** True for a data file this plugin wrote for `prefix` (not its manifest, not a temp file). */
export function isBackupFile(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  return new RegExp(String.raw`^\d{8}T\d{6}Z(?:-\d+)?\.${EXTENSIONS}$`).test(name.slice(prefix.length));
}

export function manifestPath(file: string): string {
  return `${file}.json`;
}

/** A hidden temp file beside `final`, in the same folder so rename() is atomic. */
export function tempPath(final: string, tag = "tmp"): string {
  return join(dirname(final), `.${basename(final)}.${tag}-${process.pid}-${randomBytes(4).toString("hex")}`);
}
