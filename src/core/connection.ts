import type { ResolvedConfig } from "../config/environments.ts";
import { sqlitePath } from "../config/database-url.ts";
import type { Dialect, Session } from "../dialects/dialect.ts";
import { loadDialect } from "../dialects/registry.ts";
import { errors, isStrataError } from "../errors.ts";

export interface Connection {
  dialect: Dialect;
  session: Session;
  /** The migration lock key: database identity + history table, not the URL's spelling. */
  lockKey: string;
  close(): Promise<void>;
}

/** The one dialect the URL needs, loaded lazily, with its own connection pool. */
export function configuredDialect(config: ResolvedConfig, options: { readOnly?: boolean; poolSize?: number } = {}): Promise<Dialect> {
  return loadDialect({
    url: config.database.url,
    described: config.database.described,
    poolSize: options.poolSize ?? config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    ddlLockTimeoutMs: config.ddl.lockTimeoutMs,
    ...(config.tls !== undefined ? { tls: config.tls } : {}),
    ...(config.schema ? { schema: config.schema } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
}

/** Loads the dialect and opens a dedicated session. */
export async function connect(config: ResolvedConfig, options: { readOnly?: boolean } = {}): Promise<Connection> {
  const dialect = await configuredDialect(config, options);
  let session: Session;
  try {
    session = await dialect.driver.open();
  } catch (error) {
    await dialect.driver.close().catch(() => undefined);
    if (isStrataError(error)) throw error;
    throw errors.connectionFailed(config.database.described, error);
  }
  return {
    dialect,
    session,
    lockKey: `strata:${databaseIdentity(config.database.url)}:${config.schema ?? ""}:${config.table}`,
    async close() {
      await session.close().catch(() => undefined);
      await dialect.driver.close();
    },
  };
}

function databaseIdentity(url: string): string {
  const file = sqlitePath(url);
  if (file !== undefined) return file;
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  } catch {
    return "";
  }
}
