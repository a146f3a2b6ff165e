import type { TransformEvent } from "../transform/engine.ts";
import { formatDuration } from "../util/time.ts";

const INTERVAL_MS = 5000;
const WIDTH = 24;

/**
 * A transform's progress: a bar with rows done, rate and ETA redrawn in place on a terminal,
 * one structured line per interval otherwise (logs and CI).
 */
export class ProgressRenderer {
  readonly #tty: boolean;
  readonly #write: (text: string) => void;
  #lastLine = 0;
  #drawn = false;

  constructor(options: { tty: boolean; write: (text: string) => void }) {
    this.#tty = options.tty;
    this.#write = options.write;
  }

  handle(event: Exclude<TransformEvent, { event: "transform-preview" }>): void {
    switch (event.event) {
      case "transform-start":
        this.#line(`transform ${event.id}: ${event.rowsDone ? `resuming at ${event.rowsDone} of` : "starting,"} ${event.rowsTotal} rows, ${event.workers} worker(s), chunks of ${event.batchSize}`);
        return;
      case "transform-progress": {
        const pct = event.rowsTotal > 0 ? Math.min(100, (event.rowsDone / event.rowsTotal) * 100) : 100;
        const rate = `${Math.round(event.rowsPerSecond).toLocaleString("en-US")} rows/s`;
        const eta = event.etaMs === null ? "ETA —" : `ETA ${formatDuration(event.etaMs)}`;
        if (this.#tty) {
          const filled = Math.round((pct / 100) * WIDTH);
          const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
          this.#write(`\r\x1b[2K${bar} ${pct.toFixed(1).padStart(5)}%  ${event.rowsDone.toLocaleString("en-US")}/${event.rowsTotal.toLocaleString("en-US")} rows  ${rate}  ${eta}`);
          this.#drawn = true;
          return;
        }
        const now = Date.now();
        if (now - this.#lastLine < INTERVAL_MS) return;
        this.#lastLine = now;
        this.#line(`transform ${event.id}: ${event.rowsDone}/${event.rowsTotal} rows (${pct.toFixed(1)}%), ${rate}, ${eta}`);
        return;
      }
      case "transform-end":
        this.#line(`transform ${event.id}: ${event.state} — ${event.rowsDone} of ${event.rowsTotal} rows in ${formatDuration(event.durationMs)}`);
        return;
    }
  }

  #line(text: string): void {
    if (this.#drawn) this.#write("\r\x1b[2K");
    this.#drawn = false;
    this.#write(`${text}\n`);
  }
}
