import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CliResult } from "../../helpers/cli.ts";
import type { TestDatabase } from "../../helpers/databases.ts";

/** dbmate's Go binary, installed from npm as a dev dependency, to compare against. */
const DBMATE = fileURLToPath(new URL("../../../node_modules/.bin/dbmate", import.meta.url));

/** Why dbmate cannot run here, or undefined. */
export function dbmateMissing(): string | undefined {
  return existsSync(DBMATE) ? undefined : `dbmate is not installed (${DBMATE})`;
}

/** The test database as dbmate spells its URL (`sqlite:` path; PostgreSQL without TLS). */
export function dbmateUrl(db: TestDatabase): string {
  if (db.dialect === "sqlite") return `sqlite:${db.name}`;
  if (db.dialect === "mysql") return db.url;
  const url = new URL(db.url);
  url.searchParams.set("sslmode", "disable");
  return url.href;
}

/** `dbmate <command>` on a migrations folder, without writing db/schema.sql. */
export function runDbmate(db: TestDatabase, migrationsDir: string, command: string): Promise<CliResult> {
  const args = ["--url", dbmateUrl(db), "--migrations-dir", migrationsDir, "--no-dump-schema", command];
  return new Promise((resolve) => {
    execFile(DBMATE, args, { cwd: migrationsDir, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
