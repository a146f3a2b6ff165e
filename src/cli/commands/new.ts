import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { errors } from "../../errors.ts";
import { createVersion, toPascalCase, toSnakeCase, VERSION_PATTERN } from "../../util/ids.ts";
import { defineCommand } from "../command.ts";

const tsTemplate = (className: string, dependencies: string[]) => `import { Migration, Schema } from "strata";

export default class ${className} extends Migration {
${dependencies.length ? `  dependencies = [${dependencies.map((d) => JSON.stringify(d)).join(", ")}];\n\n` : ""}  up() {
    // Schema.createTable("things", [Schema.id(), Schema.string("name"), Schema.timestamps()]);
  }

  // down() is derived from up() when every operation is reversible; write it otherwise.
}
`;

const sqlTemplate = (dependencies: string[]) => `${dependencies.map((d) => `-- strata:depends ${d}\n`).join("")}-- migrate:up


-- migrate:down

`;

const MODULE = /\.[mc]?[tj]s$/;

export default defineCommand({
  name: "new <name>",
  description: "Create a migration file with a fresh version",
  options: [{ flag: "--sql", description: "Write a .sql migration (-- migrate:up / -- migrate:down)" }],
  examples: ["strata new add_user_profile", "strata new backfill_emails --sql"],
  async run({ args, options, out, migrator }) {
    const name = toSnakeCase(args[0] ?? "");
    if (!name) throw errors.usage(`Migration name "${args[0] ?? ""}" has no ASCII letters or digits (a-z, 0-9) to name a file with.`, "e.g. strata new create_users");
    const { migrationsDir, root, strategy } = await migrator().config();
    mkdirSync(migrationsDir, { recursive: true });
    const files = readdirSync(migrationsDir);
    // Under "explicit" a new migration follows the current head(s), so it does not start a branch.
    const dependencies = strategy === "explicit" ? await migrator().heads() : [];
    const latest = files
      .map((f) => /^(\d{14})_/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .sort()
      .pop();
    const version = createVersion(new Date(), latest);
    const id = `${version}_${name}`;
    if (!VERSION_PATTERN.test(id)) throw errors.usage(`"${id}" is not a valid migration id.`);
    const file = join(migrationsDir, `${id}${options.sql ? ".sql" : ".ts"}`);
    if (existsSync(file)) throw errors.usage(`${file} already exists.`);
    // Class names are references for dependencies: a second migration of the same name gets its version in its class name.
    const taken = files.some((f) => MODULE.test(f) && f.replace(MODULE, "").replace(/^\d+_/, "") === name);
    writeFileSync(file, options.sql ? sqlTemplate(dependencies) : tsTemplate(toPascalCase(taken ? `${name}_${version}` : name), dependencies));
    const display = relative(root, file);
    out.result({ id, file: display }, () => `Created ${display}${dependencies.length > 1 ? `\nIt depends on the ${dependencies.length} heads (${dependencies.join(", ")}), so it merges them.` : ""}`);
  },
});
