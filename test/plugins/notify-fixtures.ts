import { tableMigration } from "../cli/fixtures.ts";

/** Where a project's config imports notify() from: the built-in plugins, as users write it. */
export const PLUGINS_IMPORT = "strata/plugins";

/** A token in the webhook's path and query: it must never be printed. */
export const URL_TOKEN = "T0KEN-IN-PATH-9f8e7d";
export const QUERY_TOKEN = "q-s3cret-42";

/** The webhook URL on `origin`, with secrets past the origin as Slack's and others' carry them. */
export function webhookUrl(origin: string): string {
  return `${origin}/services/${URL_TOKEN}?token=${QUERY_TOKEN}`;
}

export const FIRST = "20260101000000_create_things";
export const SECOND = "20260102000000_create_more";

/** Two migrations creating tables "things" and "more". */
export function twoMigrations(): Record<string, string> {
  return {
    [`migrations/${FIRST}.ts`]: tableMigration("CreateThings", "things"),
    [`migrations/${SECOND}.ts`]: tableMigration("CreateMore", "more"),
  };
}

/** A second migration that fails on every database (a table that already exists). */
export function failingSecond(): Record<string, string> {
  return {
    [`migrations/${FIRST}.ts`]: tableMigration("CreateThings", "things"),
    [`migrations/${SECOND}.sql`]: "-- migrate:up\ncreate table things (id integer);\n-- migrate:down\n",
  };
}

/** strata.config.ts with notify(options); `options` is TypeScript source (it may read process.env). */
export function notifyConfig(options: string, more = ""): string {
  return `import { defineConfig } from "strata";
import { notify } from "${PLUGINS_IMPORT}";

export default defineConfig({
  ${more}
  plugins: [notify(${options})],
});
`;
}
