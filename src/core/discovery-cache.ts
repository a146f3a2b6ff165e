import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../runtime/runtime.ts";
import { STRATA_VERSION } from "../util/version.ts";

/** A file's identity on disk: any write changes its ctime, which no tool can set back. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** What discovery learned from one file, kept while its stamp stays the same. */
export interface CachedFile extends FileStamp {
  checksum: string;
  className?: string;
  dependencies?: string[];
}

/** A file written this recently may be written again within the clock's resolution: it is read, never cached. */
const SETTLED_MS = 2_000;
const FORMAT = 2;
/** Caches kept per cache folder: a test suite's temporary projects must not fill it. */
const KEEP_FOLDERS = 100;

/**
 * Where discovery caches what it read, so `status` over 1000 migrations stats the files
 * instead of reading, hashing and parsing each (git's index works the same way: size,
 * mtime, ctime and inode unchanged means content unchanged).
 * STRATA_CACHE_DIR chooses the folder, or turns the cache off with `off`; the default is
 * $XDG_CACHE_HOME/strata or ~/.cache/strata. Never the project folder.
 */
export function discoveryCacheDir(runtime: Runtime): string | undefined {
  const chosen = runtime.env("STRATA_CACHE_DIR");
  if (chosen !== undefined) return chosen === "" || chosen === "off" ? undefined : chosen;
  const xdg = runtime.env("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "strata");
  const home = runtime.env("HOME") ?? runtime.env("USERPROFILE");
  return home ? join(home, ".cache", "strata") : undefined;
}

/** One file on disk in the cache: [size, mtimeMs, ctimeMs, ino, checksum, className, dependencies]. */
type Row = [number, number, number, number, string, string | null, string[] | null];

/**
 * The cache of one migrations folder. A missing, unreadable or foreign cache is an empty
 * one, and a cache that cannot be written is skipped: it only ever saves time. On disk,
 * file names and rows are two arrays: 1000 entries parse in half the time of keyed objects.
 */
export class DiscoveryCache {
  readonly #file: string | undefined;
  readonly #entries: Map<string, Row>;
  readonly #next = new Map<string, Row>();
  #changed = false;
  #existed = false;

  constructor(cacheDir: string | undefined, migrationsDir: string) {
    this.#file = cacheDir ? join(cacheDir, `discovery-${folderKey(migrationsDir)}.json`) : undefined;
    this.#entries = this.#read();
  }

  /** The cached facts of `fileName`, if its stat still matches them. */
  get(fileName: string, stamp: FileStamp): CachedFile | undefined {
    const hit = this.#entries.get(fileName);
    if (!hit || hit[0] !== stamp.size || hit[1] !== stamp.mtimeMs || hit[2] !== stamp.ctimeMs || hit[3] !== stamp.ino) return undefined;
    this.#next.set(fileName, hit);
    const entry: CachedFile = { size: hit[0], mtimeMs: hit[1], ctimeMs: hit[2], ino: hit[3], checksum: hit[4] };
    if (hit[5] !== null) entry.className = hit[5];
    if (hit[6] !== null) entry.dependencies = hit[6];
    return entry;
  }

  /** Remembers what was read from `fileName`, unless it changed too recently to trust its mtime. */
  set(fileName: string, entry: CachedFile): void {
    if (!this.#file || Date.now() - Math.max(entry.mtimeMs, entry.ctimeMs) < SETTLED_MS) return;
    this.#next.set(fileName, [entry.size, entry.mtimeMs, entry.ctimeMs, entry.ino, entry.checksum, entry.className ?? null, entry.dependencies ?? null]);
    this.#changed = true;
  }

  /** Writes the cache when a file was added to it or one it held is gone. */
  save(): void {
    if (!this.#file) return;
    try {
      if (!this.#changed && this.#next.size === this.#entries.size) {
        // Unchanged: only marked as used, so pruning takes the caches nobody reads.
        if (this.#existed) utimesSync(this.#file, new Date(), new Date());
        return;
      }
      mkdirSync(join(this.#file, ".."), { recursive: true });
      const temporary = `${this.#file}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(temporary, JSON.stringify({ format: FORMAT, version: STRATA_VERSION, names: [...this.#next.keys()], rows: [...this.#next.values()] }));
      renameSync(temporary, this.#file);
      if (!this.#existed) pruneOldest(join(this.#file, ".."));
    } catch {
      // A read-only home or a full disk: the next run reads the files again.
    }
  }

  #read(): Map<string, Row> {
    const entries = new Map<string, Row>();
    if (!this.#file) return entries;
    try {
      const data = JSON.parse(readFileSync(this.#file, "utf8")) as { format?: number; version?: string; names?: unknown; rows?: unknown };
      this.#existed = true;
      const { names, rows } = data;
      if (data.format !== FORMAT || data.version !== STRATA_VERSION || !Array.isArray(names) || !Array.isArray(rows) || names.length !== rows.length) return entries;
      for (let i = 0; i < names.length; i++) if (isRow(rows[i])) entries.set(String(names[i]), rows[i] as Row);
    } catch {
      // Unreadable or not JSON: an empty cache.
    }
    return entries;
  }
}

function isRow(row: unknown): boolean {
  return Array.isArray(row) && row.length === 7 && typeof row[4] === "string" && (row[6] === null || Array.isArray(row[6]));
}

/** 16 hex digits naming a folder's cache: two 32-bit FNV-1a hashes (no crypto module for a file name). */
function folderKey(path: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Keeps the KEEP_FOLDERS most recently used caches (run when a new one is added). */
function pruneOldest(cacheDir: string): void {
  const caches = readdirSync(cacheDir).filter((name) => name.startsWith("discovery-") && name.endsWith(".json"));
  if (caches.length <= KEEP_FOLDERS) return;
  const byAge = caches.map((name) => ({ file: join(cacheDir, name), mtimeMs: statSync(join(cacheDir, name)).mtimeMs })).sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { file } of byAge.slice(0, caches.length - KEEP_FOLDERS)) unlinkSync(file);
}
