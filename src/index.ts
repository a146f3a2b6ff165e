/**
 * The "strata" entry: the public API, listed name by name. A name not listed here is
 * internal and may change freely.
 */
export { Migration } from "./core/migration.ts";
export { Seeder } from "./core/seeder.ts";
export { Migrator } from "./core/migrator.ts";
export type { MigratorOptions, MigratorEvent, StatusResult } from "./core/migrator.ts";
export type { Db, InsertManyOptions, TableQuery, WhereInput } from "./core/db.ts";
export type { MigrationState } from "./core/plan.ts";
export type { HistoryEvent, EventAction } from "./core/history.ts";
export type { ResolveAction } from "./core/resolve.ts";
export { Schema } from "./schema/schema.ts";
export type { CreateTableOptions, ForeignKeyOptions, IndexOptions } from "./schema/schema.ts";
export type { ColumnDef, ColumnOptions, ColumnType, ReferentialAction } from "./schema/columns.ts";
export type { Operation } from "./schema/operations.ts";
export { defineConfig } from "./config/define-config.ts";
export type { StrataConfig, EnvironmentOptions, SeederOptions, BackupOptions, DdlOptions, PluginInput } from "./config/define-config.ts";
export type { ResolvedConfig } from "./config/environments.ts";
export { definePlugin, abort } from "./hooks/define-plugin.ts";
export type { Plugin, PluginHooks, HookHandler, HookEntry, HookOrder, PluginCommand, PluginCommandContext } from "./hooks/define-plugin.ts";
export type { BackupProvider, BackupRequest, BackupResult, BackupEntry } from "./hooks/backup.ts";
export type { BatchPolicy } from "./hooks/batching.ts";
export type { TransformOptions, TransformFunction } from "./transform/options.ts";
export type { HookName, HookPayloads, HookContext, PlannedMigration, ErrorInfo, RunInfo } from "./hooks/types.ts";
export { StrataError, ConfigError, UsageError, MigrationError, PluginError, LockError } from "./errors.ts";
export type { ErrorCode, RunResult } from "./errors.ts";
export { describeUrl, redactSecrets } from "./util/redact.ts";
export { STRATA_VERSION } from "./util/version.ts";
