import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { testDatabase, unavailable } from "../helpers/databases.ts";
import { addFiles, writeProject } from "../helpers/project.ts";
import { expectExit, printed, states, statusJson, strata } from "../cli/fixtures.ts";
import { failingSecond, FIRST, notifyConfig, QUERY_TOKEN, SECOND, twoMigrations, URL_TOKEN, webhookUrl } from "./notify-fixtures.ts";
import { closedOrigin, startWebhookServer } from "./webhook-server.ts";

/** Neither token of the webhook URL, in any output. */
function expectNoToken(output: string): void {
  expect(output).not.toContain(URL_TOKEN);
  expect(output).not.toContain(QUERY_TOKEN);
}

const WARNING = 'Plugin "notify" failed in run:end';

describe("notify(): webhook", () => {
  it("strata up sends one success message with the structured fields and a Slack text; down sends another", async () => {
    const server = await startWebhookServer();
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, headers: { "x-team": "db-team-value" } }`) });
    const up = await strata(dir, ["up"]);
    expectExit(up, 0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`/services/${URL_TOKEN}?token=${QUERY_TOKEN}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-team"]).toBe("db-team-value");
    const body = request.json;
    expect(body).toMatchObject({ event: "run:end", command: "up", environment: "development", success: true, dialect: "sqlite", applied: [FIRST, SECOND], rolledBack: [] });
    expect(body.migrations).toEqual([
      { id: FIRST, direction: "up", durationMs: expect.any(Number) },
      { id: SECOND, direction: "up", durationMs: expect.any(Number) },
    ]);
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
    expect(body.database).toContain("development.db");
    expect(body.error).toBeUndefined();
    expect(body.text).toContain("strata up");
    expect(body.text).toContain("development");
    expect(body.text).toContain(FIRST);
    expect(body.text).toContain(SECOND);
    // The log names the endpoint by its origin only.
    expect(up.stdout).toContain(`[notify] webhook ${server.origin}: delivered`);
    expect(printed(up)).not.toContain("db-team-value");
    expectNoToken(printed(up));

    const down = await strata(dir, ["down"]);
    expectExit(down, 0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].json).toMatchObject({ command: "down", success: true, rolledBack: [SECOND, FIRST], applied: [] });
    expect(server.requests[1].json.migrations.map((m: { direction: string }) => m.direction)).toEqual(["down", "down"]);
  });

  it("a failed migration sends a failure message with the error, and the exit code stays 1", async () => {
    const server = await startWebhookServer();
    const dir = await writeProject({ ...failingSecond(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, on: "failure" }`) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 1);
    expect(result.stderr).toContain("MIGRATION_FAILED");
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0].json;
    expect(body).toMatchObject({ command: "up", success: false, applied: [FIRST], error: { code: "MIGRATION_FAILED", migrationId: SECOND } });
    expect(body.error.message).toContain(SECOND);
    expect(body.text).toContain("failed");
    expect(body.text).toContain("MIGRATION_FAILED");
    expectNoToken(printed(result));
  });

  it('on: "failure" sends nothing for a successful run; a dry run is never reported', async () => {
    const server = await startWebhookServer();
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, on: "failure" }`) });
    expectExit(await strata(dir, ["up", "--dry-run"]), 0);
    expectExit(await strata(dir, ["up"]), 0);
    expect(server.requests).toHaveLength(0);
  });

  it("retries after a 500: exactly two requests, the migration succeeds", async () => {
    const server = await startWebhookServer([500, 200]);
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, backoffMs: 50 }`) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toBe(server.requests[0].body);
    expect(result.stderr).not.toContain(WARNING);
    expect(result.stdout).toContain("delivered after 2 attempts");
    expect(Object.values(states(await statusJson(dir)))).toEqual(["applied", "applied"]);
    expectNoToken(printed(result));
  });

  it("a 4xx other than 408/429 is not retried: one request and a warning; 429 is retried", async () => {
    const rejecting = await startWebhookServer([403]);
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(rejecting.origin))}, backoffMs: 10 }`) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    expect(rejecting.requests).toHaveLength(1);
    expect(result.stderr).toContain(WARNING);
    expect(result.stderr).toContain(`webhook ${rejecting.origin}: answered 403`);
    expectNoToken(printed(result));

    const limited = await startWebhookServer([429, 429, 200]);
    const again = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(limited.origin))}, backoffMs: 10 }`) });
    expectExit(await strata(again, ["up"]), 0);
    expect(limited.requests).toHaveLength(3);
  });

  it("a hung server: the migration still succeeds, exit 0, with a warning, within the timeout", async () => {
    const server = await startWebhookServer(["hang"]);
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, timeoutMs: 2000 }`) });
    // Killed (and failing) if it runs past 15 s: the bound the 2 s timeout must keep it under.
    const result = await runCli(["up"], { cwd: dir, timeoutMs: 15_000 });
    expectExit(result, 0);
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(result.stderr).toContain(WARNING);
    expect(result.stderr).toContain(`webhook ${server.origin}: no answer within`);
    expect(Object.values(states(await statusJson(dir)))).toEqual(["applied", "applied"]);
    expectNoToken(printed(result));
  });

  it("a hung server with a short per-attempt timeout is tried again inside the total budget", async () => {
    const server = await startWebhookServer(["hang"]);
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, timeoutMs: 4000, attemptTimeoutMs: 300, backoffMs: 50, retries: 2 }`) });
    const result = await runCli(["up"], { cwd: dir, timeoutMs: 15_000 });
    expectExit(result, 0);
    expect(server.requests).toHaveLength(3);
    expect(result.stderr).toContain("no retries left (3 attempts)");
  });

  it("the server down (connection refused): exit 0, a warning, the migrations applied", async () => {
    const origin = await closedOrigin();
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(origin))}, backoffMs: 20, retries: 2 }`) });
    const result = await runCli(["up"], { cwd: dir, timeoutMs: 15_000 });
    expectExit(result, 0);
    expect(result.stderr).toContain(WARNING);
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.stderr).toContain(origin);
    expect(Object.values(states(await statusJson(dir)))).toEqual(["applied", "applied"]);
    expectNoToken(printed(result));
  });

  it("headersFromEnv: the header value is read from the environment when sending and never printed", async () => {
    const server = await startWebhookServer();
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))}, headersFromEnv: { authorization: "DEPLOY_HOOK_TOKEN" } }`) });
    const result = await strata(dir, ["up"], { DEPLOY_HOOK_TOKEN: "Bearer env-s3cret-token" });
    expectExit(result, 0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers.authorization).toBe("Bearer env-s3cret-token");
    expect(printed(result)).not.toContain("env-s3cret-token");

    const missing = await strata(dir, ["down"], { DEPLOY_HOOK_TOKEN: undefined });
    expectExit(missing, 0);
    expect(server.requests).toHaveLength(1);
    expect(missing.stderr).toContain(WARNING);
    expect(missing.stderr).toContain("DEPLOY_HOOK_TOKEN is not set");
  });

  it("credentials in the webhook URL are sent as Basic auth and never printed", async () => {
    const server = await startWebhookServer();
    const url = new URL(webhookUrl(server.origin));
    url.username = "deploy";
    url.password = "hook-pa55word";
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(url.href)} }`) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    expect(result.stderr).not.toContain(WARNING);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("deploy:hook-pa55word").toString("base64")}`);
    expect(printed(result)).not.toContain("hook-pa55word");
  });

  it("an invalid webhook URL is a config error (exit 2) that does not echo the URL", async () => {
    for (const webhook of [`http://[not-a-host/${URL_TOKEN}?token=${QUERY_TOKEN}`, `ftp://example.com/${URL_TOKEN}?token=${QUERY_TOKEN}`]) {
      const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhook)} }`) });
      const result = await strata(dir, ["up"]);
      expectExit(result, 2);
      expect(result.stderr).toContain("CONFIG_INVALID");
      expect(result.stderr).toContain('option "webhook"');
      expectNoToken(printed(result));
      expect(existsSync(join(dir, "data"))).toBe(false);
    }
  });

  it.skipIf(unavailable("postgres") !== undefined)("the message's database never carries the password (PostgreSQL)", async () => {
    const db = await testDatabase("postgres");
    const url = new URL(db.url);
    url.password = "pw-s3cret";
    const server = await startWebhookServer();
    const dir = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))} }`) });
    const result = await strata(dir, ["up", "--url", url.href]);
    expectExit(result, 0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).not.toContain("pw-s3cret");
    expect(server.requests[0].json).toMatchObject({ dialect: "postgres", database: expect.stringContaining(":***@") });
  });
});

describe("notify(): command", () => {
  it("receives the message as JSON on stdin and STRATA_* variables", async () => {
    const dir = await writeProject({ ...twoMigrations() });
    const out = join(dir, "notification.json");
    const vars = join(dir, "vars.txt");
    const command = `cat > ${JSON.stringify(out)} && printf '%s|%s|%s|%s' "$STRATA_STATUS" "$STRATA_ENV" "$STRATA_COMMAND" "$STRATA_MIGRATIONS" > ${JSON.stringify(vars)}`;
    await addFiles(dir, { "strata.config.ts": notifyConfig(`{ command: ${JSON.stringify(command)} }`) });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    const body = JSON.parse(readFileSync(out, "utf8"));
    expect(body).toMatchObject({ command: "up", success: true, environment: "development", applied: [FIRST, SECOND] });
    expect(body.text).toContain("strata up");
    expect(readFileSync(vars, "utf8")).toBe(`success|development|up|${FIRST},${SECOND}`);
  });

  it("a failing or hung command is a warning, and the run still exits 0 within the timeout", async () => {
    const failing = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ command: "echo broken pipe >&2; exit 3" }`) });
    const failed = await strata(failing, ["up"]);
    expectExit(failed, 0);
    expect(failed.stderr).toContain(WARNING);
    expect(failed.stderr).toContain("command: exited with code 3: broken pipe");

    const hanging = await writeProject({ ...twoMigrations(), "strata.config.ts": notifyConfig(`{ command: "sleep 30", timeoutMs: 1000 }`) });
    const hung = await runCli(["up"], { cwd: hanging, timeoutMs: 15_000 });
    expectExit(hung, 0);
    expect(hung.stderr).toContain("command: did not finish within 1000 ms");
    expect(Object.values(states(await statusJson(hanging)))).toEqual(["applied", "applied"]);
  });
});

describe("notify(): seeds", () => {
  it("strata seed reports the seeders run", async () => {
    const server = await startWebhookServer();
    const dir = await writeProject({
      ...twoMigrations(),
      "seeders/things_seeder.ts": `import { Seeder } from "strata";\nexport default class ThingsSeeder extends Seeder {\n  async run() { await this.db.table("things").insertMany([{ name: "a" }]); }\n}\n`,
      "strata.config.ts": notifyConfig(`{ webhook: ${JSON.stringify(webhookUrl(server.origin))} }`),
    });
    expectExit(await strata(dir, ["up"]), 0);
    expectExit(await strata(dir, ["seed"]), 0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].json).toMatchObject({ event: "seed:after", command: "seed", success: true, seeders: ["things_seeder"], environment: "development", dialect: "sqlite" });
    expect(server.requests[1].json.text).toContain("1 seeder");
  });
});
