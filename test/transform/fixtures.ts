import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parseJson, type CliResult } from "../helpers/cli.ts";
import type { TestDialectName } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";
import { expectExit, strata } from "../cli/fixtures.ts";
import { parseDatabaseUrl } from "../../src/config/database-url.ts";
import { loadDialect } from "../../src/dialects/registry.ts";

const BIN = fileURLToPath(new URL("../../bin/strata.mjs", import.meta.url));

/** The state tables of transforms, beside the default history table `migrations`. */
export const TRANSFORMS_TABLE = "migrations_transforms";
export const CHUNKS_TABLE = "migrations_transform_chunks";

/**
 * `insert into <table> (<columns>) select <expressions of g> from <1..n>`, with the series
 * made on the server: generate_series (PostgreSQL), the sequence engine (MariaDB, whose
 * recursive CTEs stop at max_recursive_iterations = 1000 by default), a recursive CTE (SQLite).
 */
export function fillSql(dialect: TestDialectName, table: string, columns: string[], expressions: string[], n: number, from = 1): string {
  const insert = `insert into ${table} (${columns.join(", ")}) select ${expressions.join(", ")}`;
  if (dialect === "postgres") return `${insert} from generate_series(${from}, ${from + n - 1}) as s(g)`;
  if (dialect === "mysql") return `${insert} from (select seq as g from seq_${from}_to_${from + n - 1}) as s`;
  return `with recursive s(g) as (select ${from} union all select g + 1 from s where g < ${from + n - 1}) ${insert} from s`;
}

/** String concatenation in each dialect's SQL. */
export function cat(dialect: TestDialectName, ...parts: string[]): string {
  return dialect === "mysql" ? `concat(${parts.join(", ")})` : parts.join(" || ");
}

/** A JSON object {"n": g} built by the server. */
export function jsonOf(dialect: TestDialectName, expression: string): string {
  return dialect === "postgres" ? `json_build_object('n', ${expression})` : `json_object('n', ${expression})`;
}

/** The email of row g: user<g>@example.com. */
export const emailOf = (dialect: TestDialectName, g = "g") => cat(dialect, "'user'", g, "'@example.com'");

/** A TypeScript migration with extra imports. */
export function migrationFile(className: string, body: string, imports = ""): string {
  return `import { Migration, Schema } from "strata";
${imports}
export default class ${className} extends Migration {
${body}
}
`;
}

/**
 * A migration creating `users(id, email, email_hash, counter, profile json)` filled with `n`
 * rows by the server; `counter` starts at 0 and each transform adds 1, so a row written
 * twice shows.
 */
export function usersMigration(dialect: TestDialectName, n: number, table = "users"): string {
  const fill = fillSql(dialect, table, ["email", "profile"], [emailOf(dialect), jsonOf(dialect, "g")], n);
  return migrationFile(
    "CreateUsers",
    `  up() {
    Schema.createTable(${JSON.stringify(table)}, [
      Schema.id(),
      Schema.string("email"),
      Schema.string("email_hash", { nullable: true }),
      Schema.integer("counter", { default: 0 }),
      Schema.json("profile", { nullable: true }),
    ]);
    Schema.raw(${JSON.stringify(fill)});
  }
  down() {
    Schema.dropTable(${JSON.stringify(table)});
  }`,
  );
}

/** A row function costly enough that a few hundred thousand rows take seconds: sha256 rounds over the email. */
export const HASH_METHOD = `  hashEmail(row: { email: string; counter: number }) {
    let h = row.email;
    for (let i = 0; i < ROUNDS; i++) h = createHash("sha256").update(h).digest("hex");
    return { email_hash: h, counter: row.counter + 1 };
  }`;

export const HASH_IMPORTS = (rounds: number) => `import { createHash } from "node:crypto";\nconst ROUNDS = ${rounds};`;

/** counter value -> number of rows. */
export async function counters(url: string, table = "users"): Promise<Record<string, number>> {
  const rows = await query(url, `select counter as c, count(*) as n from ${table} group by counter order by counter`);
  return Object.fromEntries(rows.map((r) => [String(r.c), Number(r.n)]));
}

export async function count(url: string, sql: string): Promise<number> {
  return Number((await query(url, sql))[0]?.n ?? 0);
}

export interface TransformStatusJson {
  transforms: { id: string; table: string; state: string; rowsDone: number; rowsTotal: number; lastError?: string; keyRange?: { from: unknown; to: unknown } }[];
}

/** `strata transform status --json`, checked to succeed. */
export async function transformStatus(dir: string, url: string): Promise<TransformStatusJson> {
  const result = await strata(dir, ["transform", "status", "--json", "--url", url]);
  expectExit(result, 0);
  return parseJson<TransformStatusJson>(result);
}

/** Checks the SPEC shape of `strata transform status --json`. */
export function expectTransformShape(status: TransformStatusJson): void {
  expect(Object.keys(status)).toEqual(["transforms"]);
  for (const t of status.transforms) {
    expect(t).toMatchObject({ id: expect.any(String), table: expect.any(String), rowsDone: expect.any(Number), rowsTotal: expect.any(Number) });
    expect(["running", "paused", "done"]).toContain(t.state);
    for (const key of Object.keys(t)) expect(["id", "table", "state", "rowsDone", "rowsTotal", "lastError", "keyRange"]).toContain(key);
    if (t.keyRange !== undefined) expect(Object.keys(t.keyRange).sort()).toEqual(["from", "to"]);
  }
}

/** Chunks of a transform that are done, by any process (0 before the state tables exist). */
export async function chunksDone(url: string, id: string): Promise<number> {
  try {
    return await count(url, `select count(*) as n from ${CHUNKS_TABLE} where transform_id = '${id}' and state = 'done'`);
  } catch {
    return 0;
  }
}

/** A CLI process left running: the test kills it, or waits for it. */
export interface Running {
  child: ChildProcess;
  result: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  output(): string;
}

export function startStrata(dir: string, args: string[], env: Record<string, string | undefined> = {}): Running {
  const merged: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, STRATA_ENV: undefined, NODE_ENV: undefined, FORCE_COLOR: undefined, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: merged as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const result = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
  });
  return { child, result, output: () => `${stdout}\n${stderr}` };
}

/** Polls until `check` holds (or throws after `timeoutMs`, naming what it waited for). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Index column lists of a table, read back through strata's introspector. */
export async function indexColumns(url: string, table: string): Promise<string[][]> {
  const parsed = parseDatabaseUrl(url, process.cwd());
  const dialect = await loadDialect({ url: parsed.url, described: parsed.described });
  const session = await dialect.driver.open();
  try {
    return ((await dialect.introspector.table(session, table))?.indexes ?? []).map((i) => i.columns);
  } finally {
    await session.close();
    await dialect.driver.close();
  }
}

/** A quoted identifier (`rows` and `by` are reserved words). */
export const q = (dialect: TestDialectName, name: string) => (dialect === "mysql" ? `\`${name}\`` : `"${name}"`);

/** A project plugin appending every transform:* hook call to `log` as JSON lines, in call order. */
export function hookRecorder(log: string): string {
  return `import { appendFileSync } from "node:fs";
import { definePlugin } from "strata";

const record = (hook: string) => (payload: unknown) =>
  appendFileSync(${JSON.stringify(log)}, JSON.stringify({ hook, payload }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\\n");

export default definePlugin({
  name: "transform-recorder",
  hooks: {
    "transform:start": record("transform:start"),
    "transform:batchBefore": record("transform:batchBefore"),
    "transform:batchAfter": record("transform:batchAfter"),
    "transform:progress": record("transform:progress"),
    "transform:end": record("transform:end"),
  },
});
`;
}

export interface HookCall {
  hook: string;
  payload: any;
}

export function readHookLog(log: string): HookCall[] {
  return readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as HookCall);
}
