import { AsyncLocalStorage } from "node:async_hooks";
import type { Operation } from "./operations.ts";

/**
 * The recording that Schema calls append to while a migration's up() or down() runs. It is
 * found through AsyncLocalStorage, so two runs in one process (several tenants' databases
 * migrated at once, up() awaiting between Schema calls) each keep their own. The storage
 * lives on globalThis under a Symbol.for key, because a user's file may have loaded a second
 * copy of strata whose Schema must still reach the running engine.
 */
export interface Recorder {
  record(op: Operation): void;
}

const SLOT = Symbol.for("strata.recorder");

function storage(): AsyncLocalStorage<Recorder> {
  const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<Recorder> | undefined>;
  return (holder[SLOT] ??= new AsyncLocalStorage<Recorder>());
}

/** Runs fn with `recorder` receiving every Schema call made in it, awaited calls included. */
export async function withRecorder<T>(recorder: Recorder, fn: () => T | Promise<T>): Promise<T> {
  return storage().run(recorder, async () => await fn());
}

export function recordOperation(op: Operation, call: string): void {
  const recorder = storage().getStore();
  if (!recorder) {
    throw new Error(`Schema.${call}() was called outside a migration: call it inside up() or down() of a class extending Migration.`);
  }
  recorder.record(Object.freeze(op));
}
