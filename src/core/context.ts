import type { DialectName } from "../dialects/dialect.ts";
import type { Db } from "./db.ts";

/**
 * What the engine hands a running migration or seeder. Stored under a global symbol so a
 * user file that loaded a second copy of strata still reaches the running engine.
 */
export const CONTEXT = Symbol.for("strata.context");

export interface RunContext {
  readonly db: Db;
  readonly environment: string;
  /** The database kind the run is on. */
  readonly dialect: DialectName;
  readonly dryRun: boolean;
  /** Batched data transform (the transform engine); absent where transforms cannot run. */
  readonly transform?: (table: string, options: unknown, fn: unknown) => Promise<unknown>;
}

export function contextOf(target: object, what: string): RunContext {
  const ctx = (target as Record<symbol, RunContext | undefined>)[CONTEXT];
  if (!ctx) throw new Error(`${what} is only available while strata runs the migration or seeder.`);
  return ctx;
}
