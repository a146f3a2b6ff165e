/**
 * One error hierarchy and one catalog of messages. Code elsewhere throws the ready errors
 * the `errors.*` factories return; each message names the thing and what was expected,
 * each hint says what to do next.
 */

export type ErrorCode =
  | "CONFIG_INVALID"
  | "USAGE"
  | "URL_INVALID"
  | "DIALECT_UNKNOWN"
  | "DEPENDENCY_MISSING"
  | "DEPENDENCY_CYCLE"
  | "DUPLICATE_ID"
  | "MIGRATION_INVALID"
  | "MIGRATION_FAILED"
  | "INTERRUPTED"
  | "MIGRATION_NOT_FOUND"
  | "CHECKSUM_MISMATCH"
  | "MIGRATION_MISSING"
  | "MIGRATION_FAILED_STATE"
  | "MULTIPLE_HEADS"
  | "IRREVERSIBLE"
  | "LOCK_TIMEOUT"
  | "PLUGIN_ABORTED"
  | "PLUGIN_FAILED"
  | "PLUGIN_INVALID"
  | "SEED_FAILED"
  | "SEED_NOT_ALLOWED"
  | "IDENTIFIER_INVALID"
  | "CONFIRMATION_REQUIRED"
  | "DATABASE_ERROR"
  | "TRANSACTION_ABORTED"
  | "CONNECTION_FAILED"
  | "BACKUP_FAILED"
  | "TRANSFORM_FAILED"
  | "TRANSFORM_PAUSED"
  | "UNSUPPORTED";

export interface StrataErrorOptions {
  hint?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
  exitCode?: 1 | 2;
}

export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  readonly exitCode: 1 | 2;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StrataError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A configuration value or file that cannot be used (exit code 2). */
export class ConfigError extends StrataError {
  constructor(message: string, options: Omit<StrataErrorOptions, "exitCode"> & { code?: ErrorCode } = {}) {
    super(options.code ?? "CONFIG_INVALID", message, { ...options, exitCode: 2 });
    this.name = "ConfigError";
  }
}

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends StrataError {
  constructor(message: string, options: Omit<StrataErrorOptions, "exitCode"> & { code?: ErrorCode } = {}) {
    super(options.code ?? "USAGE", message, { ...options, exitCode: 2 });
    this.name = "UsageError";
  }
}

export type Direction = "up" | "down";

/** What a run applied or rolled back before it stopped. */
export interface RunResult {
  applied: string[];
  rolledBack: string[];
}

/** A migration that failed while running; `result` says what landed before it. */
export class MigrationError extends StrataError {
  readonly migrationId: string;
  readonly direction: Direction;
  readonly statement?: string;
  result: RunResult;

  constructor(
    code: ErrorCode,
    message: string,
    info: { migrationId: string; direction: Direction; statement?: string; result?: RunResult },
    options: StrataErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = "MigrationError";
    this.migrationId = info.migrationId;
    this.direction = info.direction;
    this.statement = info.statement;
    this.result = info.result ?? { applied: [], rolledBack: [] };
  }
}

/** A plugin hook that aborted the run or failed; names the plugin and the hook. */
export class PluginError extends StrataError {
  readonly plugin: string;
  readonly hook: string;

  constructor(code: ErrorCode, message: string, info: { plugin: string; hook: string }, options: StrataErrorOptions = {}) {
    super(code, message, options);
    this.name = "PluginError";
    this.plugin = info.plugin;
    this.hook = info.hook;
  }
}

/** The migration lock could not be taken in time. */
export class LockError extends StrataError {
  constructor(message: string, options: StrataErrorOptions = {}) {
    super("LOCK_TIMEOUT", message, options);
    this.name = "LockError";
  }
}

export function isStrataError(value: unknown): value is StrataError {
  return value instanceof Error && typeof (value as StrataError).code === "string" && "exitCode" in value;
}

const list = (ids: readonly string[]) => ids.map((id) => `"${id}"`).join(", ");

/** The catalog: one factory per message. */
export const errors = {
  configInvalid(key: string, expected: string, got?: unknown, file?: string) {
    const where = file ? ` in ${file}` : "";
    const actual = got === undefined ? "" : `, got ${describeValue(got)}`;
    return new ConfigError(`Config key "${key}"${where} must be ${expected}${actual}.`, {
      hint: `Fix "${key}" in the config file; see README "Configuration" for the accepted keys.`,
      details: { key },
    });
  },
  configUnknownKey(key: string, known: readonly string[], file?: string) {
    return new ConfigError(`Config key "${key}"${file ? ` in ${file}` : ""} is not known.`, {
      hint: `Known keys here: ${known.join(", ")}.`,
      details: { key },
    });
  },
  configLoadFailed(file: string, cause: unknown) {
    return new ConfigError(`Config file ${file} could not be loaded: ${messageOf(cause)}`, {
      hint: "Fix the file so it exports a config object (export default defineConfig({...})).",
      cause,
    });
  },
  configNotFound(file: string) {
    return new ConfigError(`Config file ${file} does not exist.`, {
      hint: 'Check the --config path, or run "strata init" to create strata.config.ts.',
    });
  },
  environmentUnknown(name: string, known: readonly string[]) {
    return new ConfigError(`Environment "${name}" is not defined in the config.`, {
      hint: known.length ? `Defined environments: ${known.join(", ")}.` : "Add it under \"environments\" in the config.",
      details: { environment: name },
    });
  },
  urlInvalid(described: string, expected: string) {
    return new ConfigError(`Database URL ${described} is malformed: expected ${expected}.`, {
      code: "URL_INVALID",
      hint: "Use e.g. postgres://user@host:5432/db, mysql://user@host:3306/db, file:./data/app.db or libsql://host (a password goes between user and @).",
    });
  },
  dialectUnknown(scheme: string | undefined, known: readonly string[]) {
    return new ConfigError(scheme ? `Database URL scheme "${scheme}:" is not supported.` : "The database URL is malformed: it has no scheme (expected <scheme>://...; a key=value connection string is not a URL).", {
      code: "DIALECT_UNKNOWN",
      hint: `Known schemes: ${known.map((s) => `${s}:`).join(", ")}.`,
    });
  },
  /** `--url ""` or `DATABASE_URL=` from an unset shell variable: never silently the default. */
  emptySetting(name: string, expected: string) {
    return new UsageError(`${name} is empty: expected ${expected}.`, {
      hint: `Give ${name} a value, or leave it out to use the default (an unset shell variable expands to nothing).`,
    });
  },
  usage(message: string, hint?: string) {
    return new UsageError(message, { hint: hint ?? 'Run "strata --help" for the commands and flags.' });
  },
  confirmationRequired(action: string) {
    return new UsageError(`${action} needs confirmation, and this terminal is not interactive.`, {
      code: "CONFIRMATION_REQUIRED",
      hint: "Pass --yes to confirm.",
    });
  },
  /** Every dependency no migration defines, in one error. */
  dependencyMissing(missing: readonly { id: string; dependency: string }[]) {
    const [first] = missing;
    const each = missing.map((m) => `"${m.id}" depends on "${m.dependency}"`).join(", ");
    return new StrataError(
      "DEPENDENCY_MISSING",
      `Migration ${each}, which no migration file defines.`,
      {
        hint: 'Check the name in "dependencies", or run "strata status" to list migration ids.',
        details: { id: first.id, dependency: first.dependency, missing },
      },
    );
  },
  /** Every cycle of the graph, each a closed path (a -> b -> a), in one error. */
  dependencyCycle(cycles: readonly (readonly string[])[]) {
    const paths = cycles.map((ids) => ids.join(" -> ")).join("; ");
    return new StrataError("DEPENDENCY_CYCLE", `Migrations depend on each other in ${cycles.length === 1 ? "a cycle" : `${cycles.length} cycles`}: ${paths} (each depends on the next).`, {
      hint: 'Remove one dependency of each cycle so the graph has an order; "strata check" shows the graph.',
      details: { ids: cycles[0], cycles },
    });
  },
  duplicateId(id: string, files: readonly string[]) {
    return new StrataError("DUPLICATE_ID", `Migration id or class name "${id}" is defined more than once: ${files.join(", ")}.`, {
      hint: "Rename one of them; ids and class names must be unique.",
      details: { id, files },
    });
  },
  migrationInvalid(file: string, problem: string, hint?: string) {
    return new StrataError("MIGRATION_INVALID", `Migration file ${file} is malformed: ${problem}`, {
      hint: hint ?? "Fix the file; a migration exports a default class extending Migration, or is a .sql file with -- migrate:up.",
      details: { file },
    });
  },
  /** `candidates`: the migrations sharing the version `ref` names, when it is ambiguous. */
  migrationNotFound(ref: string, candidates: readonly string[] = []) {
    if (candidates.length > 1) {
      return new StrataError("MIGRATION_NOT_FOUND", `"${ref}" is ambiguous: ${candidates.length} migrations have this version (${list(candidates)}).`, {
        hint: "Pass the migration's id instead of its version.",
        details: { ref, candidates: [...candidates] },
      });
    }
    return new StrataError("MIGRATION_NOT_FOUND", `No migration matches "${ref}".`, {
      hint: 'Pass a migration id, version or class name; "strata status" lists them.',
      details: { ref },
    });
  },
  checksumMismatch(ids: readonly string[]) {
    return new StrataError("CHECKSUM_MISMATCH", `Applied migration${ids.length > 1 ? "s" : ""} ${list(ids)} changed on disk since applied.`, {
      hint: `Restore the file${ids.length > 1 ? "s" : ""}, or accept the change with "strata resolve ${ids[0]} --accept-checksum".`,
      details: { ids },
    });
  },
  migrationMissing(ids: readonly string[]) {
    return new StrataError("MIGRATION_MISSING", `Applied migration${ids.length > 1 ? "s" : ""} ${list(ids)} no longer exist${ids.length > 1 ? "" : "s"} on disk.`, {
      hint: `Restore the file${ids.length > 1 ? "s" : ""}, or drop ${ids.length > 1 ? "them" : "it"} from the history with "strata resolve ${ids[0]} --forget".`,
      details: { ids },
    });
  },
  migrationFailedState(id: string, direction: Direction, statement?: string) {
    return new StrataError(
      "MIGRATION_FAILED_STATE",
      `Migration "${id}" failed part-way ${direction === "up" ? "" : "through its rollback "}in an earlier run${statement ? ` at: ${truncate(statement)}` : ""}; its changes may be partly ${direction === "up" ? "applied" : "undone"}.`,
      {
        hint: partialFailureHint(id, direction),
        details: { id },
      },
    );
  },
  multipleHeads(heads: readonly string[]) {
    return new StrataError("MULTIPLE_HEADS", `The migration graph has ${heads.length} heads: ${list(heads)}.`, {
      hint: 'Run "strata merge" to create a merge migration that depends on all of them.',
      details: { heads },
    });
  },
  irreversible(id: string, reason: string) {
    return new MigrationError("IRREVERSIBLE", `Migration "${id}" cannot be rolled back: ${reason}`, { migrationId: id, direction: "down" }, {
      hint: "Write a down() method (or a -- migrate:down section) that undoes it.",
    });
  },
  /** `partial`: statements that ran before the failure stay (DDL commits), and the migration is recorded as failed. */
  migrationFailed(id: string, direction: Direction, cause: unknown, statement?: string, partial = false) {
    const verb = direction === "up" ? "applying" : "rolling back";
    return new MigrationError("MIGRATION_FAILED", `Migration "${id}" failed while ${verb}: ${messageOf(cause)}`, { migrationId: id, direction, statement }, {
      hint: partial ? partialFailureHint(id, direction, hintOf(cause)) : (hintOf(cause) ?? "Fix the migration and run the command again: nothing of it was kept."),
      cause,
      details: { id, direction, ...(statement ? { statement } : {}) },
    });
  },
  interrupted(signal: string, where: string) {
    return new StrataError("INTERRUPTED", `Stopped by ${signal} ${where}.`, {
      hint: "What completed is recorded. Run the command again to go on (a transform resumes where it stopped).",
      details: { signal },
    });
  },
  lockTimeout(what: string, waitedMs: number, holder?: string) {
    return new LockError(`Another strata process holds the migration lock on ${what}${holder ? ` (${holder})` : ""}; waited ${waitedMs} ms.`, {
      hint: "Wait for it to finish and try again, or raise --lock-timeout.",
      details: { holder },
    });
  },
  identifierInvalid(name: string, reason: string) {
    return new StrataError("IDENTIFIER_INVALID", `Identifier "${name}" ${reason}`, {
      hint: "Choose a shorter or simpler name, or pass an explicit { name } for generated index and constraint names.",
      details: { name },
    });
  },
  seedNotAllowed(environment: string, allowed: readonly string[]) {
    return new StrataError("SEED_NOT_ALLOWED", `Seeding is not allowed in environment "${environment}".`, {
      hint: `Allowed: ${allowed.join(", ") || "none"} (config "seeder.environments").`,
    });
  },
  /** A statement failed inside a transaction the database then aborted, and the code that ran it caught the error and went on. */
  transactionAborted(owner: string, cause: unknown) {
    return new StrataError(
      "TRANSACTION_ABORTED",
      `A statement of ${owner} failed and its error was caught, but the database aborted the transaction there: nothing after it can run and nothing of the transaction is kept. The statement failed with: ${messageOf(cause)}`,
      { hint: "Let the error through, or check before writing (select first, or insert ... on conflict) instead of catching a failed statement.", cause },
    );
  },
  seedFailed(name: string, cause: unknown) {
    return new StrataError("SEED_FAILED", `Seeder "${name}" failed: ${messageOf(cause)}`, {
      hint: hintOf(cause) ?? "Fix the seeder and run \"strata seed\" again; its writes were rolled back.",
      cause,
    });
  },
  seederNotFound(name: string, known: readonly string[]) {
    return new UsageError(`No seeder named "${name}".`, { hint: `Seeders: ${known.join(", ") || "none found"}.` });
  },
  pluginAborted(plugin: string, hook: string, reason: string) {
    return new PluginError("PLUGIN_ABORTED", `Plugin "${plugin}" aborted the run in ${hook}: ${reason}`, { plugin, hook }, {
      hint: "What the plugin stopped was not applied (migrations finished before it stay applied). Resolve what it reports and run again.",
    });
  },
  pluginFailed(plugin: string, hook: string, cause: unknown) {
    return new PluginError("PLUGIN_FAILED", `Plugin "${plugin}" failed in ${hook}: ${messageOf(cause)}`, { plugin, hook }, { cause });
  },
  pluginInvalid(where: string, problem: string) {
    return new ConfigError(`Plugin ${where} is invalid: ${problem}`, {
      code: "PLUGIN_INVALID",
      hint: "A plugin is definePlugin({ name, hooks }) or a factory returning one.",
    });
  },
  connectionFailed(described: string, cause: unknown) {
    return new StrataError("CONNECTION_FAILED", `Could not connect to ${described}: ${messageOf(cause)}`, {
      hint: "Check that the server runs and the URL (--url, DATABASE_URL or the environment's database) is right.",
      cause,
    });
  },
  /**
   * A driver error, wrapped at the dialect boundary: the database's own code (SQLSTATE,
   * errno) and message, the position as line and column; never bound values or
   * connection options.
   */
  databaseError(message: string, info: { code?: string; statement?: string; position?: number; hint?: string }) {
    let where = "";
    const details: Record<string, unknown> = {};
    if (info.code) details.databaseCode = info.code;
    if (info.statement) details.statement = truncate(info.statement, 500);
    if (info.statement && info.position && info.position > 0) {
      const before = info.statement.slice(0, info.position - 1);
      const line = before.split("\n").length;
      const column = info.position - before.lastIndexOf("\n") - 1;
      details.line = line;
      details.column = column;
      where = ` (line ${line}, column ${column})`;
    }
    const code = info.code ? ` [${info.code}]` : "";
    // The driver's error object is not kept as the cause: it may carry bound values or
    // connection options.
    return new StrataError("DATABASE_ERROR", `${message}${code}${where}`, { details, ...(info.hint ? { hint: info.hint } : {}) });
  },
  unsupported(what: string, dialect: string, hint?: string) {
    return new StrataError("UNSUPPORTED", `${what} is not supported on ${dialect}.`, { hint });
  },
};

/** The database's own error code (SQLSTATE, errno) of a wrapped driver error. */
export function databaseCodeOf(error: unknown): string | undefined {
  if (!isStrataError(error)) return undefined;
  const code = error.details?.databaseCode ?? (error.cause ? databaseCodeOf(error.cause) : undefined);
  return typeof code === "string" ? code : undefined;
}

export function messageOf(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** The same error with another hint (a StrataError; anything else is returned as it is). */
export function withHint(error: unknown, hint: string): unknown {
  if (!(error instanceof StrataError) || error instanceof MigrationError) return error;
  return new StrataError(error.code, error.message, { hint, ...(error.details ? { details: error.details } : {}), cause: error.cause, exitCode: error.exitCode });
}

/** What to do about a migration that failed part-way where DDL commits: its statements before the failure stay. */
function partialFailureHint(id: string, direction: Direction, before?: string): string {
  const way = `Inspect the database, then run ${resolveWays(id, direction)}.`;
  return before ? `${before} ${way}` : way;
}

/** The two ways out of a migration that failed part-way, for the direction it was going. */
export function resolveWays(id: string, direction: Direction, quote: (command: string) => string = (c) => `"${c}"`): string {
  const rolledBack = quote(`strata resolve ${id} --mark-rolled-back`);
  const applied = quote(`strata resolve ${id} --mark-applied`);
  return direction === "up"
    ? `${rolledBack} (after undoing what ran) or ${applied} (after finishing it by hand)`
    : `${rolledBack} (after finishing the rollback by hand) or ${applied} (after restoring what the rollback undid)`;
}

function hintOf(cause: unknown): string | undefined {
  return cause instanceof StrataError ? cause.hint : undefined;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}

function truncate(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
