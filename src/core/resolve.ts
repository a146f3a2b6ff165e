import { errors, UsageError } from "../errors.ts";
import type { MigrationSource } from "./discover.ts";
import type { Graph } from "./graph.ts";
import type { History } from "./history.ts";
import { resolveApplied, type AppliedRecord, type ProgressRecord } from "./plan.ts";

export const RESOLVE_ACTIONS = ["accept-checksum", "forget", "mark-applied", "mark-rolled-back"] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

export interface ResolveInput {
  graph: Graph<MigrationSource>;
  history: History;
  applied: readonly AppliedRecord[];
  progress: readonly ProgressRecord[];
  by: string;
  toolVersion: string;
  /** Removes the migration's transform checkpoints (it counts as not applied from now on). */
  forgetTransforms(id: string): Promise<void>;
  /** Another run held the migration lock when the command started: the state may have changed since the user looked. */
  waitedForLock?: boolean;
}

/**
 * The explicit way out of a modified, missing or failed state. Each resolution changes only
 * strata's own bookkeeping (never the user's schema) and is logged as a `resolve` event.
 */
export async function resolveMigration(ref: string, action: ResolveAction, input: ResolveInput): Promise<{ id: string; action: ResolveAction }> {
  const { graph, history, applied, progress, by } = input;
  const id = resolveApplied(graph, applied, ref, progress);
  const record = applied.find((r) => r.id === id);
  const failed = progress.find((p) => p.id === id);
  const source = graph.byId.get(id);
  const refuse = (why: string) => new UsageError(`Cannot ${action} "${id}": ${why}`, { hint: `Run "strata status" to see its state.` });
  const details: Record<string, unknown> = { kind: action };
  switch (action) {
    case "accept-checksum":
      if (!record) throw refuse("it is not applied.");
      if (!source) throw refuse("its file is missing; use --forget.");
      if (source.checksum === record.checksum) throw refuse("its file is unchanged.");
      await history.updateChecksum(id, source.checksum);
      Object.assign(details, { from: record.checksum, to: source.checksum });
      break;
    case "forget":
      if (!record && !failed) throw refuse("it is not in the history.");
      // Forgotten with its file present, it would run again over the schema it made.
      if (source) throw refuse(`its file ${source.displayFile} is present: --forget is for a migration whose file was deleted. Use --accept-checksum for an edited file, or strata down to undo it.`);
      if (record) await history.removeApplied(id);
      await history.clearProgress(id);
      await input.forgetTransforms(id);
      break;
    case "mark-applied": {
      if (record && !failed) throw refuse("it is already applied.");
      if (!source) throw errors.migrationNotFound(ref);
      if (failed) await history.clearProgress(id);
      // A failed rollback marked applied keeps its history row: it was undone by hand.
      if (!record) {
        const batch = Math.max(0, ...applied.map((r) => r.batch)) + 1;
        const sequence = Math.max(0, ...applied.map((r) => r.sequence)) + 1;
        await history.recordApplied({ id, version: source.version, name: source.name, checksum: source.checksum, batch, sequence, appliedAt: new Date().toISOString(), appliedBy: by, toolVersion: input.toolVersion });
      }
      break;
    }
    case "mark-rolled-back": {
      if (!record && !failed) throw refuse("it is neither applied nor failed.");
      // A run killed part-way may still finish on the server: what looked failed is applied now.
      if (record && !failed && input.waitedForLock) throw refuse("another run held the migration lock when this command started, and the migration is applied now, not failed. Check it again before marking it rolled back.");
      // Applied migrations that depend on it would then stand on one that is not applied.
      const dependents = record ? applied.filter((r) => r.id !== id && graph.dependencies.get(r.id)?.includes(id)).map((r) => r.id) : [];
      if (dependents.length) throw refuse(`applied migrations depend on it: ${dependents.join(", ")}. Roll them back first (strata down --to ${id} rolls back what came after it).`);
      if (record) await history.removeApplied(id);
      await history.clearProgress(id);
      await input.forgetTransforms(id);
      break;
    }
  }
  if (failed) Object.assign(details, { failedStatement: failed.statement, statementsDone: failed.statementsDone });
  await history.appendEvent({ id, action: "resolve", by, details });
  return { id, action };
}
