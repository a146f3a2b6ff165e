import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectExit, printed, strata } from "../cli/fixtures.ts";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { query, snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { backupConfig, databaseName, ENV, fakeOldBackup, listing, M1, M2, M2_FILES, MIGRATIONS } from "./backup-helpers.ts";

/**
 * The backup commands: `strata backup`, `strata backup list [--json]`, `strata restore`
 * (confirmation, a tampered file, paths), retention, and a managed PostgreSQL schema.
 */

interface ListJson {
  backups: { file: string; createdAt: string; sizeBytes: number; environment?: string; database?: string; head?: string }[];
}

const list = async (dir: string) => parseJson<ListJson>(await strata(dir, ["backup", "list", ...ENV, "--json"])).backups;

forEachDialect((dialect) => {
  describe("strata backup, backup list, restore", () => {
    it("strata backup takes one now; backup list shows them newest first, human and --json", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ ...backupConfig(db.url, { backup: false }), ...MIGRATIONS });
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      expect(listing(join(dir, "backups"))).toEqual([]);

      const first = await strata(dir, ["backup", ...ENV]);
      expectExit(first, 0);
      const second = await strata(dir, ["backup", ...ENV, "--json"]);
      expectExit(second, 0);
      const written = parseJson<{ file: string; sizeBytes: number }>(second);
      expect(written.sizeBytes).toBeGreaterThan(0);

      const backups = await list(dir);
      expect(backups).toHaveLength(2);
      expect(backups[0].file).toBe(written.file);
      expect(first.stdout).toContain(basename(backups[1].file));
      for (const b of backups) {
        expect(b).toMatchObject({ environment: "production", head: M1 });
        expect(readFileSync(`${b.file}.json`, "utf8")).toContain(`"sha256"`);
      }
      // Two backups within one second get distinct names.
      expect(new Set(backups.map((b) => b.file)).size).toBe(2);
      const human = await strata(dir, ["backup", "list", ...ENV]);
      expectExit(human, 0);
      for (const b of backups) expect(human.stdout).toContain(b.file);
    });

    it("restore asks for confirmation (exit 2 without --yes and a terminal), refuses a tampered file, and finds files relative to the working directory", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ ...backupConfig(db.url), ...MIGRATIONS });
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const before = await snapshot(db.url);
      await addFiles(dir, M2_FILES);
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const after = await snapshot(db.url);
      const [newest] = await list(dir);
      const relative = `backups/${basename(newest.file)}`;

      const unconfirmed = await strata(dir, ["restore", relative, ...ENV]);
      expectExit(unconfirmed, 2);
      expect(printed(unconfirmed)).toContain("CONFIRMATION_REQUIRED");
      expect(await snapshot(db.url)).toEqual(after);

      const missing = await strata(dir, ["restore", "backups/no-such-file.dump", ...ENV, "--yes"]);
      expectExit(missing, 1);
      expect(printed(missing)).toContain("no backup file backups/no-such-file.dump");

      // One byte changed in the middle, size unchanged: the checksum catches it.
      const original = readFileSync(newest.file);
      const tampered = Buffer.from(original);
      tampered[Math.floor(tampered.length / 2)] ^= 0xff;
      writeFileSync(newest.file, tampered);
      const refused = await strata(dir, ["restore", relative, ...ENV, "--yes"]);
      expectExit(refused, 1);
      expect(printed(refused)).toContain("BACKUP_FAILED");
      expect(printed(refused)).toContain("does not match its manifest");
      expect(await snapshot(db.url)).toEqual(after);

      writeFileSync(newest.file, original);
      expectExit(await strata(dir, ["restore", relative, ...ENV, "--yes"]), 0);
      expect(await snapshot(db.url)).toEqual(before);
    });

    it("without its manifest, a truncated backup is refused and the database left as it was; an intact one restores", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ ...backupConfig(db.url), ...MIGRATIONS });
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const before = await snapshot(db.url);
      await addFiles(dir, M2_FILES);
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const after = await snapshot(db.url);
      const [newest] = await list(dir);
      rmSync(`${newest.file}.json`);
      const original = readFileSync(newest.file);
      const copy = join(dir, "copied.bak");
      writeFileSync(copy, original.subarray(0, Math.floor(original.length * 0.6)));

      const refused = await strata(dir, ["restore", copy, ...ENV, "--yes"]);
      expectExit(refused, 1);
      expect(printed(refused)).toContain("BACKUP_FAILED");
      expect(await snapshot(db.url)).toEqual(after);

      writeFileSync(copy, original);
      const restored = await strata(dir, ["restore", "copied.bak", ...ENV, "--yes"]);
      expectExit(restored, 0);
      expect(printed(restored)).toContain("no manifest");
      expect(await snapshot(db.url)).toEqual(before);
    });

    it("refuses a backup of another kind of database", async () => {
      const db = await testDatabase(dialect);
      const dir = await writeProject({ ...backupConfig(db.url), ...MIGRATIONS });
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const after = await snapshot(db.url);
      const foreign = join(dir, "foreign.bak");
      writeFileSync(foreign, dialect === "sqlite" ? "-- MariaDB dump 10.19\n-- Dump completed\n" : "SQLite format 3\0".padEnd(4096, "\0"));
      const refused = await strata(dir, ["restore", foreign, ...ENV, "--yes"]);
      expectExit(refused, 1);
      expect(printed(refused)).toMatch(new RegExp(`is a (mysql|sqlite) backup and the database is ${dialect}`));
      expect(await snapshot(db.url)).toEqual(after);
    });
  });
});

describe("retention", () => {
  it("after a successful backup, removes this environment's and database's backups older than retentionDays, keeps the newest, recent ones and foreign files", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({ ...backupConfig(db.url, { backup: false, retentionDays: 7 }), ...MIGRATIONS });
    const folder = join(dir, "backups");
    expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
    expectExit(await strata(dir, ["backup", ...ENV]), 0);
    const [source] = await list(dir);
    const prefix = `production-${databaseName(db)}-`;

    const old40 = await fakeOldBackup(folder, source.file, prefix, 40);
    const old10 = await fakeOldBackup(folder, source.file, prefix, 10);
    const old30bare = await fakeOldBackup(folder, source.file, prefix, 30, { manifest: false });
    const recent3 = await fakeOldBackup(folder, source.file, prefix, 3);
    const foreign = [
      await fakeOldBackup(folder, source.file, `staging-${databaseName(db)}-`, 100),
      await fakeOldBackup(folder, source.file, "production-other_db-", 100),
      "notes.txt",
      `${prefix}manual-copy.db.gz`,
    ];
    // A database of the same name on another kind of server: its manifest tells it apart.
    const otherServer = await fakeOldBackup(folder, source.file, prefix, 50);
    const otherManifest = join(folder, `${otherServer}.json`);
    await writeFile(otherManifest, JSON.stringify({ ...JSON.parse(readFileSync(otherManifest, "utf8")), dialect: "postgres" }));
    foreign.push(otherServer);
    // Another database whose name makes the same prefix (app-old and app_old): its manifest's name tells it apart.
    const sameprefix = await fakeOldBackup(folder, source.file, prefix, 60);
    const samePrefixManifest = join(folder, `${sameprefix}.json`);
    await writeFile(samePrefixManifest, JSON.stringify({ ...JSON.parse(readFileSync(samePrefixManifest, "utf8")), databaseName: `${databaseName(db)}-x` }));
    foreign.push(sameprefix);
    const longAgo = new Date(Date.now() - 200 * 86_400_000);
    for (const name of ["notes.txt", `${prefix}manual-copy.db.gz`]) {
      await writeFile(join(folder, name), "not a strata backup");
      await utimes(join(folder, name), longAgo, longAgo);
    }

    // backup list reads ages from manifests, and from the file's mtime when there is none.
    const listed = await list(dir);
    expect(listed.map((b) => basename(b.file))).toEqual([basename(source.file), recent3, old10, old30bare, old40]);
    const bareAge = (Date.now() - Date.parse(listed[3].createdAt)) / 86_400_000;
    expect(Math.round(bareAge)).toBe(30);

    const taken = await strata(dir, ["backup", ...ENV, "--json"]);
    expectExit(taken, 0);
    const fresh = basename(parseJson<{ file: string }>(taken).file);

    const left = listing(folder);
    for (const gone of [old40, old10, old30bare]) {
      expect(left).not.toContain(gone);
      expect(left).not.toContain(`${gone}.json`);
    }
    for (const kept of [fresh, basename(source.file), recent3]) {
      expect(left).toContain(kept);
      expect(left).toContain(`${kept}.json`);
    }
    for (const name of foreign) expect(left).toContain(name);
    expect((await list(dir)).map((b) => basename(b.file))).toEqual([fresh, basename(source.file), recent3]);
  });

  it("strata backup of a SQLite file that does not exist fails (exit 1) and writes nothing, nor the file", async () => {
    const dir = await writeProject({ ...backupConfig("file:data/typo.db", { backup: false }), ...MIGRATIONS });
    const result = await strata(dir, ["backup", ...ENV]);
    expectExit(result, 1);
    expect(result.stderr).toContain("BACKUP_FAILED");
    expect(result.stderr).toMatch(/typo\.db does not exist/);
    expect(listing(join(dir, "backups"))).toEqual([]);
    expect(listing(join(dir, "data"))).toEqual([]);
  });

  it("retentionDays 0 keeps every backup", async () => {
    const db = await testDatabase("sqlite");
    const dir = await writeProject({ ...backupConfig(db.url, { backup: false, retentionDays: 0 }), ...MIGRATIONS });
    expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
    expectExit(await strata(dir, ["backup", ...ENV]), 0);
    const [source] = await list(dir);
    const old = await fakeOldBackup(join(dir, "backups"), source.file, `production-${databaseName(db)}-`, 400);
    expectExit(await strata(dir, ["backup", ...ENV]), 0);
    expect(listing(join(dir, "backups"))).toContain(old);
  });
});

forEachDialect(() => {
  describe("a managed schema", () => {
    it("restore drops what the backup does not contain in every schema the user owns, and brings the managed schema back", async () => {
      const db = await testDatabase("postgres");
      const dir = await writeProject({
        "strata.config.json": JSON.stringify({ schema: "app", environments: { production: { database: db.url, backup: true } }, backup: { path: "backups" } }),
        ...MIGRATIONS,
      });
      const tables = async () =>
        (await query(db.url, "select table_schema || '.' || table_name as t from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1")).map((r) => r.t);
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      const beforeTables = await tables();
      expect(beforeTables).toContain("app.accounts");
      const beforeRows = await query(db.url, "select * from app.accounts order by id");

      await addFiles(dir, M2_FILES);
      expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
      await query(db.url, "create schema later; create table later.t (id int); create table public.stray (id int)");
      expect(await tables()).toEqual(expect.arrayContaining(["app.orders", "later.t", "public.stray"]));

      const [newest] = await list(dir);
      expect(newest.head).toBe(M1);
      expectExit(await strata(dir, ["restore", newest.file, ...ENV, "--yes"]), 0);
      expect(await tables()).toEqual(beforeTables);
      expect(await query(db.url, "select * from app.accounts order by id")).toEqual(beforeRows);
      expect(await query(db.url, "select nspname from pg_namespace where nspname in ('app', 'later', 'public') order by 1")).toEqual([{ nspname: "app" }, { nspname: "public" }]);
      const status = parseJson<{ migrations: { id: string; state: string }[] }>(await strata(dir, ["status", ...ENV, "--json"]));
      expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[M1, "applied"], [M2, "pending"]]);
    });
  });
}, ["postgres"]);

describe("strata plugins with backups on", () => {
  it("lists the built-in backup plugin that will take them, only where backups are on", async () => {
    const dir = await writeProject({ ...backupConfig("file:./data/prod.db"), ...MIGRATIONS });
    const on = await strata(dir, ["plugins", ...ENV, "--json"]);
    expectExit(on, 0);
    expect(parseJson<{ plugins: unknown[] }>(on).plugins).toEqual([{ name: "backup", hooks: [], commands: [], backup: true, builtin: true }]);
    expect((await strata(dir, ["plugins", ...ENV])).stdout).toContain("backup (built-in)");
    const off = await strata(dir, ["plugins", "--json"]);
    expect(parseJson<{ plugins: unknown[] }>(off).plugins).toEqual([]);
  });
});
