import { errors } from "../errors.ts";
import type { ConnectionOptions, CreateDialect, Dialect, DialectName } from "./dialect.ts";

/**
 * URL scheme -> dialect, loaded lazily (as dbmate maps schemes to drivers), so a SQLite
 * run never loads mysql2 or postgres.js.
 */
const LOADERS: Record<DialectName, () => Promise<CreateDialect>> = {
  postgres: async () => (await import("./postgres/index.ts")).createPostgresDialect,
  mysql: async () => (await import("./mysql/index.ts")).createMysqlDialect,
  sqlite: async () => (await import("./sqlite/index.ts")).createSqliteDialect,
};

export const SCHEMES: Readonly<Record<string, DialectName>> = {
  postgres: "postgres",
  postgresql: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
  file: "sqlite",
  sqlite: "sqlite",
  sqlite3: "sqlite",
  libsql: "sqlite",
};

export function dialectNameForUrl(url: string): DialectName {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const name = scheme ? SCHEMES[scheme] : undefined;
  // Without a scheme the text is not echoed: it may be a key=value string holding a password.
  if (!name) throw errors.dialectUnknown(scheme, Object.keys(SCHEMES));
  return name;
}

export async function loadDialect(options: ConnectionOptions): Promise<Dialect> {
  const create = await LOADERS[dialectNameForUrl(options.url)]();
  return create(options);
}
