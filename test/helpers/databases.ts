import { describe, inject, onTestFinished } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase, type TestDialectName } from "./create-database.ts";
import { SERVERS_REQUIRED } from "./servers.ts";

export { createTestDatabase, TEST_DIALECTS, uniqueName, type TestDatabase, type TestDialectName } from "./create-database.ts";

/** Why a server's tests are skipped, or undefined when it answers (always for SQLite). */
export function unavailable(dialect: TestDialectName): string | undefined {
  if (dialect === "sqlite") return undefined;
  const servers = inject("servers");
  return servers[dialect] ?? undefined;
}

/**
 * Runs a suite on SQLite always, and on PostgreSQL and MariaDB when they answer. A server
 * that does not answer gets a skipped suite whose title says why (in CI, global setup
 * fails the run instead).
 */
export function forEachDialect(fn: (dialect: TestDialectName) => void, dialects: readonly TestDialectName[] = TEST_DIALECTS): void {
  for (const dialect of dialects) {
    const problem = unavailable(dialect);
    if (problem && !SERVERS_REQUIRED) {
      describe.skip(`${dialect} (skipped: server not reachable: ${problem})`, () => fn(dialect));
    } else {
      describe(dialect, () => fn(dialect));
    }
  }
}

/** Inside a test: a fresh database dropped when the test finishes. */
export async function testDatabase(dialect: TestDialectName): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  onTestFinished(() => db.drop());
  return db;
}
