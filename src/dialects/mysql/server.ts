import type { ConnectionOptions, Session } from "../dialect.ts";

/**
 * What differs between MySQL and MariaDB, read from `select version()` at the first open
 * and shared by the dialect's objects (compiler, adapter, introspector). Until then the
 * dialect answers conservatively and compiles the syntax both servers accept.
 */
export type MysqlFlavour = "mysql" | "mariadb";

export interface ServerInfo {
  readonly flavour: MysqlFlavour;
  readonly version: readonly [number, number, number];
  /** The server's own version string, e.g. `10.11.6-MariaDB-0+deb12u1` or `8.0.36`. */
  readonly raw: string;
}

/** What a session held when strata opened it, so resetSession can bring it back. */
export interface SessionBaseline {
  readonly database: string | null;
  readonly sqlMode: string;
  readonly foreignKeyChecks: number;
}

export interface MysqlServerState {
  info?: ServerInfo;
  readonly baselines: WeakMap<Session, SessionBaseline>;
}

export function createServerState(): MysqlServerState {
  return { baselines: new WeakMap() };
}

export function parseServerVersion(raw: string): ServerInfo {
  // Replication-era MariaDB handshakes prefix "5.5.5-"; `select version()` does not, but
  // a proxy may pass the handshake string through.
  const text = raw.replace(/^5\.5\.5-/, "");
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text) ?? /^(\d+)\.(\d+)/.exec(text);
  const version = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0), Number(m?.[3] ?? 0)] as const;
  return { flavour: /mariadb/i.test(raw) ? "mariadb" : "mysql", version, raw };
}

export function atLeast(info: ServerInfo, major: number, minor: number, patch = 0): boolean {
  const [a, b, c] = info.version;
  if (a !== major) return a > major;
  if (b !== minor) return b > minor;
  return c >= patch;
}

/** FOR UPDATE SKIP LOCKED: MySQL 8.0.1, MariaDB 10.6. */
export function hasSkipLocked(info: ServerInfo): boolean {
  return info.flavour === "mariadb" ? atLeast(info, 10, 6) : atLeast(info, 8, 0, 1);
}

/** `alter table ... drop constraint` for checks: every MariaDB with checks, MySQL 8.0.19+ (before: `drop check`). */
export function hasDropConstraint(info: ServerInfo): boolean {
  return info.flavour === "mariadb" || atLeast(info, 8, 0, 19);
}

/** Reads the server version once per dialect; every later call answers from memory. */
export async function detectServer(session: Session, state: MysqlServerState): Promise<ServerInfo> {
  if (state.info) return state.info;
  const { rows } = await session.execute("select version() as version");
  state.info = parseServerVersion(String(rows[0]?.version ?? ""));
  return state.info;
}

/** DDL waits this long for a metadata lock when the config says nothing. */
export const DEFAULT_DDL_LOCK_TIMEOUT_MS = 10_000;

/**
 * The session settings strata relies on, as one statement: applied at open and again by
 * resetSession after each migration.
 *
 * - time_zone UTC: `datetime` columns hold UTC, CURRENT_TIMESTAMP defaults included, and
 *   mysql2 reads and writes Dates as UTC (`timezone: "Z"`).
 * - lock_wait_timeout: MySQL's default is a year (MariaDB's a day), so an ALTER waiting
 *   for a metadata lock would queue every application query behind it for that long.
 * - max_execution_time (MySQL, ms, SELECT only) / max_statement_time (MariaDB, seconds,
 *   every statement) from statementTimeoutMs; 0 means none on both.
 * - sql_mode without NO_BACKSLASH_ESCAPES: both the compiler's DDL literals and mysql2's
 *   client-side parameter escaping write a backslash as `\\`.
 */
export function sessionSettings(options: ConnectionOptions, info: ServerInfo, baseline: SessionBaseline): { sql: string; params: unknown[] } {
  const parts = ["session time_zone = '+00:00'", "session lock_wait_timeout = ?", "session sql_mode = ?", "session foreign_key_checks = ?", "session autocommit = 1"];
  const lockWaitSeconds = Math.max(1, Math.ceil((options.ddlLockTimeoutMs ?? DEFAULT_DDL_LOCK_TIMEOUT_MS) / 1000));
  const params: unknown[] = [lockWaitSeconds, withoutBackslashEscapes(baseline.sqlMode), baseline.foreignKeyChecks];
  if (options.statementTimeoutMs !== undefined) {
    const timeout = statementTimeoutSetting(options.statementTimeoutMs, info);
    parts.push(timeout.part);
    params.push(timeout.param);
  }
  return { sql: `set ${parts.join(", ")}`, params };
}

/** MariaDB's max_statement_time (seconds, every statement) or MySQL's max_execution_time (ms, SELECT only). */
export function statementTimeoutSetting(timeoutMs: number, info: ServerInfo): { part: string; param: number } {
  const ms = Math.max(0, Math.round(timeoutMs));
  return info.flavour === "mariadb" ? { part: "session max_statement_time = ?", param: ms / 1000 } : { part: "session max_execution_time = ?", param: ms };
}

export function withoutBackslashEscapes(sqlMode: string): string {
  return sqlMode
    .split(",")
    .filter((mode) => mode !== "" && mode.toUpperCase() !== "NO_BACKSLASH_ESCAPES")
    .join(",");
}

/** Applies the settings and returns to the session's database, in one round trip. */
export async function applySessionSettings(
  session: Session,
  options: ConnectionOptions,
  info: ServerInfo,
  baseline: SessionBaseline,
  quoteIdentifier: (name: string) => string,
): Promise<void> {
  const { sql, params } = sessionSettings(options, info, baseline);
  // USE: a migration's `use other_db` must not move later migrations or history writes.
  const use = baseline.database ? `; use ${quoteIdentifier(baseline.database)}` : "";
  await session.execute(`${sql}${use}`, params);
}
