import type { Runtime, SqliteDatabase, SqliteOpenOptions } from "./runtime.ts";
import { asBuffers, decodeTyped, exactIntegers, typedColumns, type Row, type TypedColumns } from "./sqlite.ts";
import { flushAndExit, onStopSignals, ignoreBrokenPipes } from "./exit.ts";
import { strataModuleUrls, versioned } from "./user-modules.ts";
import { fileURLToPath } from "node:url";
import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";

interface BunGlobal {
  version: string;
  plugin(plugin: { name: string; setup(build: BunPluginBuilder): void }): void;
  gc(synchronous: boolean): void;
}
interface BunPluginBuilder {
  module(specifier: string, load: () => Promise<{ exports: Record<string, unknown>; loader: "object" }>): void;
}
interface BunStatement {
  readonly columnNames: string[];
  readonly declaredTypes: (string | null)[];
  safeIntegers(toggle: boolean): BunStatement;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number };
}
interface BunDatabase {
  query(sql: string): BunStatement;
  run(sql: string): void;
  close(): void;
}

declare const Bun: BunGlobal;

const FD = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** isatty(), asked only of character devices: node:tty loads Bun's streams, which a pipe or file never needs. */
function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (createRequire(import.meta.url)("node:tty") as typeof import("node:tty")).isatty(fd);
}

/** Comments, semicolons and whitespace only: bun:sqlite rejects such a script, libsql and node:sqlite run it as nothing. */
const hasStatement = (sql: string) => sql.replace(/--[^\n]*|\/\*[\s\S]*?(\*\/|$)|[\s;]+/g, "") !== "";

/** How a compiled binary loads its own "strata" and "strata/plugins" (lazily, so --help loads neither). */
export interface EmbeddedModules {
  strata: () => Promise<Record<string, unknown>>;
  "strata/plugins": () => Promise<Record<string, unknown>>;
}

/**
 * Bun: TypeScript natively; "strata" and "strata/plugins" in user files are virtual
 * modules (a runtime plugin) whose exports are the running core's own module objects: the
 * binary's embedded ones, or, from source, src/index.ts and plugins/index.ts as already
 * loaded. bun:sqlite serves local SQLite, so a compiled binary needs no native addon.
 */
export function createBunRuntime(embedded?: EmbeddedModules, transformWorker?: string): Runtime {
  const load = async (specifier: keyof EmbeddedModules) =>
    embedded ? embedded[specifier]() : ((await import(fileURLToPath(strataModuleUrls()[specifier]))) as Record<string, unknown>);
  let hooked = false;
  let streamed = false;
  const hook = () => {
    if (hooked) return;
    hooked = true;
    Bun.plugin({
      name: "strata",
      setup(build) {
        for (const specifier of ["strata", "strata/plugins"] as const) build.module(specifier, async () => ({ exports: await load(specifier), loader: "object" }));
      },
    });
  };
  return {
    name: "bun",
    version: Bun.version,
    env: (name) => process.env[name],
    argv: () => process.argv.slice(2),
    cwd: () => process.cwd(),
    // Bun builds process.stdout/stderr on first use, which costs milliseconds at start-up:
    // output goes straight to the file descriptors, and only a write that could not finish
    // at once (a full non-blocking pipe) falls back to the streams, which then need a flush.
    exit: (code) => (streamed ? flushAndExit(code) : process.exit(code)),
    onStopSignals,
    ignoreBrokenPipes,
    isTTY: (stream) => isTerminal(FD[stream]),
    write(stream, text) {
      let rest = Buffer.from(text);
      if (!streamed) {
        try {
          while (rest.length > 0) rest = rest.subarray(writeSync(FD[stream], rest));
          return;
        } catch {
          streamed = true;
        }
      }
      process[stream].write(rest);
    },
    async importModule(file, version) {
      hook();
      try {
        return (await import(versioned(file, version))) as Record<string, unknown>;
      } catch (error) {
        throw buildErrors(error) ?? error;
      }
    },
    importBuiltinPlugins: () => load("strata/plugins"),
    transformWorker: () => ({ filename: transformWorker ?? new URL("../transform/worker.ts", import.meta.url).href }),
    collectGarbage: () => Bun.gc(true),
    async openSqlite(path: string, options: SqliteOpenOptions): Promise<SqliteDatabase> {
      const { Database } = (await import("bun:sqlite" as string)) as { Database: new (path: string, options: { readonly?: boolean; create?: boolean }) => BunDatabase };
      const db = new Database(path, options.readonly ? { readonly: true } : { create: true });
      const typedByStatement = new WeakMap<BunStatement, TypedColumns>();
      db.run(`pragma busy_timeout = ${Math.max(0, Math.floor(options.timeoutMs ?? 5000))}`);
      return {
        exec: (sql) => {
          if (hasStatement(sql)) db.run(sql);
        },
        execute(sql, params, exact) {
          // query() caches the prepared statement per SQL text.
          const statement = db.query(sql);
          if (statement.columnNames.length > 0) {
            const rows = statement.safeIntegers(exact).all(...params);
            let typed = typedByStatement.get(statement);
            if (!typed) {
              // Declared types are known once the statement has run.
              const types = statement.declaredTypes;
              typed = typedColumns(statement.columnNames.map((name, i) => ({ name, type: types[i] })));
              typedByStatement.set(statement, typed);
            }
            return { rows: decodeTyped(asBuffers(exact ? exactIntegers(rows) : rows), typed), changes: 0 };
          }
          return { rows: [], changes: Number(statement.run(...params).changes) };
        },
        close: () => db.close(),
      };
    },
  };
}

/**
 * Bun reports a file it cannot transpile as "2 errors building <file>?strata-version=…",
 * the errors themselves in `errors`: each one, with its line and column, as the message.
 */
function buildErrors(error: unknown): Error | undefined {
  const list = (error as { errors?: unknown }).errors;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const lines = list.map((e: { message?: unknown; position?: { file?: string; line?: number; column?: number } | null }) => {
    const at = e.position ? `${e.position.file ?? ""}:${e.position.line ?? 0}:${e.position.column ?? 0}: ` : "";
    return `${at}${String(e.message ?? e)}`;
  });
  return new Error(lines.join("\n"), { cause: error });
}
