import { defineConfig } from "strata";

// The module description's configuration. With no DATABASE_URL or --url, each
// environment's database name is a SQLite file under ./data/ (app_dev -> ./data/app_dev.db).
export default defineConfig({
  path: "migrations",
  table: "migrations",
  environments: {
    development: { database: "app_dev" },
    testing: { database: "app_test", backup: false },
    production: { database: "app_prod", dry_run: true },
  },
  seeder: {
    path: "seeders",
    environments: ["development", "testing"],
  },
  backup: {
    enabled: false,
    path: "backups",
    compress: true,
    retention_days: 30,
  },
});
