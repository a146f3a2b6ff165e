import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectExit, printed, statusJson, strata } from "../cli/fixtures.ts";
import { parseJson } from "../helpers/cli.ts";
import { forEachDialect, testDatabase } from "../helpers/databases.ts";
import { snapshot } from "../helpers/dump.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { backupConfig, BACKUP_NAME, databaseName, ENV, M1, M2, M2_FILES, MIGRATIONS, readSpy, SPY_PLUGIN } from "./backup-helpers.ts";

/**
 * `strata up` in an environment with backup on takes a full backup before anything is
 * written, and `strata restore <file> --yes` brings the database back to exactly that
 * state: schema (through strata's introspector) and every row, strata's own tables
 * included, on real servers.
 */

interface ListJson {
  backups: { file: string; createdAt: string; sizeBytes: number; environment?: string; database?: string; head?: string }[];
}

forEachDialect((dialect) => {
  describe("backup before a run, restore to the pre-migration state", () => {
    for (const compress of [true, false]) {
      it(`${compress ? "compressed" : "uncompressed"}: the backup exists before the first migration runs and restores exactly`, async () => {
        const db = await testDatabase(dialect);
        const dir = await writeProject({ ...backupConfig(db.url, { compress }), ...MIGRATIONS, ...SPY_PLUGIN });

        // Run 1 backs up the empty database, then applies M1.
        expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
        const before = await snapshot(db.url);
        expect(before.schema.tables.map((t) => t.name)).toContain("accounts");

        // Run 2 backs up the state after M1, then applies M2.
        await addFiles(dir, M2_FILES);
        const up = await strata(dir, ["up", ...ENV, "--yes"]);
        expectExit(up, 0);
        const after = await snapshot(db.url);
        expect(after.schema.tables.map((t) => t.name)).toContain("orders");
        expect(after).not.toEqual(before);

        const list = parseJson<ListJson>(await strata(dir, ["backup", "list", ...ENV, "--json"]));
        expect(list.backups).toHaveLength(2);
        const [second, first] = list.backups;
        expect(Date.parse(second.createdAt)).toBeGreaterThanOrEqual(Date.parse(first.createdAt));
        expect(second.head).toBe(M1);
        expect(first.head).toBeUndefined();
        const ext = dialect === "postgres" ? ".dump" : `${dialect === "mysql" ? ".sql" : ".db"}${compress ? ".gz" : ""}`;
        expect(basename(second.file)).toMatch(new RegExp(`^production-${databaseName(db)}-\\d{8}T\\d{6}Z(-\\d+)?${ext.replace(/\./g, "\\.")}$`));
        expect(printed(up)).toContain(basename(second.file));

        // When M2 was about to run, its backup and manifest were already in the folder.
        const spy = readSpy(dir);
        expect(spy.map((s) => s.id)).toEqual([M1, M2]);
        expect(spy[1].backups).toEqual(expect.arrayContaining([basename(second.file), `${basename(second.file)}.json`]));
        expect(spy[0].backups).toEqual(expect.arrayContaining([basename(first.file), `${basename(first.file)}.json`]));
        expect(spy[1].backups.filter((f) => !BACKUP_NAME.test(f))).toEqual([]);

        const manifest = JSON.parse(readFileSync(`${second.file}.json`, "utf8"));
        expect(manifest).toMatchObject({
          file: basename(second.file),
          sizeBytes: second.sizeBytes,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          strataVersion: expect.any(String),
          head: M1,
          environment: "production",
          database: expect.any(String),
          dialect,
          compressed: compress,
          tool: { name: expect.any(String), version: expect.any(String) },
        });
        expect(manifest.createdAt).toBe(second.createdAt);

        // Restoring the second backup gives back the state before M2, exactly.
        const restored = await strata(dir, ["restore", second.file, ...ENV, "--yes"]);
        expectExit(restored, 0);
        expect(await snapshot(db.url)).toEqual(before);
        const status = await statusJson(dir, [...ENV]);
        expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[M1, "applied"], [M2, "pending"]]);

        // The first backup was taken before strata created even its own tables.
        expectExit(await strata(dir, ["restore", basename(first.file), ...ENV, "--yes"]), 0);
        expect((await snapshot(db.url)).schema.tables).toEqual([]);

        // The restored database is a working one: the migrations apply again.
        expectExit(await strata(dir, ["up", ...ENV, "--yes"]), 0);
        expect((await snapshot(db.url)).schema.tables.map((t) => t.name)).toEqual(expect.arrayContaining(["accounts", "orders"]));
        expect(existsSync(join(dir, "backups"))).toBe(true);
      });
    }
  });
});
