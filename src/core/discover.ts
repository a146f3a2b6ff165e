import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { errors } from "../errors.ts";
import { normalizeText, sha256 } from "../util/checksum.ts";
import { parseMigrationId } from "../util/ids.ts";
import { parseSqlMigration, type ParsedSqlMigration } from "./sql-file.ts";

/** A migration file on disk, with what planning needs and nothing executed. */
export interface MigrationSource {
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly file: string;
  /** Path relative to the project, for messages. */
  readonly displayFile: string;
  readonly kind: "sql" | "module";
  readonly checksum: string;
  readonly className?: string;
  readonly dependencies: readonly string[];
  /** Parsed sections of a .sql file. */
  readonly sql?: ParsedSqlMigration;
  /** False when dependencies could not be read without executing the module. */
  readonly staticallyKnown: boolean;
}

export interface Discovery {
  migrations: MigrationSource[];
  /** Files in the folder that are not migrations (reported by `strata check`). */
  ignored: string[];
}

/**
 * Reads the migrations folder: ids and versions from file names, checksums from contents,
 * dependencies of .sql files from their `-- strata:depends` lines and of modules from their
 * source text. Modules are not executed here, so `status` over 10,000 TypeScript files
 * reads text only.
 */
export function discoverMigrations(dir: string, projectRoot: string): Discovery {
  if (!existsSync(dir)) return { migrations: [], ignored: [] };
  const migrations: MigrationSource[] = [];
  const ignored: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const fileName = entry.name;
    const ext = extensionOf(fileName);
    if (!ext || fileName.startsWith(".") || fileName.endsWith(".d.ts") || fileName.endsWith(".d.mts")) {
      if (!fileName.startsWith(".")) ignored.push(fileName);
      continue;
    }
    const parsed = parseMigrationId(fileName.slice(0, -ext.length));
    if (!parsed) {
      ignored.push(fileName);
      continue;
    }
    const file = join(dir, fileName);
    const displayFile = relative(projectRoot, file) || fileName;
    const text = normalizeText(readFileSync(file, "utf8"));
    const checksum = sha256(text);
    if (ext === ".sql") {
      const result = parseSqlMigration(text);
      if (!result.ok) throw errors.migrationInvalid(displayFile, result.problem, 'A SQL migration has a "-- migrate:up" line, then its statements, then optionally "-- migrate:down" and the statements that undo them.');
      migrations.push({ ...parsed, file, displayFile, kind: "sql", checksum, dependencies: result.value.dependencies, sql: result.value, staticallyKnown: true });
    } else {
      const meta = readModuleMetadata(text);
      migrations.push({
        ...parsed,
        file,
        displayFile,
        kind: "module",
        checksum,
        ...(meta.className ? { className: meta.className } : {}),
        dependencies: meta.dependencies ?? [],
        staticallyKnown: meta.dependencies !== undefined,
      });
    }
  }
  migrations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { migrations, ignored };
}

/** .sql, or a module: .ts .mts .cts .js .mjs .cjs. */
const EXTENSION = /\.(?:sql|[mc]?[tj]s)$/;

function extensionOf(fileName: string): string | undefined {
  return EXTENSION.exec(fileName)?.[0];
}

const CLASS_DECL = /export\s+default\s+class\s+([A-Za-z_$][\w$]*)/;
const NAMED_CLASS = /\bclass\s+([A-Za-z_$][\w$]*)\s+extends\b/;
const DEFAULT_NAME = /export\s+default\s+([A-Za-z_$][\w$]*)\s*;?\s*$/m;
const DEPENDENCIES = /\bdependencies\s*(?::[^=;]+)?=\s*\[([^\]]*)\]/;
const STRING_ITEM = /^\s*(["'`])([^"'`\\$]*)\1\s*$/;

/**
 * Class name and dependencies from a module's source, without running it. `dependencies`
 * is undefined when the source computes them (the module is then loaded to read them).
 */
export function readModuleMetadata(source: string): { className?: string; dependencies?: string[] } {
  const code = stripComments(source);
  let className = CLASS_DECL.exec(code)?.[1];
  if (!className) {
    const named = NAMED_CLASS.exec(code)?.[1];
    const exported = DEFAULT_NAME.exec(code)?.[1];
    if (named && named === exported) className = named;
  }
  const match = DEPENDENCIES.exec(code);
  let dependencies: string[] | undefined;
  if (match) {
    const items = match[1].split(",").filter((item) => item.trim() !== "");
    const values = items.map((item) => STRING_ITEM.exec(item)?.[2]);
    dependencies = values.every((v): v is string => v !== undefined) ? values : undefined;
    if (dependencies && code.slice(match.index + match[0].length).includes("dependencies")) dependencies = undefined;
  } else {
    dependencies = /\bdependencies\b/.test(code) ? undefined : [];
  }
  return { ...(className ? { className } : {}), ...(dependencies ? { dependencies } : {}) };
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");
}
