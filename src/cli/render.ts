import type pc from "picocolors";
import { isStrataError, messageOf, MigrationError } from "../errors.ts";
import type { MigratorEvent } from "../core/migrator.ts";
import { knownSecrets, redactSecrets } from "../util/redact.ts";
import { formatDuration } from "../util/time.ts";
import { ProgressRenderer } from "./progress.ts";

export type Colors = Pick<typeof pc, "bold" | "dim" | "red" | "green" | "yellow" | "cyan">;

const plain = (text: string | number | null | undefined) => String(text);
/** Colours off: every colour leaves the text as it is. */
export const NO_COLORS: Colors = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  colors: Colors;
  write(stream: "stdout" | "stderr", text: string): void;
}

/**
 * Every line the CLI prints goes through here: human text or `--json`, colours, `--quiet`,
 * and a last pass that masks anything shaped like a password (a safety net; URLs are
 * shown through describeUrl() in the first place).
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly c: Colors;
  readonly #write: OutputOptions["write"];
  readonly #progress: ProgressRenderer;

  constructor(options: OutputOptions & { tty?: boolean }) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.c = options.colors;
    this.#write = options.write;
    this.#progress = new ProgressRenderer({ tty: options.tty ?? false, write: (text) => this.#write("stderr", redactSecrets(text, knownSecrets())) });
  }

  #print(stream: "stdout" | "stderr", text: string): void {
    this.#write(stream, `${redactSecrets(text, knownSecrets())}\n`);
  }

  /** Progress and information for people: stdout, silenced by --quiet and --json. */
  info(text: string): void {
    if (!this.quiet && !this.json) this.#print("stdout", text);
  }

  /** The command's result: JSON with --json, else the given text (printed even with --quiet). */
  result(data: unknown, text?: () => string): void {
    if (this.json) this.#print("stdout", JSON.stringify(data, null, 2));
    else if (text) {
      const body = text();
      if (body) this.#print("stdout", body);
    }
  }

  warn(text: string): void {
    this.#print("stderr", `${this.c.yellow("warning")} ${text}`);
  }

  error(error: unknown): void {
    const code = isStrataError(error) ? error.code : "ERROR";
    const message = messageOf(error);
    const hint = isStrataError(error) ? error.hint : undefined;
    if (this.json) {
      const details = error instanceof MigrationError ? { migrationId: error.migrationId, direction: error.direction, ...(error.statement ? { statement: error.statement } : {}), result: error.result } : {};
      this.#print("stdout", JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}), ...details } }, null, 2));
    }
    this.#print("stderr", `${this.c.red("error")} ${this.c.dim(`[${code}]`)} ${message}`);
    if (error instanceof MigrationError && error.statement && !message.includes(error.statement.slice(0, 40))) {
      const label = error.code === "MIGRATION_FAILED" && error.cause && isStrataError(error.cause) && error.cause.code === "DATABASE_ERROR" ? "statement:" : "last statement run:";
      this.#print("stderr", `  ${this.c.dim(label)} ${preview(error.statement)}`);
    }
    if (error instanceof MigrationError && (error.result.applied.length || error.result.rolledBack.length)) {
      const landed = error.result.applied.length ? `applied before the failure: ${error.result.applied.join(", ")}` : `rolled back before the failure: ${error.result.rolledBack.join(", ")}`;
      this.#print("stderr", `  ${landed}`);
    }
    if (hint) this.#print("stderr", `  ${this.c.cyan("hint")} ${hint}`);
  }

  /** Human lines for engine events. */
  event(event: MigratorEvent): void {
    const c = this.c;
    switch (event.event) {
      case "warning":
        this.warn(event.message);
        return;
      case "plugin-log":
        this.info(`${c.dim(`[${event.plugin}]`)} ${event.message}`);
        return;
      case "lock-wait":
        this.info(`Waiting for the migration lock${event.holder ? `, held by ${event.holder}` : ""}…`);
        return;
      case "statement":
        if (!this.json) this.#print("stdout", `${event.sql.trim().replace(/;?$/, ";")}${event.params.length ? c.dim(` -- params: ${JSON.stringify(event.params, jsonSafe)}`) : ""}`);
        return;
      case "migrating":
        return;
      case "migrated":
        this.info(`  ${c.green("✓")} ${event.direction === "up" ? "" : c.dim("↓ ")}${event.id} ${c.dim(`(${formatDuration(event.ms)})`)}`);
        return;
      case "skipped":
        this.info(`  ${c.dim("-")} ${event.id} ${c.dim(`skipped: ${event.reason}`)}`);
        return;
      case "failed":
        this.info(`  ${c.red("✗")} ${event.id}`);
        return;
      case "retrying":
        this.warn(`${event.id}: ${event.reason}; retry ${event.attempt} of ${event.of} in ${formatDuration(event.waitMs)}`);
        return;
      case "backup":
        this.info(`  ${c.green("✓")} backup ${event.file} ${c.dim(`(${(event.sizeBytes / 1024).toFixed(1)} KB, ${formatDuration(event.ms)})`)}`);
        return;
      case "transform-start":
      case "transform-progress":
      case "transform-end":
        if (!this.quiet && !this.json) this.#progress.handle(event);
        return;
      case "transform-preview": {
        if (this.json) return;
        const text = "note" in event ? `-- transform ${event.id}: ${event.note}` : `-- transform ${event.id} on a sample row:\n--   ${JSON.stringify(event.before, jsonSafe)}\n--   -> ${event.after === null ? "(unchanged)" : JSON.stringify(event.after, jsonSafe)}`;
        this.#print("stdout", c.dim(text));
        return;
      }
      case "seeding":
        return;
      case "seeded":
        this.info(`  ${c.green("✓")} ${event.name} ${c.dim(`(${formatDuration(event.ms)})`)}`);
        return;
      case "plan":
        return;
    }
  }

  /** Dry-run header before a migration's statements. */
  heading(text: string): void {
    if (!this.json) this.#print("stdout", this.c.dim(`-- ${text}`));
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

function preview(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
