import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverMigrations } from "../../src/core/discover.ts";
import { discoveryCacheDir } from "../../src/core/discovery-cache.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { checksumText } from "../../src/util/checksum.ts";
import { writeProject } from "../helpers/project.ts";

const SQL = "-- migrate:up\ncreate table users (id int);\n-- migrate:down\ndrop table users;\n";
const TS = `export default class AddProfiles extends Migration { dependencies = ["20260101000000_create_users"]; up() {} }`;
const FILES = { "migrations/20260101000000_create_users.sql": SQL, "migrations/20260102000000_add_profiles.ts": TS };

/** Files only enter the cache once their mtime and ctime are 2 seconds old. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_100));

function cacheFile(cacheDir: string): string {
  const files = readdirSync(cacheDir).filter((f) => f.startsWith("discovery-"));
  expect(files).toHaveLength(1);
  return join(cacheDir, files[0]);
}

describe("discovery cache", () => {
  /** Projects written once and left to settle together: one wait for the whole file. */
  const projects: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) projects.push(await writeProject({ ...FILES, "not-a-folder": "x" }, { keep: true }));
    await settle();
  });
  afterAll(() => {
    for (const project of projects) rmSync(project, { recursive: true, force: true });
  });

  it("keeps what it read of settled files, uses it while the files are unchanged, reads a file again once it changes", () => {
    const dir = projects[0];
    const cacheDir = join(dir, "cache");
    const first = discoverMigrations(`${dir}/migrations`, dir, cacheDir);
    expect(first.migrations.map((m) => m.checksum)).toEqual([checksumText(SQL), checksumText(TS)]);
    const file = cacheFile(cacheDir);
    const cached = JSON.parse(readFileSync(file, "utf8"));
    expect([...cached.names].sort()).toEqual(["20260101000000_create_users.sql", "20260102000000_add_profiles.ts"]);

    // The cache answers for unchanged files: a value planted in it comes back.
    cached.rows[cached.names.indexOf("20260101000000_create_users.sql")][4] = "planted";
    writeFileSync(file, JSON.stringify(cached));
    const second = discoverMigrations(`${dir}/migrations`, dir, cacheDir);
    expect(second.migrations.map((m) => m.checksum)).toEqual(["planted", checksumText(TS)]);
    expect(second.migrations[1]).toMatchObject({ className: "AddProfiles", dependencies: ["20260101000000_create_users"], staticallyKnown: true });

    // An edit of the same size, even one that keeps the mtime, changes the ctime: read again.
    const edited = SQL.replace("users (id int)", "people(id int)");
    expect(edited.length).toBe(SQL.length);
    writeFileSync(join(dir, "migrations/20260101000000_create_users.sql"), edited);
    const third = discoverMigrations(`${dir}/migrations`, dir, cacheDir);
    expect(third.migrations[0].checksum).toBe(checksumText(edited));
    expect(third.migrations[0].sql!.up.sql).toBe("create table people(id int);");
  });

  it("reads a cached .sql file's sections when they are needed, and refuses a file that changed since discovery", () => {
    const project = projects[1];
    const cache = join(project, "cache");
    discoverMigrations(`${project}/migrations`, project, cache);
    const hit = discoverMigrations(`${project}/migrations`, project, cache).migrations[0];
    expect(hit.sql!.up.sql).toBe("create table users (id int);");
    expect(hit.sql!.down!.sql).toBe("drop table users;");

    const stale = discoverMigrations(`${project}/migrations`, project, cache).migrations[0];
    writeFileSync(join(project, "migrations/20260101000000_create_users.sql"), SQL.replace("users", "other"));
    expect(() => stale.sql).toThrow(/20260101000000_create_users\.sql .*changed on disk while strata was running/);
  });

  it("never caches a file written in the last 2 seconds", async () => {
    const project = await writeProject(FILES);
    const cache = join(project, "cache");
    discoverMigrations(`${project}/migrations`, project, cache);
    expect(existsSync(cache)).toBe(false);
  });

  it("ignores a cache it cannot write and one written by another strata version", () => {
    const project = projects[2];
    const unwritable = join(project, "not-a-folder", "cache");
    expect(discoverMigrations(`${project}/migrations`, project, unwritable).migrations.map((m) => m.checksum)).toEqual([checksumText(SQL), checksumText(TS)]);

    const cache = join(project, "cache");
    discoverMigrations(`${project}/migrations`, project, cache);
    const file = cacheFile(cache);
    const cached = JSON.parse(readFileSync(file, "utf8"));
    cached.version = "0.0.0-other";
    cached.rows[cached.names.indexOf("20260101000000_create_users.sql")][4] = "planted";
    writeFileSync(file, JSON.stringify(cached));
    expect(discoverMigrations(`${project}/migrations`, project, cache).migrations[0].checksum).toBe(checksumText(SQL));
  });
});

describe("discovery cache folder", () => {
  it("keeps the 100 most recently used caches when a new project adds one", async () => {
    const project = await writeProject(FILES);
    const cache = join(project, "cache");
    mkdirSync(cache);
    const day = 86_400;
    for (let i = 0; i < 100; i++) {
      const file = join(cache, `discovery-old${String(i).padStart(3, "0")}.json`);
      writeFileSync(file, "{}");
      // old000 is the least recently used.
      utimesSync(file, Date.now() / 1000 - (200 - i) * day, Date.now() / 1000 - (200 - i) * day);
    }
    await settle();
    discoverMigrations(`${project}/migrations`, project, cache);
    const names = readdirSync(cache);
    expect(names).toHaveLength(100);
    expect(names).not.toContain("discovery-old000.json");
    expect(names).toContain("discovery-old001.json");
  });
});

describe("discoveryCacheDir", () => {
  const runtime = (env: Record<string, string>) => ({ env: (name: string) => env[name] }) as Runtime;

  it("is STRATA_CACHE_DIR, off when it says off, else under XDG_CACHE_HOME or ~/.cache", () => {
    expect(discoveryCacheDir(runtime({ STRATA_CACHE_DIR: "/c", HOME: "/h" }))).toBe("/c");
    expect(discoveryCacheDir(runtime({ STRATA_CACHE_DIR: "off", HOME: "/h" }))).toBeUndefined();
    expect(discoveryCacheDir(runtime({ XDG_CACHE_HOME: "/x", HOME: "/h" }))).toBe(join("/x", "strata"));
    expect(discoveryCacheDir(runtime({ HOME: "/h" }))).toBe(join("/h", ".cache", "strata"));
    expect(discoveryCacheDir(runtime({}))).toBeUndefined();
  });
});
