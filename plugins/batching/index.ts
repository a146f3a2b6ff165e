import { definePlugin, type BatchPolicy, type Plugin } from "strata";

export interface BatchingOptions {
  /** How far one chunk's duration may move the next chunk's size, as a factor (default 2). */
  maxStep?: number;
  /** First retry delay in ms, doubled each attempt (default 250), capped at `maxRetryDelayMs` (default 10,000). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * The batching policy for data transforms: chunk sizes adapted toward the target chunk
 * duration (as GitLab's batched migrations do), rows-per-second throttling and the pause
 * between chunks, exponential backoff with jitter for retries. strata uses it when no
 * other plugin provides a batching policy.
 *
 * @example
 * plugins: [batching({ maxStep: 1.5 })]
 */
export function batching(options: BatchingOptions = {}): Plugin {
  const maxStep = options.maxStep ?? 2;
  const first = options.retryDelayMs ?? 250;
  const cap = options.maxRetryDelayMs ?? 10_000;
  const policy: BatchPolicy = {
    nextSize({ size, durationMs, targetMs, min, max }) {
      if (targetMs <= 0 || durationMs <= 0) return size;
      const factor = Math.min(maxStep, Math.max(1 / maxStep, targetMs / durationMs));
      return Math.round(Math.min(max, Math.max(min, size * factor)));
    },
    delayMs({ rowsStarted, elapsedMs, maxRowsPerSecond, pauseMs }) {
      // Token bucket: the rows started so far may not run ahead of the allowed rate.
      const throttle = maxRowsPerSecond ? Math.max(0, (rowsStarted / maxRowsPerSecond) * 1000 - elapsedMs) : 0;
      return Math.max(throttle, pauseMs);
    },
    retryDelayMs(attempt) {
      const base = Math.min(cap, first * 2 ** Math.max(0, attempt - 1));
      return Math.round(base * (0.75 + Math.random() * 0.5));
    },
  };
  return definePlugin({ name: "batching", hooks: {}, batching: policy });
}
