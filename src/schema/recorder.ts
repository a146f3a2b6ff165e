import type { Operation } from "./operations.ts";

/**
 * The recording that Schema calls append to while a migration's up() or down() runs.
 * It lives on globalThis under a Symbol.for key, because a user's file may have loaded
 * a second copy of strata whose Schema must still reach the running engine.
 */
export interface Recorder {
  record(op: Operation): void;
}

const SLOT = Symbol.for("strata.recorder");
type Slot = { current?: Recorder };

function slot(): Slot {
  const holder = globalThis as unknown as Record<symbol, Slot | undefined>;
  return (holder[SLOT] ??= {});
}

/** Runs fn with `recorder` receiving every Schema call; restores the previous one after. */
export async function withRecorder<T>(recorder: Recorder, fn: () => T | Promise<T>): Promise<T> {
  const s = slot();
  const previous = s.current;
  s.current = recorder;
  try {
    return await fn();
  } finally {
    s.current = previous;
  }
}

export function recordOperation(op: Operation, call: string): void {
  const recorder = slot().current;
  if (!recorder) {
    throw new Error(`Schema.${call}() was called outside a migration: call it inside up() or down() of a class extending Migration.`);
  }
  recorder.record(Object.freeze(op));
}
