import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ADMIN_URLS } from "./servers.ts";

/** Test databases without vitest, so benchmarks in scripts/ use them too. */
export type TestDialectName = "sqlite" | "postgres" | "mysql";
export const TEST_DIALECTS: readonly TestDialectName[] = ["sqlite", "postgres", "mysql"];

export interface TestDatabase {
  dialect: TestDialectName;
  /** Database URL for strata (--url / DATABASE_URL). */
  url: string;
  /** Database name (SQLite: the file path). */
  name: string;
  drop(): Promise<void>;
}

export function uniqueName(prefix = "strata_t"): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/** A fresh empty database with a unique name; drop() removes it. */
export async function createTestDatabase(dialect: TestDialectName): Promise<TestDatabase> {
  const name = uniqueName();
  if (dialect === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "strata-sqlite-"));
    const file = join(dir, `${name}.db`);
    return { dialect, url: `file:${file}`, name: file, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  if (dialect === "postgres") {
    const { default: postgres } = await import("postgres");
    const admin = postgres(ADMIN_URLS.postgres, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}"`);
    } finally {
      await admin.end({ timeout: 1 });
    }
    const url = new URL(ADMIN_URLS.postgres);
    url.pathname = `/${name}`;
    return {
      dialect,
      url: url.href,
      name,
      async drop() {
        const a = postgres(ADMIN_URLS.postgres, { max: 1, onnotice: () => {} });
        try {
          await a.unsafe(`drop database if exists "${name}" with (force)`);
        } finally {
          await a.end({ timeout: 1 });
        }
      },
    };
  }
  const mysql = await import("mysql2/promise");
  const run = async (sql: string) => {
    const conn = await mysql.createConnection({ uri: ADMIN_URLS.mysql });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  await run(`create database \`${name}\``);
  const url = new URL(ADMIN_URLS.mysql);
  url.pathname = `/${name}`;
  return { dialect, url: url.href, name, drop: () => run(`drop database if exists \`${name}\``) };
}

