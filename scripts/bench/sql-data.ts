/**
 * Data in .sql migrations: a dbmate-format folder with one migration that creates
 * fact(id, customer, amount, note) and one that inserts --rows rows, one single-row INSERT
 * per statement (some values holding a semicolon, some `--` comment lines between
 * statements), applied to an empty database by strata's CLI and by dbmate. Prints wall time
 * (process start to exit) and rows/s for each tool, side by side in one run.
 *
 *   npm run build && npx tsx scripts/bench/sql-data.ts [--db postgres,mysql,sqlite] [--rows 2000] [--runs 3]
 *
 * The strata row runs the compiled binary (dist/strata) when there is one, node from source
 * otherwise. Each figure is the median of --runs fresh databases, the tools taking turns
 * within each run. After every apply the table must hold exactly --rows rows (and the
 * semicolon values intact), else the script stops with exit code 1 rather than print a
 * figure. Figures, never assertions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createTestDatabase, type TestDatabase, type TestDialectName } from "../../test/helpers/create-database.ts";
import { query } from "../../test/helpers/dump.ts";

const { values } = parseArgs({ options: { db: { type: "string", default: "postgres,mysql,sqlite" }, rows: { type: "string", default: "2000" }, runs: { type: "string", default: "3" } } });
const DIALECTS = values.db!.split(",") as TestDialectName[];
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const ROOT = new URL("../..", import.meta.url).pathname;
const BINARY = join(ROOT, "dist/strata");
const CLI = existsSync(BINARY) ? { name: "strata (binary)", command: [BINARY] } : { name: "strata (CLI)", command: [process.execPath, join(ROOT, "bin/strata.mjs")] };
const CUSTOMERS = ["acme", "Globex Corp", "Initech", "O''Brien & Sons", "Umbrella; Ltd", "Stark Industries", "Wayne Enterprises"];

/** Rows whose note holds a semicolon, to check after each apply that no statement was split inside a string. */
const withSemicolon = (i: number) => i % 7 === 3;

/** The folder both tools read: migrations/ in dbmate's .sql format. */
function writeProject(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-sql-data-"));
  mkdirSync(join(dir, "migrations"));
  writeFileSync(join(dir, "migrations", "20260101000000_create_fact.sql"), "-- migrate:up\ncreate table fact (id bigint primary key, customer varchar(64), amount decimal(10,2), note text);\n\n-- migrate:down\ndrop table fact;\n");
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    if (i % 100 === 1) lines.push(`-- batch ${Math.ceil(i / 100)}: rows ${i} to ${Math.min(i + 99, n)}`);
    const customer = CUSTOMERS[i % CUSTOMERS.length];
    const amount = ((i * 7919) % 1000000) / 100;
    const note = withSemicolon(i) ? `'refund; see ticket #${i}'` : i % 5 === 0 ? "null" : `'order ${i} -- paid by card'`;
    lines.push(`insert into fact (id, customer, amount, note) values (${i}, '${customer}', ${amount.toFixed(2)}, ${note});`);
  }
  writeFileSync(join(dir, "migrations", "20260101000001_load_fact.sql"), `-- migrate:up\n${lines.join("\n")}\n\n-- migrate:down\ndelete from fact;\n`);
  return dir;
}

function run(command: string, args: string[], cwd?: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr?.toString().slice(0, 500)}`);
}

function dbmateUrl(db: TestDatabase): string {
  if (db.dialect === "sqlite") return `sqlite:${db.name}`;
  if (db.dialect === "postgres") return `${db.url}${db.url.includes("?") ? "&" : "?"}sslmode=disable`;
  return db.url;
}

type Tool = { name: string; apply(db: TestDatabase, dir: string): void };
const TOOLS: Tool[] = [
  { name: CLI.name, apply: (db, dir) => run(CLI.command[0], [...CLI.command.slice(1), "up", "-q", "--url", db.url], dir) },
  { name: "dbmate", apply: (db, dir) => run(join(ROOT, "node_modules/.bin/dbmate"), ["--no-dump-schema", "--migrations-dir", join(dir, "migrations"), "--url", dbmateUrl(db), "up"]) },
];

/** The wrong result is never a figure: a short table ends the run (exit code 1). */
async function verify(db: TestDatabase, tool: Tool, n: number): Promise<void> {
  const [row] = await query(db.url, "select count(*) as n, sum(case when note like 'refund; see ticket #%' then 1 else 0 end) as semi from fact");
  const expectedSemi = Array.from({ length: n }, (_, i) => i + 1).filter(withSemicolon).length;
  if (Number(row.n) !== n || Number(row.semi) !== expectedSemi) {
    throw new Error(`${tool.name} on ${db.dialect}: fact holds ${row.n} rows (${row.semi} with a semicolon note), expected ${n} (${expectedSemi}); no figure reported.`);
  }
}

/** One fresh database: wall time of one apply, checked. */
async function once(dialect: TestDialectName, tool: Tool, dir: string): Promise<number> {
  const db = await createTestDatabase(dialect);
  try {
    const t = performance.now();
    tool.apply(db, dir);
    const elapsed = (performance.now() - t) / 1000;
    await verify(db, tool, ROWS);
    return elapsed;
  } finally {
    await db.drop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = writeProject(ROWS);
try {
  console.log(`strata sql-data benchmark — node ${process.version}, ${ROWS} single-row INSERTs in one .sql migration, median of ${RUNS} interleaved run(s)`);
  console.log(`\n${"database".padEnd(10)}${"tool".padEnd(18)}${"wall".padStart(10)}${"rows/s".padStart(10)}`);
  for (const dialect of DIALECTS) {
    const times = new Map<string, number[]>(TOOLS.map((t) => [t.name, []]));
    // Round by round, every tool once per round: a machine that slows down for a while slows both alike.
    for (let r = 0; r < RUNS; r++) for (const tool of TOOLS) times.get(tool.name)!.push(await once(dialect, tool, dir));
    for (const tool of TOOLS) {
      const s = median(times.get(tool.name)!);
      console.log(`${dialect.padEnd(10)}${tool.name.padEnd(18)}${`${s.toFixed(2)} s`.padStart(10)}${String(Math.round(ROWS / s)).padStart(10)}`);
    }
  }
} catch (error) {
  console.error(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
