import { STRATA_VERSION } from "strata";

export interface WebhookTarget {
  url: string;
  /** What logs and warnings show of the URL: its origin only (path and query may hold tokens). */
  shown: string;
  headers: Record<string, string>;
}

export interface Delivery {
  retries: number;
  backoffMs: number;
  attemptTimeoutMs: number;
  /** performance.now() after which no attempt starts and every running one is aborted. */
  deadline: number;
  log(message: string): void;
  /** Removes the URL's path and query and the header values from a message. */
  scrub(text: string): string;
}

type Attempt = { ok: true; status: number } | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

/**
 * POSTs the JSON body; retries network errors, timeouts, 408, 429 and 5xx with exponential
 * backoff, never past the deadline. Resolves with the number of attempts; rejects with a
 * message that names the origin only.
 */
export async function postWebhook(target: WebhookTarget, body: string, delivery: Delivery): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const remaining = delivery.deadline - performance.now();
    const outcome: Attempt = remaining <= 0
      ? { ok: false, retryable: false, reason: "no time left before the timeout" }
      : await attemptOnce(target, body, Math.min(delivery.attemptTimeoutMs, remaining));
    if (outcome.ok) return attempt + 1;
    const tried = `${attempt + 1} attempt${attempt === 0 ? "" : "s"}`;
    const fail = (why: string) => new Error(delivery.scrub(`webhook ${target.shown}: ${why} (${tried})`));
    if (!outcome.retryable) throw fail(outcome.reason);
    if (attempt >= delivery.retries) throw fail(`${outcome.reason}; no retries left`);
    const waitMs = outcome.retryAfterMs ?? backoff(delivery.backoffMs, attempt);
    if (performance.now() + waitMs >= delivery.deadline) throw fail(`${outcome.reason}; the next retry would pass the timeout`);
    delivery.log(delivery.scrub(`webhook ${target.shown}: ${outcome.reason}; retrying in ${waitMs} ms`));
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

async function attemptOnce(target: WebhookTarget, body: string, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const headers = new Headers({ "content-type": "application/json", "user-agent": `strata/${STRATA_VERSION}` });
    for (const [name, value] of Object.entries(target.headers)) headers.set(name, value);
    const response = await fetch(target.url, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
      // A redirect would resend the body, and possibly the headers, to another address.
      redirect: "manual",
    });
    // The body is read under the same timer: a server may send headers and then stall.
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const answered = `answered ${response.status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ""}`;
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      const retryAfterMs = retryAfter(response.headers.get("retry-after"));
      return { ok: false, retryable: true, reason: answered, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (response.status >= 300 && response.status < 400) return { ok: false, retryable: false, reason: `${answered} (a redirect; configure the final URL)` };
    return { ok: false, retryable: false, reason: answered };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, retryable: true, reason: `no answer within ${Math.round(timeoutMs)} ms` };
    return { ok: false, retryable: true, reason: networkReason(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Node's fetch says only "fetch failed"; the cause holds ECONNREFUSED and the address. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === "string" && cause.message) return cause.message;
  if (cause && typeof cause.code === "string") return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** Retry-After in seconds or as an HTTP date: https://httpwg.org/specs/rfc9110.html#field.retry-after */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** backoffMs, 2×, 4×, … with ±25 % jitter. */
function backoff(baseMs: number, attempt: number): number {
  return Math.round(baseMs * 2 ** attempt * (0.75 + Math.random() * 0.5));
}
