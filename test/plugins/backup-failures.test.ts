import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectExit, printed, statusJson, strata } from "../cli/fixtures.ts";
import type { CliResult } from "../helpers/cli.ts";
import { forEachDialect, testDatabase, type TestDatabase, type TestDialectName } from "../helpers/databases.ts";
import { snapshot, type Snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { backupConfig, databaseName, ENV, fillRandom, listing, M1, M2, M2_FILES, MIGRATIONS, pathWith, scriptDir, tinyDisk, unwritableDir } from "./backup-helpers.ts";

/**
 * A backup that fails before a run stops the run: exit 1, BACKUP_FAILED with the cause
 * (permission denied, disk full, tool missing, a tool that "succeeds" without a backup),
 * nothing applied (the database exactly as before, M2 still pending), no file left that
 * looks like a backup, and retention not run (an old backup is still there).
 */

interface Prepared {
  db: TestDatabase;
  dir: string;
  before: Snapshot;
}

/** M1 applied with backup off; then backup on (in `path`) and M2 pending. */
async function prepare(dialect: TestDialectName, path: string, fillKb = 0): Promise<Prepared> {
  const db = await testDatabase(dialect);
  const dir = await writeProject({ ...backupConfig(db.url, { backup: false }), ...MIGRATIONS });
  expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
  if (fillKb > 0) await fillRandom(db, fillKb);
  await addFiles(dir, { ...backupConfig(db.url, { path, retentionDays: 1 }), ...M2_FILES });
  return { db, dir, before: await snapshot(db.url) };
}

/** An old backup of this database, which retention would remove after a successful backup. */
async function oldBackup(folder: string, db: TestDatabase): Promise<string> {
  const name = `production-${databaseName(db)}-20200101T000000Z.${db.dialect === "postgres" ? "dump" : db.dialect === "mysql" ? "sql.gz" : "db.gz"}`;
  await writeFile(join(folder, name), "an old backup");
  const then = new Date("2020-01-01T00:00:00Z");
  await utimes(join(folder, name), then, then);
  return name;
}

async function expectStopped(p: Prepared, result: CliResult, cause: RegExp): Promise<void> {
  expectExit(result, 1);
  const out = printed(result);
  expect(out).toContain("[BACKUP_FAILED]");
  expect(out).toMatch(cause);
  expect(out).toContain("Nothing was applied");
  expect(await snapshot(p.db.url)).toEqual(p.before);
  const status = await statusJson(p.dir, [...ENV]);
  expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[M1, "applied"], [M2, "pending"]]);
}

forEachDialect((dialect) => {
  describe("a failed backup aborts the run", () => {
    it("permission denied (a folder even root cannot write): exit 1, nothing applied, nothing left, no retention", async (ctx) => {
      const p = await prepare(dialect, "backups");
      let old = "";
      // The old backup is written before the folder is locked.
      const locked = await unwritableDir(async (folder) => void (old = await oldBackup(folder, p.db)));
      if (!locked) return ctx.skip("neither chattr +i nor a read-only mount works here");
      await addFiles(p.dir, backupConfig(p.db.url, { path: locked.dir, retentionDays: 1 }));
      await expectStopped(p, await strata(p.dir, ["up", ...ENV, "--yes"]), /permission denied .*\((EPERM|EACCES|EROFS)/);
      expect(listing(locked.dir)).toEqual([old]);
    });

    it("disk full (a 64 KB tmpfs): exit 1, nothing applied, the temp file removed, no retention", async (ctx) => {
      const disk = await tinyDisk(64);
      if (!disk) return ctx.skip("mount -t tmpfs failed (needs root)");
      const p = await prepare(dialect, disk, 300);
      const old = await oldBackup(disk, p.db);
      await expectStopped(p, await strata(p.dir, ["up", ...ENV, "--yes"]), /disk full/);
      expect(listing(disk)).toEqual([old]);
    });
  });
});

forEachDialect((dialect) => {
  const dumpTool = dialect === "postgres" ? "pg_dump" : "mariadb-dump";
  describe("a failed dump tool aborts the run", () => {
    it("the tool is missing: the message names the package to install", async () => {
      const p = await prepare(dialect, "backups");
      const result = await strata(p.dir, ["up", ...ENV, "--yes"], { PATH: "/nonexistent-strata-bin" });
      await expectStopped(p, result, dialect === "postgres" ? /pg_dump was not found.*postgresql-client/s : /mariadb-dump or mysqldump was not found.*mariadb-client.*default-mysql-client/s);
      expect(printed(result)).toContain("apt-get install");
      expect(listing(join(p.dir, "backups"))).toEqual([]);
    });

    it("the tool exits 0 without writing a backup: refused, nothing left", async () => {
      const p = await prepare(dialect, "backups");
      const bin = await scriptDir({ [dumpTool]: `echo "${dumpTool}: error: connection to server lost" >&2\nexit 0` });
      await expectStopped(p, await strata(p.dir, ["up", ...ENV, "--yes"], { PATH: pathWith(bin) }), /exited successfully but wrote nothing/);
      expect(listing(join(p.dir, "backups"))).toEqual([]);
    });

    it("the tool exits 0 after writing something that is not a complete backup: refused, nothing left", async () => {
      const p = await prepare(dialect, "backups");
      const partial = dialect === "postgres"
        ? `for a in "$@"; do case "$a" in --file=*) printf 'partial output' > "\${a#--file=}";; esac; done\nexit 0`
        : `printf -- '-- MariaDB dump 10.19\\n\\nCREATE TABLE t (id int);\\nINSERT INTO t VALUES (1'\nexit 0`;
      const bin = await scriptDir({ [dumpTool]: partial });
      await expectStopped(p, await strata(p.dir, ["up", ...ENV, "--yes"], { PATH: pathWith(bin) }), dialect === "postgres" ? /not a pg_dump custom-format archive/ : /incomplete/);
      expect(listing(join(p.dir, "backups"))).toEqual([]);
    });

    it("the tool fails: its own message is shown, nothing left", async () => {
      const p = await prepare(dialect, "backups");
      const bin = await scriptDir({ [dumpTool]: `echo "${dumpTool}: error: query failed: ERROR: permission denied for table accounts" >&2\nexit 1` });
      await expectStopped(p, await strata(p.dir, ["up", ...ENV, "--yes"], { PATH: pathWith(bin) }), new RegExp(`${dumpTool} exited with code 1: .*permission denied for table accounts`));
      expect(listing(join(p.dir, "backups"))).toEqual([]);
    });
  });
}, ["postgres", "mysql"]);
