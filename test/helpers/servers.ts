/**
 * Where the test servers are. Override with STRATA_TEST_POSTGRES_URL / STRATA_TEST_MYSQL_URL
 * (admin URLs: the user must be allowed to create and drop databases).
 */
export const ADMIN_URLS = {
  postgres: process.env.STRATA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  mysql: process.env.STRATA_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test",
} as const;

/** Set in CI: a server that does not answer fails the run instead of skipping its tests. */
export const SERVERS_REQUIRED = process.env.STRATA_REQUIRE_SERVERS === "1";

export type ServerName = keyof typeof ADMIN_URLS;

export async function probeServer(name: ServerName): Promise<string | undefined> {
  try {
    if (name === "postgres") {
      const { default: postgres } = await import("postgres");
      const sql = postgres(ADMIN_URLS.postgres, { max: 1, connect_timeout: 3, onnotice: () => {} });
      try {
        await sql`select 1`;
      } finally {
        await sql.end({ timeout: 1 });
      }
    } else {
      const mysql = await import("mysql2/promise");
      const conn = await mysql.createConnection({ uri: ADMIN_URLS.mysql, connectTimeout: 3000 });
      try {
        await conn.query("select 1");
      } finally {
        await conn.end();
      }
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
