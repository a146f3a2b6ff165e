import { basename, extname } from "node:path";
import type { BackupRequest } from "strata";
import { BackupFailure } from "./failure.ts";

export type DialectName = BackupRequest["database"]["dialect"];

/** Where a PostgreSQL server is, as libpq's environment variables (PGPASSWORD included). */
export interface PostgresTarget {
  dialect: "postgres";
  name: string;
  env: Record<string, string>;
  secrets: string[];
}

export interface MysqlTarget {
  dialect: "mysql";
  name: string;
  host: string;
  port: number;
  socket?: string;
  user?: string;
  password?: string;
  /** The URL's TLS wish, normalized: disable, prefer, require, verify-ca, verify-full. */
  sslMode?: string;
  secrets: string[];
}

export interface SqliteTarget {
  dialect: "sqlite";
  name: string;
  path: string;
}

export type Target = PostgresTarget | MysqlTarget | SqliteTarget;

/** The database a request is about, read from its URL (the password kept out of any message). */
export function targetOf(request: BackupRequest): Target {
  const { url, described, dialect } = request.database;
  if (dialect === "sqlite") return sqliteTarget(url, described);
  const parsed = parseUrl(url, described);
  const query = parsed.searchParams;
  const user = decode(parsed.username || query.get("user") || "", described);
  const password = decode(parsed.password, described) || (query.get("password") ?? "");
  const host = decode(parsed.hostname, described).replace(/^\[|\]$/g, "");
  const name = decode(parsed.pathname.replace(/^\//, ""), described);
  const secrets = password ? [password, parsed.password] : [];
  if (dialect === "postgres") return postgresTarget(parsed, { user, password, host, name, secrets });
  if (!name) throw new BackupFailure(`the URL ${described} names no database.`, "Add the database name to the URL: mysql://user@host:3306/app.");
  if (name.startsWith("-")) throw new BackupFailure(`the database name "${name}" starts with "-", which the mysql tools read as an option.`);
  const sslMode = normalizeSslMode(query.get("sslmode") ?? query.get("ssl-mode") ?? query.get("ssl_mode"), query.get("ssl"));
  const socket = query.get("socket") ?? query.get("socketPath") ?? undefined;
  return {
    dialect: "mysql",
    name,
    host: host || "localhost",
    port: parsed.port ? Number(parsed.port) : 3306,
    ...(socket ? { socket } : {}),
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(sslMode ? { sslMode } : {}),
    secrets,
  };
}

function postgresTarget(parsed: URL, parts: { user: string; password: string; host: string; name: string; secrets: string[] }): PostgresTarget {
  const query = parsed.searchParams;
  const env: Record<string, string> = { PGAPPNAME: "strata backup", PGCONNECT_TIMEOUT: query.get("connect_timeout") ?? "10" };
  // A socket folder may come as ?host=/run/postgresql; it wins over the URL's host, as in libpq.
  const host = query.get("host") ?? parts.host;
  if (host) env.PGHOST = host;
  if (parsed.port) env.PGPORT = parsed.port;
  if (parts.user) env.PGUSER = parts.user;
  if (parts.password) env.PGPASSWORD = parts.password;
  if (parts.name) env.PGDATABASE = parts.name;
  const sslMode = normalizeSslMode(query.get("sslmode"), query.get("ssl"));
  if (sslMode) env.PGSSLMODE = sslMode;
  for (const [param, variable] of [["sslrootcert", "PGSSLROOTCERT"], ["sslcert", "PGSSLCERT"], ["sslkey", "PGSSLKEY"]] as const) {
    const value = query.get(param);
    if (value) env[variable] = value;
  }
  return { dialect: "postgres", name: parts.name || parts.user || "postgres", env, secrets: parts.secrets };
}

function normalizeSslMode(mode: string | null, ssl: string | null): string | undefined {
  if (mode) {
    const m = mode.toLowerCase().replace(/_/g, "-");
    const known: Record<string, string> = {
      disable: "disable", disabled: "disable", allow: "allow", prefer: "prefer", preferred: "prefer", require: "require", required: "require",
      "verify-ca": "verify-ca", "verify-full": "verify-full", "verify-identity": "verify-full",
    };
    return known[m] ?? m;
  }
  if (ssl === null) return undefined;
  if (/^(true|1|on|yes|require)$/i.test(ssl)) return "require";
  if (/^(false|0|off|no)$/i.test(ssl)) return "disable";
  return undefined;
}

function sqliteTarget(url: string, described: string): SqliteTarget {
  const m = /^(?:file|sqlite3?):(.*)$/i.exec(url);
  if (!m) {
    throw new BackupFailure(
      `${described} is a remote libSQL database; the built-in backup plugin backs up local SQLite files only.`,
      "Use the provider's own backups (e.g. point-in-time restore), or a plugin of your own that provides backups.",
    );
  }
  let path = m[1].replace(/[?#].*$/, "");
  if (path.startsWith("///")) path = path.slice(2);
  else if (path.startsWith("//")) path = path.slice(2);
  try {
    path = decodeURIComponent(path);
  } catch {
    // a stray "%" is part of the file name
  }
  if (path === "" || path === ":memory:") throw new BackupFailure(`${described} is an in-memory database; there is nothing on disk to back up.`);
  return { dialect: "sqlite", name: basename(path, extname(path)) || basename(path), path };
}

function parseUrl(url: string, described: string): URL {
  try {
    return new URL(url);
  } catch {
    // Node's parse error carries the whole input, password included: never pass it on.
    throw new BackupFailure(`the database URL ${described} cannot be parsed.`);
  }
}

function decode(text: string, described: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BackupFailure(`the database URL ${described} has a malformed percent-escape.`);
  }
}
