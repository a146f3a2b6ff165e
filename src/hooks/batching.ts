/**
 * Batching policy for data transforms: how big the next chunk is, how long to wait before
 * it, how long to back off before retrying a failed one. The engine applies the numbers;
 * a plugin chooses them (the built-in `batching()` plugin does, when no other plugin
 * provides a policy).
 */
export interface BatchPolicy {
  /** Rows for the next chunk, from how long the last one took. */
  nextSize(state: { size: number; durationMs: number; targetMs: number; min: number; max: number }): number;
  /** Milliseconds to wait before starting a chunk of `size` rows. */
  delayMs(state: { size: number; rowsStarted: number; elapsedMs: number; maxRowsPerSecond?: number; pauseMs: number }): number;
  /** Milliseconds to wait before retrying a chunk that failed `attempt` times. */
  retryDelayMs(attempt: number): number;
}
