import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseJson, REPO_ROOT, runCli, type CliResult } from "../helpers/cli.ts";
import { snapshot, type Snapshot } from "../helpers/dump.ts";

/** The example project's migrations, in the order `up` applies them (dependencies, then version). */
export const EXAMPLE_IDS = ["20261123120000_create_user_table", "20261123120100_add_user_profile", "20261123120200_create_roles"] as const;

/** The tables the example migrations create. */
export const EXAMPLE_TABLES = ["users", "user_profiles", "roles", "user_roles"] as const;

/** The repository's example migrations and seeder, as files for writeProject(). */
export function exampleProject(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of [...EXAMPLE_IDS.map((id) => `migrations/${id}.${id.endsWith("roles") ? "sql" : "ts"}`), "seeders/user_seeder.ts"]) {
    files[path] = readFileSync(join(REPO_ROOT, path), "utf8");
  }
  return files;
}

/** A TypeScript migration file: `export default class <className> extends Migration { <body> }`. */
export function migration(className: string, body: string): string {
  return `import { Migration, Schema } from "strata";

export default class ${className} extends Migration {
  ${body}
}
`;
}

/** A migration creating `table` (id, name), with down() derived. */
export function tableMigration(className: string, table: string, extra = ""): string {
  return migration(className, `${extra}\n  up() {\n    Schema.createTable("${table}", [Schema.id(), Schema.string("name", { nullable: true })]);\n  }`);
}

/** Runs the CLI in `dir`. */
export function strata(dir: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(args, { cwd: dir, env });
}

/** Everything the process printed, for "mentioned anywhere" and "never printed" checks. */
export function printed(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** Asserts the exit code, showing the output when it differs. */
export function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
}

export interface StatusJson {
  migrations: { id: string; state: string; version: string; name: string; appliedAt?: string; batch?: number }[];
  heads: string[];
}

export interface HistoryJson {
  events: { id: string; action: string; environment: string; at: string; by: string; durationMs?: number }[];
}

/** `strata status --json` with the extra arguments (e.g. --url), checked to succeed. */
export async function statusJson(dir: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<StatusJson> {
  const result = await strata(dir, ["status", "--json", ...args], env);
  expectExit(result, 0);
  return parseJson<StatusJson>(result);
}

/** `strata history --json` with the extra arguments, checked to succeed. */
export async function historyJson(dir: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<HistoryJson> {
  const result = await strata(dir, ["history", "--json", ...args], env);
  expectExit(result, 0);
  return parseJson<HistoryJson>(result);
}

/** id -> state, from status --json. */
export function states(status: StatusJson): Record<string, string> {
  return Object.fromEntries(status.migrations.map((m) => [m.id, m.state]));
}

/** [action, id] pairs of the event log, oldest first. */
export function actions(history: HistoryJson): [string, string][] {
  return history.events.map((e) => [e.action, e.id]);
}

/** What a user can observe of a database: schema and rows (via strata's introspector) and `history --json`. */
export interface Observed {
  database: Snapshot;
  history: HistoryJson;
}

export async function observe(dir: string, url: string): Promise<Observed> {
  return { database: await snapshot(url), history: await historyJson(dir, ["--url", url]) };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Checks the SPEC shape of `status --json`. */
export function expectStatusShape(status: StatusJson): void {
  expect(Object.keys(status).sort()).toEqual(["heads", "migrations"]);
  expect(Array.isArray(status.heads)).toBe(true);
  for (const head of status.heads) expect(typeof head).toBe("string");
  for (const m of status.migrations) {
    expect(m).toMatchObject({ id: expect.any(String), version: expect.stringMatching(/^\d+$/), name: expect.any(String) });
    expect(["applied", "pending", "modified", "missing", "failed", "out-of-order"]).toContain(m.state);
    expect(m.id).toBe(`${m.version}_${m.name}`);
    if (m.appliedAt !== undefined) expect(m.appliedAt).toMatch(ISO);
    if (m.batch !== undefined) expect(Number.isInteger(m.batch) && m.batch > 0).toBe(true);
  }
}

/** Checks the SPEC shape of `history --json`: every event complete, oldest first. */
export function expectHistoryShape(history: HistoryJson): void {
  expect(Object.keys(history)).toEqual(["events"]);
  for (const e of history.events) {
    expect(e).toMatchObject({ id: expect.any(String), environment: expect.any(String), by: expect.any(String) });
    expect(["apply", "rollback", "fail", "resolve"]).toContain(e.action);
    expect(e.at).toMatch(ISO);
    expect(e.by.length).toBeGreaterThan(0);
    if (e.durationMs !== undefined) expect(typeof e.durationMs === "number" && e.durationMs >= 0).toBe(true);
  }
  const times = history.events.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}
