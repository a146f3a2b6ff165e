import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseDatabaseUrl, sqlitePath } from "../config/database-url.ts";
import type { SchemaInfo, TableInfo } from "../dialects/dialect.ts";
import { isStrataError, messageOf } from "../errors.ts";
import { HookRunner } from "../hooks/runner.ts";
import { createVersion, toPascalCase, toSnakeCase } from "../util/ids.ts";
import { visibleHeads, type Status } from "./plan.ts";
import { connect } from "./connection.ts";
import type { Settings, Workspace } from "./workspace.ts";

export interface CheckProblem {
  level: "error" | "warning";
  code: string;
  message: string;
  hint?: string;
  ids?: string[];
}

/** Static checks over the folder, the graph and the recorded history (no writes). */
export function checkWorkspace(ws: Workspace, status: Status | undefined): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const file of ws.ignored) problems.push({ level: "warning", code: "NOT_A_MIGRATION", message: `${file} in the migrations folder is not named <version>_<name>.(sql|ts|js) and is ignored.` });
  const byVersion = new Map<string, string[]>();
  for (const m of ws.migrations) byVersion.set(m.version, [...(byVersion.get(m.version) ?? []), m.id]);
  for (const [version, ids] of byVersion) {
    if (ids.length > 1) problems.push({ level: "warning", code: "DUPLICATE_VERSION", message: `Version ${version} is used by ${ids.length} migrations; refer to them by id, not version.`, ids });
  }
  if (ws.graph.heads.length > 1 && ws.config.strategy === "explicit") {
    problems.push({ level: "error", code: "MULTIPLE_HEADS", message: `The graph has ${ws.graph.heads.length} heads: ${ws.graph.heads.join(", ")}; run "strata merge" to join them.`, ids: [...ws.graph.heads] });
  }
  for (const entry of status?.entries ?? []) {
    if (entry.state === "modified") problems.push({ level: "error", code: "CHECKSUM_MISMATCH", message: `${entry.id} changed on disk since it was applied.`, ids: [entry.id] });
    if (entry.state === "missing") problems.push({ level: "error", code: "MIGRATION_MISSING", message: `${entry.id} is applied but its file is gone.`, ids: [entry.id] });
    if (entry.state === "failed") problems.push({ level: "error", code: "MIGRATION_FAILED_STATE", message: `${entry.id} failed part-way and needs "strata resolve".`, ids: [entry.id] });
    if (entry.state === "out-of-order") problems.push({ level: "warning", code: "OUT_OF_ORDER", message: `${entry.id} is pending but older than applied migrations (a merged branch); up applies it.`, ids: [entry.id] });
  }
  return problems;
}

/** A migration depending on every head, so the graph has one again: `.sql` when asked, or when every migration of the folder is one. */
export function writeMergeMigration(ws: Workspace, name: string | undefined, sql = ws.migrations.every((m) => m.kind === "sql")): { id: string; file: string } | undefined {
  // Under "timestamp" version order already joins branches: one head, as status shows.
  const heads = visibleHeads(ws.graph, ws.config.strategy);
  if (heads.length < 2) return undefined;
  const dir = ws.config.migrationsDir;
  mkdirSync(dir, { recursive: true });
  const latest = existsSync(dir) ? readdirSync(dir).map((f) => /^(\d{14})_/.exec(f)?.[1]).filter((v): v is string => v !== undefined).sort().pop() : undefined;
  const snake = toSnakeCase(name ?? "merge_heads") || "merge_heads";
  const id = `${createVersion(new Date(), latest)}_${snake}`;
  const file = join(dir, `${id}.${sql ? "sql" : "ts"}`);
  const joins = `Joins the heads ${heads.join(", ")} into one.`;
  writeFileSync(
    file,
    sql ? `-- ${joins}\n${heads.map((h) => `-- strata:depends ${h}\n`).join("")}-- migrate:up\n\n-- migrate:down\n` : `import { Migration } from "strata";

/** ${joins} */
export default class ${toPascalCase(snake)} extends Migration {
  dependencies = [${heads.map((h) => JSON.stringify(h)).join(", ")}];

  up() {}

  down() {}
}
`,
  );
  return { id, file: relative(ws.config.root, file) };
}

export interface VerifyResult {
  verified: string[];
  ok: boolean;
  differences: string[];
}

/**
 * up / down / up of each pending migration on a scratch database: the applied ones are
 * replayed there first, then each pending one, in order, is applied, rolled back and
 * applied again. The schema after its rollback must equal the one before it, and the second
 * up the first. One at a time: a later migration's down() must not hide an earlier one's
 * leftovers (a table it drops that held a column the earlier down() forgot).
 */
type ScratchEngine = { run(o?: { to?: string; apply?: boolean }): Promise<unknown>; down(o: { to?: string; all?: boolean; apply?: boolean }): Promise<unknown> };

export async function verifyPending(ws: Workspace, engineFor: (settings: Settings) => ScratchEngine, applied: readonly string[], pending: readonly string[]): Promise<VerifyResult> {
  if (pending.length === 0) return { verified: [], ok: true, differences: [] };
  return withScratch(ws, async (settings) => {
    const engine = engineFor(settings);
    let last = applied.filter((id) => ws.graph.byId.has(id)).at(-1);
    try {
      if (last) await engine.run({ to: last, apply: true });
    } catch (error) {
      return { verified: [], ok: false, differences: [`replaying the applied migrations failed: ${isStrataError(error) ? error.message : messageOf(error)}`] };
    }
    const differences: string[] = [];
    const verified: string[] = [];
    for (const id of pending) {
      verified.push(id);
      try {
        const before = await schemaOf(settings);
        await engine.run({ to: id, apply: true });
        const afterUp = await schemaOf(settings);
        await engine.down(last ? { to: last, apply: true } : { all: true, apply: true });
        differences.push(...compare(`${id}, after down`, before, await schemaOf(settings)));
        await engine.run({ to: id, apply: true });
        differences.push(...compare(`${id}, after the second up`, afterUp, await schemaOf(settings)));
      } catch (error) {
        // The scratch database is in an unknown state: the migrations after this one are not checked.
        differences.push(`${id}: the round trip failed: ${isStrataError(error) ? error.message : messageOf(error)}`);
        break;
      }
      last = id;
    }
    return { verified, ok: differences.length === 0, differences };
  });
}

/**
 * Schema drift: the live schema (strata's own tables aside) against the applied
 * migrations replayed on a scratch database. A table, column, index or constraint changed
 * by hand shows here. A migration that fails in the replay is an error (a new database
 * cannot be built); where the replay cannot be made (no right to create a database) the
 * check says so as a warning.
 */
export async function schemaDrift(ws: Workspace, engineFor: (settings: Settings) => ScratchEngine, status: Status): Promise<CheckProblem[]> {
  // With pending migrations older than applied ones, the replay runs them too, as a new database would: it can fail, but not measure drift.
  const outOfOrder = status.entries.some((e) => e.state === "out-of-order");
  const last = status.entries.filter((e) => e.appliedAt !== undefined).at(-1)?.id;
  try {
    const live = await schemaOf(ws);
    const replayed = await withScratch(ws, async (settings) => {
      if (last) await engineFor(settings).run({ to: last, apply: true });
      return schemaOf(settings);
    });
    if (outOfOrder) return [{ level: "warning", code: "DRIFT_NOT_CHECKED", message: "Schema drift was not checked: pending migrations older than applied ones were replayed too." }];
    const words = {
      extra: "is in the database, but no applied migration makes it",
      missing: "is made by the applied migrations, but the database has none",
      differs: "in the database differs from what the applied migrations make",
    };
    return tableDifferences(outline(replayed), outline(live)).map(({ table, kind, changes }) => ({
      level: "error" as const,
      code: "SCHEMA_DRIFT",
      message: `Table "${table}" ${words[kind]}${changes.length ? `: ${changes.join("; ")}` : ""}.`,
      hint: "Undo the change made by hand, or write a migration that makes it.",
    }));
  } catch (error) {
    // A migration that fails on an empty database: a fresh database cannot be built from this folder (branches merged out of order, say).
    if (isStrataError(error) && error.code === "MIGRATION_FAILED") {
      return [{ level: "error", code: "REPLAY_FAILED", message: `The applied migrations, replayed in order on an empty database, fail: ${error.message}`, hint: "A new database cannot be built from this folder: fix the order (dependencies) or the migration, then run strata verify." }];
    }
    return [{ level: "warning", code: "DRIFT_NOT_CHECKED", message: `Schema drift was not checked: ${isStrataError(error) ? error.message : messageOf(error)}` }];
  }
}

/**
 * What drift compares: names of tables, columns (with nullability), indexes and
 * constraints. Types and defaults are left out: a newer strata may spell the same column
 * differently (MySQL timestamps became datetime(3)), which is not a change made by hand.
 */
function outline(schema: SchemaInfo): SchemaInfo {
  return {
    ...schema,
    tables: schema.tables.map((t) => ({
      name: t.name,
      columns: t.columns.map((c) => ({ name: c.name, nullable: c.nullable, type: "", default: null, autoIncrement: false })),
      primaryKey: t.primaryKey,
      indexes: t.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique })),
      foreignKeys: t.foreignKeys.map((fk) => ({ ...fk })),
      checks: t.checks.map((c) => ({ name: c.name, expression: "" })),
    })),
  };
}

/**
 * An empty scratch database beside the configured one (a database on the same server, a
 * temporary SQLite file), with settings pointing at it, dropped afterwards. On a server the
 * session creates and drops it; a SQLite project's own file is only read.
 */
async function withScratch<T>(ws: Workspace, fn: (settings: Settings) => Promise<T>): Promise<T> {
  const conn = await connect(ws.config, { readOnly: sqlitePath(ws.config.database.url) !== undefined });
  let scratch: Awaited<ReturnType<typeof conn.dialect.adapter.scratchDatabase>>;
  try {
    scratch = await conn.dialect.adapter.scratchDatabase(conn.session);
  } catch (error) {
    await conn.close();
    throw error;
  }
  try {
    const database = parseDatabaseUrl(scratch.url, ws.config.root);
    return await fn({
      config: { ...ws.config, database: { ...database, described: scratch.described }, backup: { ...ws.config.backup, enabled: false }, plugins: [] },
      runtime: ws.runtime,
      hooks: new HookRunner([], { environment: ws.config.environment, onWarning: () => {}, log: () => {} }),
    });
  } finally {
    await scratch.drop().catch(() => undefined);
    await conn.close();
  }
}

async function schemaOf(settings: Settings): Promise<SchemaInfo> {
  const conn = await connect(settings.config, { readOnly: true });
  try {
    const table = settings.config.table;
    const own = [table, `${table}_log`, `${table}_progress`, `${table}_transforms`, `${table}_transform_chunks`];
    return await conn.dialect.introspector.schema(conn.session, { exclude: own });
  } finally {
    await conn.close();
  }
}

/** Human-readable differences between two schemas, table by table. */
function compare(when: string, expected: SchemaInfo, actual: SchemaInfo): string[] {
  const words = { extra: "exists but should not", missing: "is missing", differs: "differs" };
  return tableDifferences(expected, actual).map(({ table, kind, changes }) => `${when}: table "${table}" ${words[kind]}${changes.length ? `: ${changes.join("; ")}` : ""}`);
}

type TableDifference = { table: string; kind: "extra" | "missing" | "differs"; changes: string[] };

function tableDifferences(expected: SchemaInfo, actual: SchemaInfo): TableDifference[] {
  const out: TableDifference[] = [];
  const names = new Set([...expected.tables.map((t) => t.name), ...actual.tables.map((t) => t.name)]);
  for (const table of [...names].sort()) {
    const a = expected.tables.find((t) => t.name === table);
    const b = actual.tables.find((t) => t.name === table);
    if (!a) out.push({ table, kind: "extra", changes: [] });
    else if (!b) out.push({ table, kind: "missing", changes: [] });
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ table, kind: "differs", changes: tableChanges(a, b) });
  }
  return out;
}

const shown = (value: unknown) => JSON.stringify(value ?? null);

/**
 * What differs within one table, each as a phrase: `missing index "a_name"` (expected, not
 * there), `extra column "note"`, `column "x": nullable true, expected false`.
 */
function tableChanges(expected: TableInfo, actual: TableInfo): string[] {
  const out: string[] = [];
  const parts: [string, readonly { name: string }[], readonly { name: string }[]][] = [
    ["column", expected.columns, actual.columns],
    ["index", expected.indexes, actual.indexes],
    ["foreign key", expected.foreignKeys, actual.foreignKeys],
    ["check", expected.checks, actual.checks],
  ];
  for (const [kind, want, have] of parts) {
    for (const x of want) {
      const y = have.find((i) => i.name === x.name);
      if (!y) out.push(`missing ${kind} "${x.name}"`);
      else {
        const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => shown((x as Record<string, unknown>)[k]) !== shown((y as Record<string, unknown>)[k]));
        if (keys.length) out.push(`${kind} "${x.name}": ${keys.map((k) => `${k} ${shown((y as Record<string, unknown>)[k])}, expected ${shown((x as Record<string, unknown>)[k])}`).join(", ")}`);
      }
    }
    for (const y of have) if (!want.some((x) => x.name === y.name)) out.push(`extra ${kind} "${y.name}"`);
  }
  if (shown(expected.primaryKey) !== shown(actual.primaryKey)) out.push(`primary key (${actual.primaryKey.join(", ")}), expected (${expected.primaryKey.join(", ")})`);
  if (expected.comment !== actual.comment) out.push(`comment ${shown(actual.comment)}, expected ${shown(expected.comment)}`);
  return out;
}
