import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TlsOption } from "../dialects/dialect.ts";
import { errors } from "../errors.ts";
import type { Plugin } from "../hooks/define-plugin.ts";
import { joinDatabase, parseDatabaseUrl, type DatabaseUrl } from "./database-url.ts";
import type { LoadedConfig } from "./load.ts";

export const DEFAULT_TABLE = "migrations";
export const DEFAULT_ENVIRONMENT = "development";
export const DEFAULT_SEED_ENVIRONMENTS = ["development", "testing", "test"];
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const DEFAULT_DDL_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_DDL_RETRIES = 3;

/** Everything a command needs, after defaults, for one environment. */
export interface ResolvedConfig {
  root: string;
  file?: string;
  environment: string;
  knownEnvironments: string[];
  migrationsDir: string;
  table: string;
  database: DatabaseUrl;
  seeder: { dir: string; environments: string[] };
  backup: { enabled: boolean; dir: string; compress: boolean; retentionDays: number };
  plugins: Plugin[];
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  ddl: { lockTimeoutMs: number; retries: number };
  /** The environment asks for plan-only runs (`dryRun: true`). */
  dryRun: boolean;
  schema?: string;
  poolSize: number;
  tls?: TlsOption;
  strategy: "timestamp" | "explicit";
}

export interface Overrides {
  env?: string;
  url?: string;
  lockTimeoutMs?: number;
  /** Environment variables (DATABASE_URL, STRATA_ENV, NODE_ENV). */
  vars: { DATABASE_URL?: string; STRATA_ENV?: string; NODE_ENV?: string };
}

/**
 * Picks the environment (--env, STRATA_ENV, NODE_ENV when the config defines it,
 * "development") and its database (--url, DATABASE_URL, the environment's database, the
 * config's url, the embedded SQLite file ./data/<environment>.db).
 */
export function resolveConfig(loaded: LoadedConfig, overrides: Overrides): ResolvedConfig {
  const { config, root } = loaded;
  const known = Object.keys(config.environments);
  if (overrides.env?.trim() === "") throw errors.emptySetting("--env (env)", "an environment name");
  if (overrides.vars.STRATA_ENV?.trim() === "") throw errors.emptySetting("STRATA_ENV", "an environment name");
  if (overrides.url?.trim() === "") throw errors.emptySetting("--url (url)", "a database URL");
  if (overrides.vars.DATABASE_URL?.trim() === "") throw errors.emptySetting("DATABASE_URL", "a database URL");
  const explicit = overrides.env ?? overrides.vars.STRATA_ENV;
  let environment = DEFAULT_ENVIRONMENT;
  if (explicit) {
    // "development" is the default one: asking for it by name works wherever the default does.
    if (known.length > 0 && !known.includes(explicit) && explicit !== DEFAULT_ENVIRONMENT) throw errors.environmentUnknown(explicit, known);
    environment = explicit;
  } else if (overrides.vars.NODE_ENV && known.includes(overrides.vars.NODE_ENV)) {
    environment = overrides.vars.NODE_ENV;
  }
  const env = config.environments[environment] ?? {};
  const rawUrl =
    overrides.url ??
    overrides.vars.DATABASE_URL ??
    (env.database ? joinDatabase(env.database, env.url ?? config.url, root) : undefined) ??
    (env.url ? joinDatabase(env.url, config.url, root) : undefined) ??
    config.url ??
    `file:${join(root, "data", `${environment}.db`)}`;
  const backup = config.backup;
  return {
    root,
    ...(loaded.file ? { file: loaded.file } : {}),
    environment,
    knownEnvironments: known,
    migrationsDir: resolve(root, config.path ?? defaultMigrationsPath(root)),
    table: config.table ?? DEFAULT_TABLE,
    database: parseDatabaseUrl(rawUrl, root),
    seeder: { dir: resolve(root, config.seeder.path ?? "seeders"), environments: config.seeder.environments ?? DEFAULT_SEED_ENVIRONMENTS },
    backup: {
      enabled: env.backup ?? backup.enabled ?? false,
      dir: resolve(root, backup.path ?? "backups"),
      compress: backup.compress ?? true,
      retentionDays: backup.retentionDays ?? 30,
    },
    plugins: config.plugins,
    lockTimeoutMs: overrides.lockTimeoutMs ?? env.lockTimeout ?? config.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS,
    statementTimeoutMs: env.statementTimeout ?? config.statementTimeout ?? 0,
    ddl: { lockTimeoutMs: config.ddl.lockTimeout ?? DEFAULT_DDL_LOCK_TIMEOUT_MS, retries: config.ddl.retries ?? DEFAULT_DDL_RETRIES },
    dryRun: env.dryRun ?? false,
    ...(env.schema ?? config.schema ? { schema: env.schema ?? config.schema } : {}),
    poolSize: config.pool ?? 4,
    strategy: config.strategy ?? "timestamp",
    ...(config.tls !== undefined ? { tls: config.tls } : {}),
  };
}

/** `migrations/`, or dbmate's default `db/migrations/` in a project that has only that one. */
function defaultMigrationsPath(root: string): string {
  return !existsSync(join(root, "migrations")) && existsSync(join(root, "db", "migrations")) ? join("db", "migrations") : "migrations";
}
