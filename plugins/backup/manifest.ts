import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { BackupFailure } from "./failure.ts";
import { digestFile, writeAtomic } from "./files.ts";
import { manifestPath } from "./naming.ts";
import type { DialectName } from "./target.ts";

/** `<backup>.json` beside each backup: what it is, and the checksum restore verifies. */
export interface Manifest {
  format: "strata-backup/1";
  /** The data file's name (it sits beside the manifest). */
  file: string;
  sizeBytes: number;
  sha256: string;
  strataVersion: string;
  /** The newest applied migration when the backup was taken. */
  head?: string;
  environment: string;
  /** The database as messages show it (password masked). */
  database: string;
  /** The database's name (SQLite: the file's name without extension), as in the file name. */
  databaseName: string;
  dialect: DialectName;
  createdAt: string;
  reason: "run" | "command";
  compressed: boolean;
  tool: { name: string; version: string };
}

export async function writeManifest(dataFile: string, manifest: Manifest): Promise<void> {
  await writeAtomic(manifestPath(dataFile), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of a backup, or undefined when it has none (or one that is not ours). */
export async function readManifest(dataFile: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(manifestPath(dataFile), "utf8");
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Manifest>;
    if (value.format !== "strata-backup/1" || typeof value.sha256 !== "string" || typeof value.createdAt !== "string") return undefined;
    return value as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * Checks a backup against its manifest before anything is restored: a file that changed
 * since it was written (truncated by a copy, edited, swapped) is refused.
 */
export async function verifyAgainstManifest(dataFile: string, manifest: Manifest): Promise<void> {
  const { sha256, sizeBytes } = await digestFile(dataFile);
  if (sha256 !== manifest.sha256 || sizeBytes !== manifest.sizeBytes) {
    throw new BackupFailure(
      `${basename(dataFile)} does not match its manifest (sha256 ${sha256.slice(0, 12)}..., ${sizeBytes} bytes; expected ${manifest.sha256.slice(0, 12)}..., ${manifest.sizeBytes} bytes): it changed after it was written. Nothing was restored.`,
      "Restore another backup (strata backup list shows them). Only if you know why the file changed, delete its .json manifest to restore it unchecked.",
    );
  }
}
