import type { CreateDialect } from "../dialect.ts";
import { SqliteAdapter } from "./adapter.ts";
import { SqliteCompiler } from "./compiler.ts";
import { createSqliteDriver, describeSqliteTarget, parseSqliteUrl } from "./driver.ts";
import { SqliteIntrospector } from "./introspector.ts";

/** SQLite and libSQL: local files (`file:`, `sqlite:`), `:memory:`, and remote `libsql://` servers. */
export const createSqliteDialect: CreateDialect = (options) => {
  const target = parseSqliteUrl(options.url, options.described);
  return {
    name: "sqlite",
    displayName: "SQLite",
    driver: createSqliteDriver(target, options),
    compiler: new SqliteCompiler(),
    adapter: new SqliteAdapter(describeSqliteTarget(target)),
    introspector: new SqliteIntrospector(),
  };
};
