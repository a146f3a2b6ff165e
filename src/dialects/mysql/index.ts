import type { CreateDialect, Dialect } from "../dialect.ts";
import { MysqlAdapter } from "./adapter.ts";
import { MysqlCompiler } from "./compiler.ts";
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
  const compiler = new MysqlCompiler(state);
  return {
    name: "mysql",
    displayName: "MySQL/MariaDB",
    driver: new MysqlDriver(options, state, compiler),
    compiler,
    adapter: new MysqlAdapter(options, state, compiler),
    introspector: new MysqlIntrospector(state),
  };
};
