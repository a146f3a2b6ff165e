import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_FILES } from "../../config/load.ts";
import { defineCommand } from "../command.ts";

const CONFIG_TEMPLATE = `import { defineConfig } from "strata";

export default defineConfig({
  path: "migrations",
  table: "migrations",
  environments: {
    // A bare name is a SQLite file under ./data/ (or a database on "url" when set);
    // a full URL (postgres://, mysql://, file:) is used as is.
    development: { database: "app_dev" },
    testing: { database: "app_test" },
    production: { database: process.env.DATABASE_URL ?? "app_prod", backup: true, dryRun: true },
  },
  seeder: { path: "seeders", environments: ["development", "testing"] },
  backup: { enabled: false, path: "backups", compress: true, retentionDays: 30 },
});
`;

export default defineCommand({
  name: "init",
  description: "Scaffold strata.config.ts, migrations/ and seeders/",
  async run({ cwd, out }) {
    const created: string[] = [];
    const existing = CONFIG_FILES.find((f) => existsSync(join(cwd, f)));
    if (existing) out.info(`${existing} already exists; left as it is.`);
    else {
      writeFileSync(join(cwd, "strata.config.ts"), CONFIG_TEMPLATE);
      created.push("strata.config.ts");
    }
    for (const dir of ["migrations", "seeders"]) {
      if (!existsSync(join(cwd, dir))) {
        mkdirSync(join(cwd, dir), { recursive: true });
        created.push(`${dir}/`);
      }
    }
    out.result({ created }, () => (created.length ? `Created ${created.join(", ")}.\nNext: strata new create_users` : "Nothing to create: the project is already set up."));
  },
});
