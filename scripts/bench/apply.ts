/**
 * Applies 100 and 1000 generated migrations (one small table with an index each) to an
 * empty database, then rolls back the last 100, and prints wall time and migrations/s for
 * strata, dbmate, knex and the floor (the same SQL sent by the database's own client over
 * one session), side by side in one run.
 *
 *   npm run build && npx tsx scripts/bench/apply.ts [--db postgres,mysql,sqlite] [--sizes 100,1000] [--runs 3]
 *
 * The CLI row runs the compiled binary (dist/strata) when there is one, node from source otherwise.
 *
 * Each figure is the median of --runs fresh databases. Figures, never assertions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Migrator } from "../../src/index.ts";
import { createTestDatabase, type TestDatabase, type TestDialectName } from "../../test/helpers/create-database.ts";

const { values } = parseArgs({ options: { db: { type: "string", default: "postgres,mysql,sqlite" }, sizes: { type: "string", default: "100,1000" }, runs: { type: "string", default: "3" }, rollback: { type: "string", default: "100" } } });
const DIALECTS = values.db!.split(",") as TestDialectName[];
const SIZES = values.sizes!.split(",").map(Number);
const RUNS = Number(values.runs);
const ROLLBACK = Number(values.rollback);
const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = (name: string) => join(ROOT, "node_modules/.bin", name);

interface Project {
  dir: string;
  up: string[];
  down: string[];
}

function upSql(i: number): string[] {
  return [`create table bench_${i} (id bigint primary key, name varchar(64), created_at timestamp null)`, `create index bench_${i}_name_idx on bench_${i} (name)`];
}

/** One folder serves dbmate and strata (dbmate's .sql format), one knex (JS files). */
function writeProject(n: number): Project {
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-"));
  mkdirSync(join(dir, "migrations"));
  mkdirSync(join(dir, "knex"));
  const up: string[] = [];
  const down: string[] = [];
  for (let i = 0; i < n; i++) {
    const version = String(20260101000000 + i);
    const stmts = upSql(i);
    up.push(...stmts);
    down.push(`drop table bench_${i}`);
    writeFileSync(join(dir, "migrations", `${version}_bench_${i}.sql`), `-- migrate:up\n${stmts.join(";\n")};\n\n-- migrate:down\ndrop table bench_${i};\n`);
    writeFileSync(join(dir, "knex", `${version}_bench_${i}.cjs`), `exports.up = async (knex) => {\n${stmts.map((s) => `  await knex.raw(${JSON.stringify(s)});`).join("\n")}\n};\nexports.down = (knex) => knex.raw(${JSON.stringify(`drop table bench_${i}`)});\n`);
  }
  return { dir, up, down };
}

const seconds = async (fn: () => unknown | Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): void {
  const result = spawnSync(command, args, { input: options.input, env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr?.toString().slice(0, 500)}`);
}

/** The database's own client, one session, statements as a script. */
function floor(db: TestDatabase, sql: string[]): void {
  const script = sql.map((s) => `${s};`).join("\n");
  if (db.dialect === "postgres") run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", db.url], { input: script });
  else if (db.dialect === "mysql") {
    const u = new URL(db.url);
    run("mariadb", ["-h", u.hostname, "-P", u.port || "3306", "-u", decodeURIComponent(u.username), u.pathname.slice(1)], { input: script });
  } else run("sqlite3", [db.name], { input: script });
}

function dbmateUrl(db: TestDatabase): string {
  if (db.dialect === "sqlite") return `sqlite:${db.name}`;
  if (db.dialect === "postgres") return `${db.url}${db.url.includes("?") ? "&" : "?"}sslmode=disable`;
  return db.url;
}

function dbmate(db: TestDatabase, project: Project, args: string[]): void {
  run(BIN("dbmate"), ["--url", dbmateUrl(db), "--migrations-dir", join(project.dir, "migrations"), "--no-dump-schema", ...args]);
}

async function knexClient(db: TestDatabase, project: Project) {
  const { default: knex } = await import("knex");
  const connection = db.dialect === "sqlite" ? { filename: db.name } : db.url;
  const client = db.dialect === "postgres" ? "pg" : db.dialect === "mysql" ? "mysql2" : "better-sqlite3";
  return knex({ client, connection, useNullAsDefault: true, migrations: { directory: join(project.dir, "knex"), loadExtensions: [".cjs"] } });
}

/** The CLI as shipped: the compiled binary when `npm run build` made one, else node from source. */
const BINARY = join(ROOT, "dist/strata");
const CLI = existsSync(BINARY) ? { name: "strata (binary)", command: [BINARY] } : { name: "strata (CLI)", command: [process.execPath, join(ROOT, "bin/strata.mjs")] };

function strataCli(db: TestDatabase, project: Project, args: string[]): void {
  run(CLI.command[0], [...CLI.command.slice(1), ...args, "--url", db.url, "--quiet"], { cwd: project.dir });
}

type Tool = {
  name: string;
  only?: TestDialectName[];
  apply(db: TestDatabase, project: Project): Promise<void>;
  rollback(db: TestDatabase, project: Project, count: number): Promise<void>;
};

const TOOLS: Tool[] = [
  { name: "floor (client)", apply: async (db, p) => floor(db, p.up), rollback: async (db, p, n) => floor(db, p.down.slice(-n).reverse()) },
  {
    name: "strata (API)",
    apply: async (db, p) => void (await new Migrator({ cwd: p.dir, url: db.url, path: "migrations" }).run()),
    rollback: async (db, p, n) => void (await new Migrator({ cwd: p.dir, url: db.url, path: "migrations" }).down({ steps: n })),
  },
  { name: CLI.name, apply: async (db, p) => strataCli(db, p, ["up"]), rollback: async (db, p, n) => strataCli(db, p, ["down", "--steps", String(n)]) },
  {
    // One transaction for the whole run, as knex does by default (not on MySQL, whose DDL commits).
    name: "strata single tx",
    only: ["postgres", "sqlite"],
    apply: async (db, p) => void (await new Migrator({ cwd: p.dir, url: db.url, path: "migrations" }).run({ singleTransaction: true })),
    rollback: async (db, p, n) => void (await new Migrator({ cwd: p.dir, url: db.url, path: "migrations" }).down({ steps: n, singleTransaction: true })),
  },
  {
    name: "dbmate",
    apply: async (db, p) => dbmate(db, p, ["up"]),
    // dbmate rolls back one migration per invocation.
    rollback: async (db, p, n) => {
      for (let i = 0; i < n; i++) dbmate(db, p, ["rollback"]);
    },
  },
  {
    name: "knex (API)",
    apply: async (db, p) => {
      const k = await knexClient(db, p);
      try {
        await k.migrate.latest();
      } finally {
        await k.destroy();
      }
    },
    rollback: async (db, p, n) => {
      const k = await knexClient(db, p);
      try {
        for (let i = 0; i < n; i++) await k.migrate.down();
      } finally {
        await k.destroy();
      }
    },
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One fresh database: apply `n`, then (at the largest size) roll back the last ROLLBACK. */
async function once(dialect: TestDialectName, tool: Tool, project: Project, n: number, rollback: boolean): Promise<{ apply: number; rollback?: number }> {
  const db = await createTestDatabase(dialect);
  try {
    const apply = await seconds(() => tool.apply(db, project));
    return rollback ? { apply, rollback: await seconds(() => tool.rollback(db, project, ROLLBACK)) } : { apply };
  } finally {
    await db.drop();
  }
}

const fmt = (s: number | undefined, n: number) => (s === undefined ? "—".padStart(20) : `${s.toFixed(2)} s ${`(${Math.round(n / s)}/s)`.padStart(10)}`.padStart(20));

// strata's engine and knex, with their drivers, load on first use: loaded once before any
// figure is taken, as a long-lived process would have them.
const warm = mkdtempSync(join(tmpdir(), "strata-bench-warm-"));
for (const dialect of DIALECTS) {
  const db = await createTestDatabase(dialect);
  await new Migrator({ cwd: warm, url: db.url, path: "migrations" }).status();
  const k = await knexClient(db, { dir: warm, up: [], down: [] });
  await k.raw("select 1");
  await k.destroy();
  await db.drop();
}
rmSync(warm, { recursive: true, force: true });

console.log(`strata apply benchmark — node ${process.version}, median of ${RUNS} interleaved run(s), rollback of the last ${ROLLBACK}`);
for (const dialect of DIALECTS) {
  const projects = new Map(SIZES.map((n) => [n, writeProject(n)]));
  console.log(`\n${dialect}`);
  console.log(`${"tool".padEnd(16)}${SIZES.map((n) => `apply ${n}`.padStart(20)).join("")}${`rollback ${ROLLBACK}`.padStart(20)}`);
  const tools = TOOLS.filter((t) => !t.only || t.only.includes(dialect));
  const big = Math.max(...SIZES);
  // Round by round, every tool once per round: a machine that slows down for a while
  // slows every tool alike, not the one measured then.
  const applies = new Map(tools.map((t) => [t.name, new Map<number, number[]>(SIZES.map((n) => [n, []]))]));
  const rollbacks = new Map<string, number[]>(tools.map((t) => [t.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const tool of tools) {
      for (const n of SIZES) {
        const m = await once(dialect, tool, projects.get(n)!, n, n === big && n >= ROLLBACK);
        applies.get(tool.name)!.get(n)!.push(m.apply);
        if (m.rollback !== undefined) rollbacks.get(tool.name)!.push(m.rollback);
      }
    }
  }
  const rows: Record<string, number | undefined>[] = [];
  for (const tool of tools) {
    const row: Record<string, number | undefined> = Object.fromEntries(SIZES.map((n) => [n, median(applies.get(tool.name)!.get(n)!)]));
    const back = rollbacks.get(tool.name)!;
    row.rollback = back.length ? median(back) : undefined;
    rows.push(row);
    console.log(`${tool.name.padEnd(16)}${SIZES.map((n) => fmt(row[n], n)).join("")}${fmt(row.rollback, ROLLBACK)}`);
  }
  const floorRow = rows[0];
  const strata = rows[1];
  console.log(`strata (API) / floor: apply ${big} ${(strata[big]! / floorRow[big]!).toFixed(2)}x, rollback ${ROLLBACK} ${(strata.rollback! / floorRow.rollback!).toFixed(2)}x`);
  for (const p of projects.values()) rmSync(p.dir, { recursive: true, force: true });
}
