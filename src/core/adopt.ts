import type { Connection } from "./connection.ts";
import type { MigrationSource } from "./discover.ts";
import type { Graph } from "./graph.ts";
import type { History } from "./history.ts";
import type { AppliedRecord } from "./plan.ts";

/** The table where dbmate records the versions it applied. */
const DBMATE_TABLE = "schema_migrations";

/**
 * A database dbmate migrated, which strata has no history of yet: the migrations whose
 * versions dbmate's `schema_migrations` lists count as applied (adopted), in graph order.
 * Versions there without a file here are left out (strata cannot name them) and listed.
 */
export async function dbmateApplied(conn: Connection, history: History, graph: Graph<MigrationSource>): Promise<{ adopted: AppliedRecord[]; withoutFile: string[] }> {
  if ((await history.exists()) || !(await conn.dialect.adapter.tableExists(conn.session, DBMATE_TABLE))) return { adopted: [], withoutFile: [] };
  const { rows } = await conn.session.execute(`select version from ${conn.dialect.compiler.quoteTable(DBMATE_TABLE)}`);
  const versions = new Set(rows.map((r) => String(r.version)));
  const appliedAt = new Date().toISOString();
  const adopted = graph.order
    .filter((m) => versions.has(m.version))
    .map((m, i) => ({ id: m.id, version: m.version, name: m.name, checksum: m.checksum, batch: 1, sequence: i + 1, appliedAt }));
  const known = new Set(graph.order.map((m) => m.version));
  return { adopted, withoutFile: [...versions].filter((v) => !known.has(v)).sort() };
}

/** Records adopted migrations in strata's history, each with a `resolve` event saying where it came from. */
export async function recordAdopted(history: History, adopted: readonly AppliedRecord[], by: string, toolVersion: string): Promise<void> {
  await history.ensure();
  for (const record of adopted) {
    await history.recordApplied({ ...record, appliedBy: by, toolVersion });
    await history.appendEvent({ id: record.id, action: "resolve", by, details: { kind: "adopt", from: `dbmate ${DBMATE_TABLE}` } });
  }
}
