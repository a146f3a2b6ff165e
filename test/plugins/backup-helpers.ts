import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, join } from "node:path";
import { expect, onTestFinished } from "vitest";
import type { TestDatabase, TestDialectName } from "../helpers/databases.ts";
import { query } from "../helpers/dump.ts";

/** Two migrations every backup test uses: M1 before the backup, M2 the run it protects. */
export const M1 = "20260101000000_create_accounts";
export const M2 = "20260102000000_create_orders";

export const MIGRATIONS = {
  [`migrations/${M1}.ts`]: `import { Migration, Schema } from "strata";

export default class CreateAccounts extends Migration {
  up() {
    Schema.createTable("accounts", [Schema.id(), Schema.string("name", { unique: true }), Schema.integer("balance", { nullable: true })]);
    Schema.createIndex("accounts", ["balance"]);
    Schema.raw("insert into accounts (name, balance) values ('ann', 10), ('bob', null), ('cy''s', -3)");
  }
}
`,
} as const;

export const M2_FILES = {
  [`migrations/${M2}.ts`]: `import { Migration, Schema } from "strata";

export default class CreateOrders extends Migration {
  up() {
    Schema.createTable("orders", [Schema.id(), Schema.foreignKey("account_id", "accounts"), Schema.integer("amount")]);
    Schema.addColumn("accounts", Schema.string("email", { nullable: true }));
    Schema.raw("insert into orders (account_id, amount) values (1, 5), (2, 7)");
    Schema.raw("update accounts set balance = 0 where balance is null");
  }
}
`,
} as const;

/** Records, at each migration:before, which files the backup folder holds. */
export const SPY_PLUGIN = {
  "plugins/spy.ts": `import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { definePlugin } from "strata";

export default definePlugin({
  name: "spy",
  hooks: {
    "migration:before": ({ id }) => {
      const files = existsSync("backups") ? readdirSync("backups") : [];
      appendFileSync("spy.jsonl", JSON.stringify({ id, backups: files }) + "\\n");
    },
  },
});
`,
} as const;

export function readSpy(dir: string): { id: string; backups: string[] }[] {
  const path = join(dir, "spy.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line));
}

export interface BackupSettings {
  path?: string;
  compress?: boolean;
  retentionDays?: number;
  backup?: boolean;
}

/** strata.config.json: environment "production" on `url` with backup on (by default). */
export function backupConfig(url: string, settings: BackupSettings = {}): Record<string, string> {
  const { backup = true, path = "backups", compress = true, retentionDays = 30 } = settings;
  return {
    "strata.config.json": JSON.stringify({ environments: { production: { database: url, backup } }, backup: { path, compress, retentionDays } }, null, 2),
  };
}

export const ENV = ["--env", "production"] as const;

/** A backup's data file name (or its manifest), as the plugin writes them. */
export const BACKUP_NAME = /-\d{8}T\d{6}Z(?:-\d+)?\.(?:dump|sql|sql\.gz|db|db\.gz)(?:\.json)?$/;

/** Everything in a folder, hidden files included, sorted; [] when it does not exist. */
export function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Inserts ~`kb` KB of random (incompressible) text into a new table `blobs`. */
export async function fillRandom(db: TestDatabase, kb: number): Promise<void> {
  await query(db.url, "create table blobs (v text)");
  const marker = (i: number) => (db.dialect === "postgres" ? `$${i + 1}` : "?");
  for (let done = 0; done < kb; done += 50) {
    const values = Array.from({ length: 50 }, () => randomBytes(512).toString("hex"));
    await query(db.url, `insert into blobs (v) values ${values.map((_, i) => `(${marker(i)})`).join(", ")}`, values);
  }
}

/** The real path of a program, looked up on this process's PATH. */
export function realTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** A folder of executable shell scripts, name -> body (after the #!/bin/sh line). */
export async function scriptDir(scripts: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "strata-tools-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(dir, name), 0o755);
  }
  return dir;
}

/** PATH with `dir` first. */
export function pathWith(dir: string): string {
  return `${dir}${delimiter}${process.env.PATH ?? ""}`;
}

/**
 * Wrappers that record their arguments and environment (NUL-separated, exactly as the
 * kernel passed them) and a copy of any --defaults-extra-file with its mode, then run the
 * real tool. Returns the scripts folder and where the records go.
 */
export async function recordingTools(names: Record<string, string>): Promise<{ bin: string; records: string }> {
  const records = await mkdtemp(join(tmpdir(), "strata-records-"));
  onTestFinished(() => rm(records, { recursive: true, force: true }));
  const scripts: Record<string, string> = {};
  for (const [name, real] of Object.entries(names)) {
    scripts[name] = `log="${records}/${name}.$$"
printf '%s\\0' "$@" > "$log.argv"
cat /proc/$$/environ > "$log.env"
for a in "$@"; do
  case "$a" in --defaults-extra-file=*) f="\${a#--defaults-extra-file=}"; cp "$f" "$log.cnf"; stat -c %a "$f" > "$log.mode"; printf '%s' "$f" > "$log.cnfpath";; esac
done
exec "${real}" "$@"`;
  }
  return { bin: await scriptDir(scripts), records };
}

export interface Recorded {
  tool: string;
  argv: string[];
  env: Record<string, string>;
  cnf?: string;
  mode?: string;
  cnfPath?: string;
}

/** What the wrapped tools were run with, `--version` probes left out. */
export async function readRecords(records: string): Promise<Recorded[]> {
  const out: Recorded[] = [];
  for (const name of readdirSync(records).filter((n) => n.endsWith(".argv"))) {
    const base = join(records, name.slice(0, -".argv".length));
    const split = async (path: string) => (await readFile(path, "utf8")).split("\0").filter((s, i, all) => s !== "" || i < all.length - 1);
    const env = Object.fromEntries((await split(`${base}.env`)).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const optional = async (ext: string) => (existsSync(`${base}.${ext}`) ? (await readFile(`${base}.${ext}`, "utf8")).trim() : undefined);
    const record: Recorded = { tool: name.split(".")[0], argv: await split(`${base}.argv`), env };
    const cnf = await optional("cnf");
    if (cnf !== undefined) Object.assign(record, { cnf, mode: await optional("mode"), cnfPath: await optional("cnfpath") });
    if (record.argv.join(" ") !== "--version") out.push(record);
  }
  return out;
}

/**
 * A fresh folder this process cannot write, holding what `prepare` put there: mode 0555
 * when not root; for root (which ignores modes) chattr +i, else a tmpfs remounted
 * read-only; undefined when nothing works.
 */
export async function unwritableDir(prepare: (dir: string) => Promise<void> = async () => {}): Promise<{ dir: string; how: string } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "strata-locked-"));
  await prepare(dir);
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    onTestFinished(async () => {
      await chmod(dir, 0o755);
      await rm(dir, { recursive: true, force: true });
    });
    return { dir, how: "chmod 555" };
  }
  try {
    execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
    onTestFinished(async () => {
      execFileSync("chattr", ["-i", dir], { stdio: "ignore" });
      await rm(dir, { recursive: true, force: true });
    });
    return { dir, how: "chattr +i" };
  } catch {
    await rm(dir, { recursive: true, force: true });
  }
  const mounted = await tinyDisk(256);
  if (!mounted) return undefined;
  await prepare(mounted);
  try {
    execFileSync("mount", ["-o", "remount,ro", mounted], { stdio: "ignore" });
    return { dir: mounted, how: "read-only tmpfs" };
  } catch {
    return undefined;
  }
}

/** A mounted tmpfs of `sizeKb` KB (root only); undefined when mount fails. */
export async function tinyDisk(sizeKb = 64): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "strata-tiny-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  onTestFinished(async () => {
    execFileSync("umount", [dir], { stdio: "ignore" });
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Old backups of production/`database` in `dir`, copies of `source` (a real backup)
 * dated `days` ago in both the manifest's createdAt and the file times.
 */
export async function fakeOldBackup(dir: string, source: string, prefix: string, days: number, options: { manifest?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const when = new Date(Date.now() - days * 86_400_000);
  const ext = basename(source).slice(basename(source).search(/\.(dump|sql|db)/));
  const name = `${prefix}${when.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "")}${ext}`;
  const file = join(dir, name);
  const data = await readFile(source);
  await writeFile(file, data);
  if (options.manifest !== false) {
    const manifest = JSON.parse(await readFile(`${source}.json`, "utf8"));
    await writeFile(`${file}.json`, JSON.stringify({ ...manifest, file: name, createdAt: when.toISOString() }));
    await utimes(`${file}.json`, when, when);
  }
  await utimes(file, when, when);
  return name;
}

/** The name strata gives the database in backup file names. */
export function databaseName(db: TestDatabase): string {
  return db.dialect === "sqlite" ? db.name.split("/").pop()!.replace(/\.db$/, "") : db.name;
}

export function expectNoGoodLookingBackup(names: readonly string[], allowed: readonly string[] = []): void {
  const extra = names.filter((n) => !allowed.includes(n));
  expect(extra, `left in the backup folder: ${extra.join(", ")}`).toEqual([]);
}

export const dialectTools: Record<TestDialectName, string[]> = {
  postgres: ["pg_dump", "pg_restore", "psql"],
  mysql: ["mariadb-dump", "mysqldump", "mariadb", "mysql"],
  sqlite: [],
};
