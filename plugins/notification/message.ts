import { hostname } from "node:os";
import { describeUrl, STRATA_VERSION, type HookPayloads } from "strata";

/** What the webhook receives as JSON and the command reads on stdin. */
export interface NotificationMessage {
  /** One line (plus a list) for people; Slack, Mattermost and Teams incoming webhooks show it. */
  text: string;
  event: "run:end" | "seed:after";
  /** The strata command: "up", "down" or "seed". */
  command: string;
  environment: string;
  success: boolean;
  /** The database URL with its password masked. */
  database?: string;
  dialect?: string;
  migrations: { id: string; direction: "up" | "down"; durationMs: number }[];
  applied: string[];
  rolledBack: string[];
  seeders?: string[];
  durationMs: number;
  error?: { code: string; message: string; migrationId?: string };
  host: string;
  strataVersion: string;
  at: string;
}

const LISTED = 20;

export function runMessage(payload: HookPayloads["run:end"]): NotificationMessage {
  const migrations = payload.migrations.map((m) => ({ id: m.id, direction: m.direction, durationMs: Math.round(m.durationMs) }));
  const message: Omit<NotificationMessage, "text"> = {
    event: "run:end",
    command: payload.command,
    environment: payload.environment,
    success: payload.success,
    database: describeUrl(payload.database),
    dialect: payload.dialect,
    migrations,
    applied: [...payload.applied],
    rolledBack: [...payload.rolledBack],
    durationMs: Math.round(payload.durationMs),
    ...(payload.error ? { error: errorOf(payload.error) } : {}),
    host: hostname(),
    strataVersion: STRATA_VERSION,
    at: new Date().toISOString(),
  };
  return { text: runText(message), ...message };
}

export function seedMessage(payload: HookPayloads["seed:after"]): NotificationMessage {
  const message: Omit<NotificationMessage, "text"> = {
    event: "seed:after",
    command: "seed",
    environment: payload.environment,
    database: describeUrl(payload.database),
    dialect: payload.dialect,
    success: payload.success,
    migrations: [],
    applied: [],
    rolledBack: [],
    seeders: [...payload.seeders],
    durationMs: Math.round(payload.durationMs),
    ...(payload.error ? { error: errorOf(payload.error) } : {}),
    host: hostname(),
    strataVersion: STRATA_VERSION,
    at: new Date().toISOString(),
  };
  return { text: seedText(message), ...message };
}

function errorOf(error: { code: string; message: string; migrationId?: string }): NonNullable<NotificationMessage["error"]> {
  return { code: error.code, message: error.message, ...(error.migrationId ? { migrationId: error.migrationId } : {}) };
}

function runText(m: Omit<NotificationMessage, "text">): string {
  const where = `*${escape(m.environment)}*${m.database ? ` (${escape(m.database)})` : ""}`;
  const took = seconds(m.durationMs);
  const done = m.command === "down" ? m.rolledBack : m.applied;
  const verb = m.command === "down" ? "rolled back" : "applied";
  if (m.success) {
    if (done.length === 0) return `:white_check_mark: strata ${m.command} on ${where}: nothing to do (${took})`;
    const head = `:white_check_mark: strata ${m.command} on ${where}: ${count(done.length, "migration")} ${verb} in ${took}`;
    return [head, ...listed(m.migrations.filter((x) => done.includes(x.id)).map((x) => `\`${escape(x.id)}\` (${seconds(x.durationMs)})`))].join("\n");
  }
  const lines = [`:x: strata ${m.command} on ${where} failed after ${took}`];
  if (m.error) lines.push(`[${escape(m.error.code)}] ${escape(m.error.message)}`);
  if (done.length) lines.push(`${verb} before the failure: ${done.map((id) => `\`${escape(id)}\``).join(", ")}`);
  return lines.join("\n");
}

function seedText(m: Omit<NotificationMessage, "text">): string {
  const seeders = m.seeders ?? [];
  const where = `*${escape(m.environment)}*`;
  if (m.success) return `:white_check_mark: strata seed on ${where}: ${count(seeders.length, "seeder")} run in ${seconds(m.durationMs)}`;
  const lines = [`:x: strata seed on ${where} failed after ${seconds(m.durationMs)}`];
  if (m.error) lines.push(`[${escape(m.error.code)}] ${escape(m.error.message)}`);
  if (seeders.length) lines.push(`seeded before the failure: ${seeders.map(escape).join(", ")}`);
  return lines.join("\n");
}

function listed(items: string[]): string[] {
  const shown = items.slice(0, LISTED).map((item) => `• ${item}`);
  if (items.length > LISTED) shown.push(`… and ${items.length - LISTED} more`);
  return shown;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Slack's mrkdwn reads `<`, `>` and `&` as markup: https://api.slack.com/reference/surfaces/formatting#escaping */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
