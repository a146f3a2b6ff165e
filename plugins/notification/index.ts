import process from "node:process";
import { ConfigError, definePlugin, type HookContext, type Plugin } from "strata";
import { runCommand } from "./command.ts";
import { runMessage, seedMessage, type NotificationMessage } from "./message.ts";
import { postWebhook, type WebhookTarget } from "./webhook.ts";

export type { NotificationMessage } from "./message.ts";

export interface NotifyOptions {
  /** Plugin name, for two notifiers side by side (default "notify"). */
  name?: string;
  /** http(s) URL receiving a JSON POST; logs show only its origin. Unset: no webhook. */
  webhook?: string;
  /** Extra request headers. Their values are never printed. */
  headers?: Record<string, string>;
  /** Header name -> environment variable holding its value, read when sending. */
  headersFromEnv?: Record<string, string>;
  /** Shell command run with the message as JSON on stdin and STRATA_* variables; run once, not retried. */
  command?: string;
  /** Which outcomes to report (default "both"). */
  on?: "success" | "failure" | "both";
  /** Webhook retries after the first attempt, for network errors, timeouts, 408, 429 and 5xx (default 3). */
  retries?: number;
  /** Total time budget per notification, all attempts and waits included (default 10 000 ms). */
  timeoutMs?: number;
  /** Time budget of one webhook attempt (default 5 000 ms, never past `timeoutMs`). */
  attemptTimeoutMs?: number;
  /** First retry delay, doubled on each retry, ±25 % jitter (default 500 ms). */
  backoffMs?: number;
}

const DEFAULTS = { retries: 3, timeoutMs: 10_000, attemptTimeoutMs: 5_000, backoffMs: 500 } as const;

/**
 * Tells a chat channel or a script how a run went: on `run:end` of `up`/`down` and on
 * `seed:after`, a JSON POST to `webhook` (with a Slack-compatible `text`) and/or a shell
 * `command`. Dry runs are not reported. A failed notification is a warning; it never
 * changes the run's outcome and never takes longer than `timeoutMs`.
 * Defaults: on "both", retries 3, timeoutMs 10 000, attemptTimeoutMs 5 000, backoffMs 500.
 *
 * Errors: CONFIG_INVALID (exit 2) for an invalid option.
 *
 * @example
 * plugins: [notify({ webhook: process.env.DEPLOY_WEBHOOK, on: "both" })]
 */
export function notify(options: NotifyOptions = {}): Plugin {
  const o = checkOptions(options);
  const name = o.name ?? "notify";
  const webhook = o.webhook ? parseWebhook(o.webhook, name) : undefined;
  const secrets = secretsOf(o.webhook, webhook?.url, { ...webhook?.auth, ...o.headers });
  const scrub = (text: string) => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
  const wanted = (success: boolean) => (o.on ?? "both") === "both" || (o.on === "success") === success;

  const send = async (message: NotificationMessage, context: HookContext): Promise<void> => {
    const timeoutMs = o.timeoutMs ?? DEFAULTS.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    const body = JSON.stringify(message);
    const tasks: Promise<void>[] = [];
    if (webhook) {
      tasks.push((async () => {
        const target: WebhookTarget = { url: webhook.url, shown: webhook.shown, headers: { ...webhook.auth, ...(o.headers ?? {}), ...headersFromEnv(o.headersFromEnv, secrets) } };
        const attempts = await postWebhook(target, body, {
          retries: o.retries ?? DEFAULTS.retries,
          backoffMs: o.backoffMs ?? DEFAULTS.backoffMs,
          attemptTimeoutMs: o.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs,
          deadline,
          log: context.log,
          scrub,
        });
        context.log(`webhook ${webhook.shown}: delivered${attempts > 1 ? ` after ${attempts} attempts` : ""}`);
      })());
    }
    if (o.command) tasks.push(runCommand(o.command, message, timeoutMs));
    const failures = (await Promise.allSettled(tasks)).filter((r): r is PromiseRejectedResult => r.status === "rejected");
    // Thrown from an after hook, this becomes a warning naming the plugin and the hook.
    if (failures.length) throw new Error(scrub(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("; ")));
  };

  return definePlugin({
    name,
    // Last among the plugins: a slow endpoint then delays no other plugin's hook.
    enforce: "post",
    hooks: {
      "run:end": async (payload, context) => {
        if (payload.dryRun || !wanted(payload.success)) return;
        await send(runMessage(payload), context);
      },
      "seed:after": async (payload, context) => {
        if (!wanted(payload.success)) return;
        await send(seedMessage(payload), context);
      },
    },
  });
}

function checkOptions(options: NotifyOptions): NotifyOptions {
  const bad = (key: string, expected: string) =>
    new ConfigError(`notify(): option "${key}" must be ${expected}.`, { hint: 'See README "Plugins" for the notification options.', details: { key } });
  if (typeof options !== "object" || options === null) throw bad("options", "an object");
  const o = options;
  if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) throw bad("name", "a non-empty string");
  if (o.webhook !== undefined && o.webhook !== "" && typeof o.webhook !== "string") throw bad("webhook", "an http(s) URL");
  if (o.command !== undefined && typeof o.command !== "string") throw bad("command", "a shell command (a string)");
  if (o.on !== undefined && !["success", "failure", "both"].includes(o.on)) throw bad("on", '"success", "failure" or "both"');
  for (const key of ["headers", "headersFromEnv"] as const) {
    const value = o[key];
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Object.values(value).some((v) => typeof v !== "string")) throw bad(key, "an object of header name -> string");
  }
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) throw bad("retries", "an integer ≥ 0");
  for (const key of ["timeoutMs", "attemptTimeoutMs"] as const) {
    const value = o[key];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) throw bad(key, "a number of milliseconds > 0");
  }
  if (o.backoffMs !== undefined && !(typeof o.backoffMs === "number" && Number.isFinite(o.backoffMs) && o.backoffMs >= 0)) throw bad("backoffMs", "a number of milliseconds ≥ 0");
  return o;
}

/**
 * Node's URL errors quote the whole input, so the message here is written without it.
 * Credentials in the URL (https://user:pass@host/…), which fetch refuses, become a Basic
 * Authorization header.
 */
function parseWebhook(raw: string, plugin: string): Omit<WebhookTarget, "headers"> & { auth?: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`notify(): option "webhook" of plugin "${plugin}" is not a valid URL.`, { hint: "Give an absolute http:// or https:// URL.", details: { key: "webhook" } });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`notify(): option "webhook" of plugin "${plugin}" must be an http:// or https:// URL, got a ${url.protocol} URL.`, { details: { key: "webhook" } });
  }
  if (!url.username && !url.password) return { url: url.href, shown: url.origin };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return { url: url.href, shown: url.origin, auth: { authorization: `Basic ${btoa(credentials)}` } };
}

/** The parts of the URL past its origin, and header values: never printed. */
function secretsOf(raw: string | undefined, href: string | undefined, headers: Record<string, string> | undefined): string[] {
  const secrets = new Set<string>();
  for (const value of [raw, href]) {
    if (!value) continue;
    secrets.add(value);
    try {
      const url = new URL(value);
      if (url.pathname.length > 1) secrets.add(url.pathname);
      if (url.search.length > 1) secrets.add(url.search);
      if (url.password) secrets.add(url.password);
      for (const part of url.pathname.split("/")) if (part.length >= 12) secrets.add(part);
      for (const v of url.searchParams.values()) if (v.length >= 6) secrets.add(v);
    } catch {
      // Invalid URLs are refused before anything is sent.
    }
  }
  for (const v of Object.values(headers ?? {})) if (v.length >= 4) secrets.add(v);
  // Longest first, so a part never leaves a piece of a longer secret behind.
  return [...secrets].sort((a, b) => b.length - a.length);
}

function headersFromEnv(map: Record<string, string> | undefined, secrets: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, variable] of Object.entries(map ?? {})) {
    const value = process.env[variable];
    if (value === undefined || value === "") throw new Error(`header "${header}": environment variable ${variable} is not set`);
    headers[header] = value;
    if (value.length >= 4 && !secrets.includes(value)) {
      secrets.push(value);
      secrets.sort((a, b) => b.length - a.length);
    }
  }
  return headers;
}
