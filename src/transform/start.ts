import type { Dialect, Session } from "../dialects/dialect.ts";
import type { HookPayloads } from "../hooks/types.ts";
import { TransformStore } from "./checkpoint.ts";
import { prepareChunks } from "./chunks.ts";
import type { ResolvedTransform } from "./options.ts";

export type TransformStart = HookPayloads["transform:start"];

/**
 * What `transform:start` announces, read on the given session. A migration reads it on its
 * own session before its earlier statements commit (it sees the tables they created), so a
 * plugin aborting there, or a table or column that does not exist, leaves the whole
 * migration to roll back, and no transform record behind. Undefined when the transform is
 * done or paused: there is no start to announce (the engine returns, or says it is paused).
 */
export async function readTransformStart(dialect: Dialect, session: Session, historyTable: string, spec: ResolvedTransform): Promise<TransformStart | undefined> {
  const { sql } = await prepareChunks(dialect, session, spec);
  const store = new TransformStore(dialect, historyTable);
  const record = (await store.exists(session)) ? await store.get(session, spec.id) : undefined;
  if (record && record.state !== "running") return undefined;
  const rowsTotal = record ? record.rowsTotal : await sql.countRows(session);
  const rowsDone = record ? await store.rowsDone(session, spec.id) : 0;
  return { id: spec.id, migrationId: spec.migrationId, table: spec.table, rowsTotal, rowsDone, workers: spec.workers, batchSize: spec.batchSize };
}
