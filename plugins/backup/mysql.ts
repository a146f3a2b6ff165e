import { createReadStream } from "node:fs";
import { basename, dirname } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { BackupRequest } from "strata";
import { BackupFailure, fsFailure, HINT_OTHER_BACKUP, sentence, toolFailure } from "./failure.ts";
import { createExclusive } from "./files.ts";
import { flavorOf, withOptionFile } from "./mysql-options.ts";
import { streamToHandle, Tap } from "./streams.ts";
import type { MysqlTarget } from "./target.ts";
import { findTool, runTool, startTool, toolVersion, type ToolPaths } from "./tools.ts";

/**
 * mysqldump / mariadb-dump in one consistent snapshot (--single-transaction, no table
 * locks), with routines and triggers, piped through gzip when compressing. The dump names
 * no database (no CREATE DATABASE / USE), so it restores into whichever database is
 * configured.
 */
export async function dumpMysql(target: MysqlTarget, temp: string, gzipLevel: number, tools: ToolPaths): Promise<{ name: string; version: string }> {
  const dump = await findTool("mysqldump", tools);
  const version = await toolVersion(dump);
  const flavor = flavorOf(version);
  const handle = await createExclusive(temp);
  try {
    await withOptionFile(target, flavor, async (defaults) => {
      const args = [
        defaults, "--single-transaction", "--routines", "--triggers", "--hex-blob", "--default-character-set=utf8mb4",
        "--no-tablespaces", "--quick", "--comments", "--dump-date",
        // Oracle's mysqldump 8 asks the server for column statistics (MariaDB has none) and
        // writes GTID_PURGED, which a restore into a GTID server refuses.
        ...(flavor === "mysql" ? ["--set-gtid-purged=OFF", ...(/\bVer (8|9)\./.test(version) ? ["--column-statistics=0"] : [])] : []),
        target.name,
      ];
      const running = startTool(dump, args, {}, ["ignore", "pipe", "pipe"]);
      const tap = new Tap();
      let writeError: unknown;
      try {
        await streamToHandle(running.child.stdout!, handle, { tap, ...(gzipLevel > 0 ? { gzipLevel } : {}) });
      } catch (error) {
        writeError = error;
        running.child.kill("SIGTERM");
      }
      const exit = await running.exit;
      if (writeError) throw fsFailure(writeError, dirname(temp), "writing the backup into");
      if (exit.code !== 0) throw toolFailure(dump.name, exit, target.secrets);
      const problem = dumpProblem(tap);
      if (problem) throw new BackupFailure(`${dump.name} exited successfully but ${problem === "is empty" ? "wrote nothing" : `its output ${problem}`}.`);
    });
    await handle.sync().catch((error: unknown) => {
      throw fsFailure(error, dirname(temp), "flushing the backup in");
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { name: dump.name, version };
}

/** What is wrong with a dump, if anything: a complete one starts with the tool's banner and ends with "-- Dump completed". */
function dumpProblem(tap: Tap): string | undefined {
  if (tap.bytes === 0) return "is empty";
  if (!/^-- (MariaDB|MySQL) dump/m.test(tap.head.toString("utf8"))) return "is not a SQL dump";
  if (!tap.tail.toString("utf8").includes("-- Dump completed")) return 'is incomplete (no "-- Dump completed" at the end)';
  return undefined;
}

const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

const quoteId = (name: string) => `\`${name.replace(/`/g, "``")}\``;

/**
 * MySQL cannot restore in one transaction (DDL commits), so: every table, view, sequence
 * and routine of the database is dropped first (foreign key checks off), so that tables
 * created after the backup are gone too, then the dump is loaded through the mysql client.
 */
export async function restoreMysql(request: BackupRequest, target: MysqlTarget, file: string, compressed: boolean, tools: ToolPaths): Promise<void> {
  const client = await findTool("mysql", tools);
  const flavor = flavorOf(await toolVersion(client));
  // Nothing is dropped until the whole dump has been read back complete and the client has
  // shown that it can log in: after the drops there is no going back.
  const tap = new Tap();
  try {
    await pipeline(compressed ? [createReadStream(file), createGunzip(), tap, discard()] : [createReadStream(file), tap, discard()]);
  } catch (error) {
    throw new BackupFailure(`${basename(file)} cannot be read back (${error instanceof Error ? error.message : String(error)}). Nothing was restored.`, HINT_OTHER_BACKUP);
  }
  const problem = dumpProblem(tap);
  if (problem) throw new BackupFailure(`${basename(file)} ${problem}. Nothing was restored.`, HINT_OTHER_BACKUP);
  await withOptionFile(target, flavor, async (defaults) => {
    const probe = await runTool(client, [defaults, `--database=${target.name}`, "--execute=select 1"]);
    if (probe.code !== 0) throw toolFailure(client.name, probe, target.secrets);
    await dropEverything(request);
    const running = startTool(client, [defaults, "--batch", "--default-character-set=utf8mb4", `--database=${target.name}`], {}, ["pipe", "ignore", "pipe"]);
    const input = running.child.stdin!;
    let readError: unknown;
    try {
      await pipeline(compressed ? [createReadStream(file), createGunzip(), input] : [createReadStream(file), input]);
    } catch (error) {
      readError = error;
      running.child.kill("SIGTERM");
    }
    const exit = await running.exit;
    const partly = "MySQL cannot restore in one transaction, so the database is now partly restored.";
    if (exit.code !== 0) {
      const failure = toolFailure(client.name, exit, target.secrets);
      throw new BackupFailure(`${sentence(failure.message)} ${partly}`, failure.hint ?? "Fix the cause and run strata restore again.");
    }
    if (readError) throw new BackupFailure(`reading ${basename(file)} failed: ${readError instanceof Error ? readError.message : String(readError)}. ${partly}`, "Fix the cause and run strata restore again.");
  });
}

async function dropEverything(request: BackupRequest): Promise<void> {
  await request.query("set foreign_key_checks = 0");
  try {
    const tables = await request.query("select table_name as name, table_type as type from information_schema.tables where table_schema = database()");
    for (const row of tables) {
      const kind = row.type === "VIEW" ? "view" : row.type === "SEQUENCE" ? "sequence" : "table";
      await request.query(`drop ${kind} if exists ${quoteId(String(row.name))}`);
    }
    const routines = await request.query("select routine_name as name, routine_type as type from information_schema.routines where routine_schema = database()");
    for (const row of routines) {
      await request.query(`drop ${row.type === "FUNCTION" ? "function" : "procedure"} if exists ${quoteId(String(row.name))}`);
    }
  } finally {
    await request.query("set foreign_key_checks = 1");
  }
}
