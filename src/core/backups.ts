import type { ResolvedConfig } from "../config/environments.ts";
import { isStrataError, StrataError } from "../errors.ts";
import type { BackupEntry, BackupProvider, BackupRequest, BackupResult } from "../hooks/backup.ts";
import type { Plugin } from "../hooks/define-plugin.ts";
import type { HookRunner } from "../hooks/runner.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { nowMs } from "../util/time.ts";
import { STRATA_VERSION } from "../util/version.ts";
import { connect, type Connection } from "./connection.ts";
import { provided } from "./providers.ts";

export type BackupEvent = { event: "backup"; file: string; sizeBytes: number; ms: number; reason: "run" | "command" };

interface BackupContext {
  config: ResolvedConfig;
  runtime: Runtime;
  hooks: HookRunner;
  log(message: string): void;
}

/** The plugin that provides backups: one listed in the config or the plugins/ folder, else the built-in `backup()`. */
export function backupProvider(plugins: readonly Plugin[], runtime: Runtime): Promise<BackupProvider> {
  return provided(plugins, runtime, "backup");
}

/**
 * A request for the provider, and close() for the connection its `query` may have opened:
 * the connection opens on first use only, so a backup through external tools never holds
 * one.
 */
export function backupRequest(ctx: BackupContext, reason: "run" | "command", head?: string): BackupRequest & { close(): Promise<void> } {
  const { config } = ctx;
  let connection: Promise<Connection> | undefined;
  return {
    query: async (sql, params = []) => {
      const conn = await (connection ??= connect(config));
      return (await conn.session.execute(sql, params)).rows;
    },
    close: async () => {
      if (connection) await (await connection).close();
      connection = undefined;
    },
    environment: config.environment,
    database: { url: config.database.url, described: config.database.described, dialect: config.database.dialect, ...(config.schema ? { schema: config.schema } : {}) },
    ...(head ? { head } : {}),
    reason,
    options: { dir: config.backup.dir, compress: config.backup.compress, retentionDays: config.backup.retentionDays },
    strataVersion: STRATA_VERSION,
    log: ctx.log,
  };
}

/**
 * A full backup with the backup hooks around it. Any failure (tool missing, disk full,
 * permission denied) is BACKUP_FAILED: before a run it stops the run with nothing applied.
 */
export async function takeBackup(ctx: BackupContext, provider: BackupProvider, reason: "run" | "command", head?: string): Promise<BackupResult & { ms: number }> {
  const { config, hooks } = ctx;
  await hooks.call("backup:before", { environment: config.environment, database: config.database.described, dialect: config.database.dialect, reason });
  const started = nowMs();
  let result: BackupResult;
  const request = backupRequest(ctx, reason, head);
  try {
    result = await provider.create(request);
  } catch (error) {
    if (isStrataError(error) && error.code === "BACKUP_FAILED") throw error;
    throw new StrataError("BACKUP_FAILED", `Backup of ${config.database.described} failed: ${error instanceof Error ? error.message : String(error)}`, {
      hint: reason === "run" ? "Nothing was applied. Fix the backup (see the message) or turn backup off for this environment." : "Fix the cause and run strata backup again.",
      cause: error,
    });
  } finally {
    await request.close();
  }
  const ms = nowMs() - started;
  await hooks.call("backup:after", { environment: config.environment, database: config.database.described, file: result.file, sizeBytes: result.sizeBytes, durationMs: ms });
  return { ...result, ms };
}

export async function listBackups(ctx: BackupContext, provider: BackupProvider): Promise<BackupEntry[]> {
  const request = backupRequest(ctx, "command");
  try {
    return await provider.list(request);
  } finally {
    await request.close();
  }
}

export async function restoreBackup(ctx: BackupContext, provider: BackupProvider, file: string): Promise<void> {
  const request = backupRequest(ctx, "command");
  try {
    await provider.restore(request, file);
  } finally {
    await request.close();
  }
}
