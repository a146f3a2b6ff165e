import { isAbsolute, join, dirname, resolve } from "node:path";
import { errors } from "../errors.ts";
import { dialectNameForUrl } from "../dialects/registry.ts";
import type { DialectName } from "../dialects/dialect.ts";
import { describeUrl, registerSecret } from "../util/redact.ts";

export interface DatabaseUrl {
  /** Full URL, password included: never print it. */
  url: string;
  /** For messages: password masked. */
  described: string;
  dialect: DialectName;
}

/**
 * Checks a database URL and remembers its password so no output can show it. Node's URL
 * parse errors carry the whole input, so they are never passed on.
 */
export function parseDatabaseUrl(url: string, root: string): DatabaseUrl {
  const described = describeUrl(url);
  const dialect = dialectNameForUrl(url);
  if (dialect === "sqlite") {
    const path = sqlitePath(url);
    if (path === undefined) {
      // libsql:// is a remote server: it needs a host.
      if (!/^libsql:\/\/[^/?#]+/i.test(url)) throw errors.urlInvalid(described, "libsql://host[:port][?authToken=...]");
      const token = /[?&]authToken=([^&]+)/.exec(url)?.[1];
      registerSecret(token);
      return { url, described, dialect };
    }
    if (path === "") throw errors.urlInvalid(described, "a file path, e.g. file:./data/app.db");
    // A user or password has no meaning for a file, and would end up in its path.
    if (/^[a-z0-9]+:\/\/[^/]*@/i.test(url)) throw errors.urlInvalid(`${url.slice(0, url.indexOf(":"))}://***@...`, "a file path without a user or password, e.g. file:./data/app.db");
    const absolute = path === ":memory:" || isAbsolute(path) ? path : resolve(root, path);
    const normalized = `file:${absolute}`;
    return { url: normalized, described: normalized, dialect };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw errors.urlInvalid(described, `${dialect === "postgres" ? "postgres://user@host:5432/database" : "mysql://user@host:3306/database"}`);
  }
  if (!parsed.hostname) throw errors.urlInvalid(described, "a host name after //");
  if (parsed.port && !/^\d+$/.test(parsed.port)) throw errors.urlInvalid(described, "a numeric port");
  // PostgreSQL defaults the database to the user's name; MySQL would run with none selected.
  if (dialect === "mysql" && parsed.pathname.replace(/^\//, "") === "") throw errors.urlInvalid(described, "a database name: mysql://user@host:3306/database");
  registerSecret(parsed.password);
  return { url, described, dialect };
}

/** The local file of a `file:`/`sqlite:` URL, or undefined for libsql:// (remote). */
export function sqlitePath(url: string): string | undefined {
  const m = /^(file|sqlite3?):(.*)$/i.exec(url);
  if (!m) return undefined;
  let rest = m[2].replace(/[?#].*$/, "");
  // file:///abs and file://localhost/abs are absolute (RFC 8089); sqlite://rel stays relative, as dbmate reads it.
  if (rest.startsWith("///")) rest = rest.slice(2);
  else if (/^\/\/localhost\//i.test(rest)) rest = rest.slice("//localhost".length);
  else if (rest.startsWith("//")) rest = rest.slice(2);
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/**
 * An environment's `database`: a URL as is, or a bare name joined to the base URL (a
 * sibling file for SQLite), or a SQLite file `./data/<name>.db` when there is no base.
 */
export function joinDatabase(database: string, base: string | undefined, root: string): string {
  if (isDatabaseUrl(database)) return database;
  if (!base) return `file:${join(root, "data", `${database}.db`)}`;
  const path = sqlitePath(base);
  if (path !== undefined) {
    // file:dbs/ names a folder: the database goes in it.
    const absolute = isAbsolute(path) ? path : resolve(root, path);
    return `file:${join(/[/\\]$/.test(path) ? absolute : dirname(absolute), `${database}.db`)}`;
  }
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(base);
  if (!scheme) throw errors.urlInvalid(describeUrl(base), "a URL such as postgres://host/db");
  const [authority, ...rest] = splitPath(scheme[2]);
  return `${scheme[1]}${authority}/${encodeURIComponent(database)}${rest.join("")}`;
}

export const isDatabaseUrl = (text: string) => /^[a-z][a-z0-9+.-]*:/i.test(text);
export const isDatabaseName = (text: string) => /^[A-Za-z0-9_$.-]+$/.test(text);

/** authority, then the query string (the old path is dropped). */
function splitPath(afterScheme: string): string[] {
  const at = afterScheme.lastIndexOf("@");
  const slash = afterScheme.slice(at + 1).search(/[/?#]/);
  if (slash < 0) return [afterScheme];
  const cut = at + 1 + slash;
  const tail = afterScheme.slice(cut);
  const query = tail.indexOf("?");
  return [afterScheme.slice(0, cut), query < 0 ? "" : tail.slice(query)];
}
