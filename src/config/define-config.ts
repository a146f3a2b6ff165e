import type { TlsOption } from "../dialects/dialect.ts";
import type { Plugin } from "../hooks/define-plugin.ts";
import { KIND } from "../util/brand.ts";

/** One environment: its own database and history. */
export interface EnvironmentOptions {
  /** A database URL, or a database name joined to the base `url` (a SQLite file under ./data/ when there is none). */
  database?: string;
  /** Same as `database`, for a full URL. */
  url?: string;
  /** Back up before each run that applies or rolls back migrations. */
  backup?: boolean;
  /** A plain `up` only prints the plan here; applying needs `--apply` (and `--yes` when not interactive). */
  dryRun?: boolean;
  dry_run?: boolean;
  lockTimeout?: number;
  lock_timeout?: number;
  statementTimeout?: number;
  statement_timeout?: number;
  /** PostgreSQL schema strata manages. */
  schema?: string;
}

export interface SeederOptions {
  path?: string;
  /** Environments where `strata seed` may run (default: development, testing, test). */
  environments?: string[];
}

export interface BackupOptions {
  enabled?: boolean;
  path?: string;
  compress?: boolean;
  retentionDays?: number;
  retention_days?: number;
}

export type PluginInput = Plugin | false | null | undefined | PluginInput[];

export interface DdlOptions {
  /** How long a DDL statement waits for a table lock before giving up, in ms (default 10000). */
  lockTimeout?: number;
  lock_timeout?: number;
  /** How often a migration that gave up waiting for a lock is retried (default 3). */
  retries?: number;
}

/** The strata configuration (`strata.config.ts`). Every key is optional. */
export interface StrataConfig {
  /** Migrations folder, relative to the config file (default "migrations"). */
  path?: string;
  /** History table (default "migrations"); the event log is `<table>_log`. */
  table?: string;
  /** Base database URL environments join their `database` name to. */
  url?: string;
  environments?: Record<string, EnvironmentOptions>;
  seeder?: SeederOptions;
  backup?: BackupOptions;
  plugins?: PluginInput[];
  /** How long a second runner waits for the migration lock, in ms (default 30000). */
  lockTimeout?: number;
  lock_timeout?: number;
  /** Statement timeout in ms (0 = none, the default). */
  statementTimeout?: number;
  statement_timeout?: number;
  ddl?: DdlOptions;
  /** PostgreSQL schema strata manages (default: the connection's current schema). */
  schema?: string;
  /**
   * "timestamp" (default): migrations apply in version order, dependencies where declared.
   * "explicit": the graph must have one head; when branches leave several, `up` refuses
   * until `strata merge` adds a migration depending on all of them.
   */
  strategy?: "timestamp" | "explicit";
  /** Connection pool size (default 4). */
  pool?: number;
  tls?: TlsOption;
}

/**
 * Declares the configuration with types. Returns the same object.
 *
 * Errors: none here; `strata` reports CONFIG_INVALID (exit 2) naming the key when it loads a bad value.
 *
 * @example
 * export default defineConfig({
 *   environments: { development: { database: "app_dev" }, production: { database: process.env.DATABASE_URL, dryRun: true } },
 * });
 */
export function defineConfig<C extends StrataConfig>(config: C): C {
  if (config && typeof config === "object") Object.defineProperty(config, KIND, { value: "config", enumerable: false });
  return config;
}
