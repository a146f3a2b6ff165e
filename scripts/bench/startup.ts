/**
 * Start-up speed: median wall time and peak RSS of `--help`, and of `status` over 1000
 * applied migrations (once as .sql files, once as TypeScript classes), for the compiled
 * binary and for node from source, side by side with dbmate's Go binary and knex's CLI
 * over the same 1000 migrations (JavaScript files for knex).
 *
 *   npm run build && npx tsx scripts/bench/startup.ts [--runs 15] [--count 1000]
 *
 * Figures, never assertions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" }, count: { type: "string", default: "1000" } } });
const RUNS = Number(values.runs);
const COUNT = Number(values.count);
const ROOT = new URL("../..", import.meta.url).pathname;
const BINARY = join(ROOT, "dist/strata");
const NODE_CLI = [process.execPath, join(ROOT, "bin/strata.mjs")];
const DBMATE = join(ROOT, `node_modules/@dbmate/${process.platform}-${process.arch}/bin/dbmate`);
const KNEX = [process.execPath, join(ROOT, "node_modules/knex/bin/cli.js")];

if (!existsSync(BINARY)) {
  console.error("dist/strata is missing: run `npm run build` first.");
  process.exit(1);
}

function writeProjects(): { sql: string; ts: string; knex: string } {
  const base = mkdtempSync(join(tmpdir(), "strata-startup-"));
  const sql = join(base, "sql");
  const ts = join(base, "ts");
  const knex = join(base, "knex");
  for (const dir of [sql, ts, knex]) mkdirSync(join(dir, "migrations"), { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    const version = String(20260101000000 + i);
    const up = `create table t_${i} (id integer primary key, name varchar(64))`;
    writeFileSync(join(sql, "migrations", `${version}_m${i}.sql`), `-- migrate:up\n${up};\n\n-- migrate:down\ndrop table t_${i};\n`);
    writeFileSync(
      join(ts, "migrations", `${version}_m${i}.ts`),
      `import { Migration, Schema } from "strata";\n\nexport default class M${i} extends Migration {\n  up() {\n    Schema.createTable("t_${i}", [Schema.id(), Schema.string("name", 64)]);\n  }\n}\n`,
    );
    writeFileSync(join(knex, "migrations", `${version}_m${i}.cjs`), `exports.up = (knex) => knex.raw(${JSON.stringify(up)});\nexports.down = (knex) => knex.raw("drop table t_${i}");\n`);
  }
  writeFileSync(join(knex, "knexfile.cjs"), `module.exports = { client: "better-sqlite3", useNullAsDefault: true, connection: { filename: ${JSON.stringify(join(knex, "db.sqlite"))} }, migrations: { directory: ${JSON.stringify(join(knex, "migrations"))}, loadExtensions: [".cjs"] } };\n`);
  return { sql, ts, knex };
}

interface Sample {
  ms: number;
  rssKb: number;
}

/** One run under GNU time for the peak RSS; wall time measured around it. */
function once(command: string[], cwd: string, env: Record<string, string> = {}): Sample {
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", ...command], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed (${result.status}): ${result.stderr.slice(-500)}`);
  const rssKb = Number(result.stderr.trim().split("\n").pop());
  return { ms, rssKb };
}

interface Case {
  label: string;
  command: string[];
  cwd: string;
  env?: Record<string, string>;
}

/**
 * Every case once as a warm-up, then RUNS rounds that run each case once in turn: a
 * machine that slows down for a while slows every tool alike, not the one measured then.
 */
function measureAll(cases: Case[]): Map<string, Sample> {
  for (const c of cases) once(c.command, c.cwd, c.env);
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
  for (let r = 0; r < RUNS; r++) for (const c of cases) samples.get(c.label)!.push(once(c.command, c.cwd, c.env));
  return new Map(
    cases.map((c) => {
      const runs = samples.get(c.label)!;
      const sorted = runs.map((s) => s.ms).sort((a, b) => a - b);
      return [c.label, { ms: sorted[Math.floor(sorted.length / 2)], rssKb: Math.max(...runs.map((s) => s.rssKb)) }];
    }),
  );
}

const projects = writeProjects();
const dbFile = (dir: string) => join(dir, "data", "bench.db");
const strataEnv = (dir: string) => ({ DATABASE_URL: `file:${dbFile(dir)}` });
console.log(`preparing: applying ${COUNT} migrations for each project…`);
for (const dir of [projects.sql, projects.ts]) {
  const r = spawnSync(BINARY, ["up", "--quiet"], { cwd: dir, env: { ...process.env, ...strataEnv(dir) }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}
const dbmateEnv = { DATABASE_URL: `sqlite:${join(projects.sql, "dbmate.db")}` };
spawnSync(DBMATE, ["--migrations-dir", join(projects.sql, "migrations"), "--no-dump-schema", "up"], { cwd: projects.sql, env: { ...process.env, ...dbmateEnv } });
// knex's CLI looks for the knex package beside the knexfile, then in KNEX_PATH: the repository's.
process.env.KNEX_PATH = join(ROOT, "node_modules/knex/knex.js");
const knexArgs = ["--knexfile", join(projects.knex, "knexfile.cjs")];
const knexUp = spawnSync(KNEX[0], [...KNEX.slice(1), ...knexArgs, "migrate:latest"], { cwd: ROOT, encoding: "utf8" });
if (knexUp.status !== 0) throw new Error(knexUp.stderr);

const cases: Case[] = [
  { label: "strata binary --help", command: [BINARY, "--help"], cwd: projects.sql },
  { label: "strata node (source) --help", command: [...NODE_CLI, "--help"], cwd: projects.sql },
  { label: "dbmate --help", command: [DBMATE, "--help"], cwd: projects.sql },
  { label: "knex --help", command: [...KNEX, "--help"], cwd: ROOT },
  { label: `strata binary status (${COUNT} .sql)`, command: [BINARY, "status"], cwd: projects.sql, env: strataEnv(projects.sql) },
  { label: `strata binary status (${COUNT} .ts)`, command: [BINARY, "status"], cwd: projects.ts, env: strataEnv(projects.ts) },
  { label: `strata node status (${COUNT} .sql)`, command: [...NODE_CLI, "status"], cwd: projects.sql, env: strataEnv(projects.sql) },
  { label: `strata node status (${COUNT} .ts)`, command: [...NODE_CLI, "status"], cwd: projects.ts, env: strataEnv(projects.ts) },
  { label: `dbmate status (${COUNT} .sql)`, command: [DBMATE, "--migrations-dir", join(projects.sql, "migrations"), "status"], cwd: projects.sql, env: dbmateEnv },
  { label: `knex migrate:status (${COUNT} .js)`, command: [...KNEX, ...knexArgs, "migrate:status"], cwd: ROOT },
];
console.log(`\nmedian of ${RUNS} interleaved runs, peak RSS; ${COUNT} applied migrations on SQLite\n${"".padEnd(44)} ${"wall".padStart(11)} ${"peak RSS".padStart(11)}`);
const results = measureAll(cases);
const rows: [string, Sample][] = cases.map((c) => [c.label, results.get(c.label)!]);
for (const [label, sample] of rows) console.log(`${label.padEnd(44)} ${sample.ms.toFixed(1).padStart(8)} ms ${(sample.rssKb / 1024).toFixed(1).padStart(8)} MB`);

const get = (label: string) => rows.find(([l]) => l.startsWith(label))![1].ms;
console.log("\nratios (targets in parentheses):");
console.log(`  binary --help / dbmate --help            ${(get("strata binary --help") / get("dbmate --help")).toFixed(2)}x  (≤ 1)`);
console.log(`  binary status .sql / dbmate status       ${(get(`strata binary status (${COUNT} .sql)`) / get("dbmate status")).toFixed(2)}x  (≤ 1.5)`);
console.log(`  binary status .ts / dbmate status        ${(get(`strata binary status (${COUNT} .ts)`) / get("dbmate status")).toFixed(2)}x  (≤ 2)`);
console.log(`  knex status / binary status .ts          ${(get("knex migrate:status") / get(`strata binary status (${COUNT} .ts)`)).toFixed(2)}x  (≥ 4)`);
rmSync(join(projects.sql, ".."), { recursive: true, force: true });
