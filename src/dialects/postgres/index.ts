import type { CreateDialect } from "../dialect.ts";
import { PostgresAdapter } from "./adapter.ts";
import { PostgresCompiler } from "./compiler.ts";
import { PostgresDriver } from "./driver.ts";
import { PostgresIntrospector } from "./introspector.ts";

/** PostgreSQL through postgres.js: `postgres://` and `postgresql://` URLs. */
export const createPostgresDialect: CreateDialect = (options) => {
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  const compiler = new PostgresCompiler(schema);
  return {
    name: "postgres",
    displayName: "PostgreSQL",
    driver: new PostgresDriver(options, compiler),
    compiler,
    adapter: new PostgresAdapter(options, compiler),
    introspector: new PostgresIntrospector(schema),
  };
};
