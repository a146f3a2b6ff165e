import type { TlsOption } from "../dialects/dialect.ts";
import { errors } from "../errors.ts";
import type { Plugin } from "../hooks/define-plugin.ts";
import { flattenPlugins } from "../hooks/loader.ts";
import { isDatabaseName, isDatabaseUrl } from "./database-url.ts";

/** The config after validation: camelCase keys only, types checked, defaults not yet applied. */
export interface NormalizedConfig {
  path?: string;
  table?: string;
  url?: string;
  environments: Record<string, NormalizedEnvironment>;
  seeder: { path?: string; environments?: string[] };
  backup: { enabled?: boolean; path?: string; compress?: boolean; retentionDays?: number };
  plugins: Plugin[];
  lockTimeout?: number;
  statementTimeout?: number;
  ddl: { lockTimeout?: number; retries?: number };
  schema?: string;
  pool?: number;
  tls?: TlsOption;
  strategy?: "timestamp" | "explicit";
}

export interface NormalizedEnvironment {
  database?: string;
  /** The environment's own base URL, that a bare `database` name is joined to. */
  url?: string;
  backup?: boolean;
  dryRun?: boolean;
  lockTimeout?: number;
  statementTimeout?: number;
  schema?: string;
}

type Obj = Record<string, unknown>;


const TOP_KEYS = ["path", "table", "url", "environments", "seeder", "backup", "plugins", "lockTimeout", "lock_timeout", "statementTimeout", "statement_timeout", "ddl", "schema", "pool", "tls", "strategy"];
const ENV_KEYS = ["database", "url", "backup", "dryRun", "dry_run", "lockTimeout", "lock_timeout", "statementTimeout", "statement_timeout", "schema"];

/**
 * Checks a loaded config value by value. A wrong type is a ConfigError naming the key and
 * what was expected (exit 2); an unknown key is a warning, so a typo is visible without
 * breaking a config written for a newer strata.
 */
export function validateConfig(raw: unknown, file: string | undefined, warn: (message: string) => void): NormalizedConfig {
  if (raw === undefined || raw === null) raw = {};
  const c = new Checker(file, warn);
  const root = c.object(raw, "config");
  c.unknownKeys(root, TOP_KEYS, "");
  const environments: Record<string, NormalizedEnvironment> = {};
  const envs = root.environments === undefined ? {} : c.object(root.environments, "environments");
  for (const [name, value] of Object.entries(envs)) {
    const key = `environments.${name}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw errors.configInvalid(key, "named with letters, digits, '_', '-' or '.'", name, file);
    const env = c.object(value, key);
    c.unknownKeys(env, ENV_KEYS, key);
    environments[name] = dropUndefined({
      database: c.database(env.database, `${key}.database`),
      url: c.database(env.url, `${key}.url`),
      backup: c.boolean(env.backup, `${key}.backup`),
      dryRun: c.boolean(...c.alias(env, "dryRun", "dry_run", key)),
      lockTimeout: c.ms(...c.alias(env, "lockTimeout", "lock_timeout", key)),
      statementTimeout: c.ms(...c.alias(env, "statementTimeout", "statement_timeout", key)),
      schema: c.string(env.schema, `${key}.schema`),
    });
  }
  const seeder = root.seeder === undefined ? {} : c.object(root.seeder, "seeder");
  c.unknownKeys(seeder, ["path", "environments"], "seeder");
  const backup = root.backup === undefined ? {} : c.object(root.backup, "backup");
  c.unknownKeys(backup, ["enabled", "path", "compress", "retentionDays", "retention_days"], "backup");
  const ddl = root.ddl === undefined ? {} : c.object(root.ddl, "ddl");
  c.unknownKeys(ddl, ["lockTimeout", "lock_timeout", "retries"], "ddl");
  const retention = c.number(...c.alias(backup, "retentionDays", "retention_days", "backup"), 0);
  const retries = c.number(ddl.retries, "ddl.retries", 0);
  if (retries !== undefined && !Number.isInteger(retries)) throw errors.configInvalid("ddl.retries", "a whole number", retries, file);
  const pool = c.number(root.pool, "pool", 1);
  if (root.plugins !== undefined && !Array.isArray(root.plugins)) throw errors.configInvalid("plugins", "an array of plugins", root.plugins, file);
  return dropUndefined({
    path: c.string(root.path, "path"),
    table: c.identifier(root.table, "table"),
    url: c.string(root.url, "url"),
    environments,
    seeder: dropUndefined({ path: c.string(seeder.path, "seeder.path"), environments: c.stringArray(seeder.environments, "seeder.environments") }),
    backup: dropUndefined({ enabled: c.boolean(backup.enabled, "backup.enabled"), path: c.string(backup.path, "backup.path"), compress: c.boolean(backup.compress, "backup.compress"), retentionDays: retention }),
    plugins: flattenPlugins(root.plugins ?? [], `${file ?? "config"} plugins`),
    lockTimeout: c.ms(...c.alias(root, "lockTimeout", "lock_timeout", "")),
    statementTimeout: c.ms(...c.alias(root, "statementTimeout", "statement_timeout", "")),
    ddl: dropUndefined({ lockTimeout: c.ms(...c.alias(ddl, "lockTimeout", "lock_timeout", "ddl")), retries }),
    schema: c.string(root.schema, "schema"),
    pool: pool === undefined ? undefined : Math.floor(pool),
    tls: c.tls(root.tls, "tls"),
    strategy: c.oneOf(root.strategy, "strategy", ["timestamp", "explicit"] as const),
  }) as NormalizedConfig;
}

class Checker {
  readonly #file: string | undefined;
  readonly #warn: (message: string) => void;

  constructor(file: string | undefined, warn: (message: string) => void) {
    this.#file = file;
    this.#warn = warn;
  }

  object(value: unknown, key: string): Obj {
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw errors.configInvalid(key, "an object", value, this.#file);
    return value as Obj;
  }

  /** The value under the camelCase key or its snake_case alias, with the key the user wrote; both set and different is an error. */
  alias(object: Obj, camel: string, snake: string, where: string): [unknown, string] {
    const path = (key: string) => (where ? `${where}.${key}` : key);
    if (object[camel] !== undefined && object[snake] !== undefined && object[camel] !== object[snake]) {
      throw errors.configInvalid(path(snake), `left out or equal to "${path(camel)}" (both name one setting, and they disagree)`, object[snake], this.#file);
    }
    const key = object[camel] === undefined && object[snake] !== undefined ? snake : camel;
    return [object[key], path(key)];
  }

  /** A database URL or a bare database name (joined to the base URL). */
  database(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    if (text !== undefined && !isDatabaseUrl(text) && !isDatabaseName(text)) throw errors.configInvalid(key, "a database URL or a database name (letters, digits, _ $ . -)", text, this.#file);
    return text;
  }

  unknownKeys(object: Obj, known: readonly string[], where: string): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) this.#warn(`Config key "${where ? `${where}.` : ""}${key}"${this.#file ? ` in ${this.#file}` : ""} is not known and is ignored (known: ${known.join(", ")}).`);
    }
  }

  string(value: unknown, key: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") throw errors.configInvalid(key, "a non-empty string", value, this.#file);
    return value;
  }

  identifier(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    // strata's own tables are named after it; the longest, <table>_transform_chunks, must fit PostgreSQL's 63 bytes.
    if (text !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,45}$/.test(text)) throw errors.configInvalid(key, "a table name of letters, digits and '_' (at most 46 characters: <table>_transform_chunks must fit 63)", value, this.#file);
    return text;
  }

  boolean(value: unknown, key: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw errors.configInvalid(key, "true or false", value, this.#file);
    return value;
  }

  number(value: unknown, key: string, min: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) throw errors.configInvalid(key, `a number ≥ ${min}`, value, this.#file);
    return value;
  }

  ms(value: unknown, key: string): number | undefined {
    const n = this.number(value, key, 0);
    return n === undefined ? undefined : Math.round(n);
  }

  oneOf<T extends string>(value: unknown, key: string, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !allowed.includes(value as T)) throw errors.configInvalid(key, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value, this.#file);
    return value as T;
  }

  stringArray(value: unknown, key: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw errors.configInvalid(key, "an array of strings", value, this.#file);
    return value as string[];
  }

  tls(value: unknown, key: string): TlsOption | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "boolean" || value === "require" || value === "prefer" || value === "verify-full") return value;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as TlsOption;
    throw errors.configInvalid(key, 'true, false, "require", "prefer", "verify-full" or an object of TLS options', value, this.#file);
  }
}

function dropUndefined<T extends Obj>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
