import type { ConnectionOptions, CreateDialect, Dialect } from "../dialect.ts";
import { MysqlAdapter } from "./adapter.ts";
import { MysqlCompiler } from "./compiler.ts";
import { parseConnectionConfig } from "./connection-config.ts";
import { MysqlDriver } from "./driver.ts";
import { MysqlIntrospector } from "./introspector.ts";
import { createServerState } from "./server.ts";

/**
 * MySQL 8 and MariaDB 10.5+ (`mysql://`, `mariadb://`). The four objects share what the
 * first session learns about the server (flavour and version), so the few differences
 * between the two are decided per server, not per URL scheme.
 */
export const createMysqlDialect: CreateDialect = (options): Dialect => {
  const state = createServerState();
  const compiler = new MysqlCompiler(state, databaseOf(options));
  return {
    name: "mysql",
    displayName: "MySQL/MariaDB",
    driver: new MysqlDriver(options, state, compiler),
    compiler,
    adapter: new MysqlAdapter(options, state, compiler),
    introspector: new MysqlIntrospector(state),
  };
};

/** The URL's database, where strata's own tables live; a malformed URL is reported when a session opens. */
function databaseOf(options: ConnectionOptions): string | undefined {
  try {
    return parseConnectionConfig(options).database;
  } catch {
    return undefined;
  }
}
