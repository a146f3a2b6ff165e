import { createRequire } from "node:module";
import type { Runtime, SqliteDatabase, SqliteOpenOptions } from "./runtime.ts";
import { asBuffers, decodeTyped, exactIntegers, typedColumns, type Row, type TypedColumns } from "./sqlite.ts";
import { flushAndExit, onStopSignals, ignoreBrokenPipes } from "./exit.ts";
import { strataModuleUrls, versioned } from "./user-modules.ts";
import { pathToFileURL } from "node:url";

interface DenoGlobal {
  version: { deno: string };
}
interface NodeSqliteStatement {
  columns(): { name: string; type: string | null }[];
  setReadBigInts(toggle: boolean): void;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number | bigint };
}
interface NodeSqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatement;
  close(): void;
}

declare const Deno: DenoGlobal;

const READS = /^\s*(select|pragma|with|values|explain)\b|\breturning\b/i;

/**
 * Deno: TypeScript natively; "strata" in user files resolves through the import map in
 * deno.json (run with --config pointing at it); node:sqlite for local SQLite.
 */
export function createDenoRuntime(): Runtime {
  return {
    name: "deno",
    version: Deno.version.deno,
    env: (name) => process.env[name],
    argv: () => process.argv.slice(2),
    cwd: () => process.cwd(),
    exit: (code) => flushAndExit(code),
    onStopSignals,
    ignoreBrokenPipes,
    isTTY: (stream) => Boolean(process[stream].isTTY),
    write: (stream, text) => void process[stream].write(text),
    importModule: async (file, version) => (await import(versioned(pathToFileURL(file).href, version))) as Record<string, unknown>,
    // Threads through tinypool are not used on Deno: the row function runs in this thread.
    transformWorker: () => undefined,
    importBuiltinPlugins: async () => (await import(strataModuleUrls()["strata/plugins"])) as Record<string, unknown>,
    async openSqlite(path: string, options: SqliteOpenOptions): Promise<SqliteDatabase> {
      const require = createRequire(import.meta.url);
      const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => NodeSqliteDatabase };
      const db = new DatabaseSync(path, { readOnly: options.readonly ?? false });
      db.exec(`pragma busy_timeout = ${Math.max(0, Math.floor(options.timeoutMs ?? 5000))}`);
      const cache = new Map<string, NodeSqliteStatement>();
      const typed = new WeakMap<NodeSqliteStatement, TypedColumns>();
      return {
        exec: (sql) => db.exec(sql),
        execute(sql, params, exact) {
          let statement = cache.get(sql);
          if (!statement) cache.set(sql, (statement = db.prepare(sql)));
          if (READS.test(sql)) {
            statement.setReadBigInts(exact);
            const rows = statement.all(...params);
            if (!typed.has(statement)) typed.set(statement, typedColumns(statement.columns()));
            return { rows: decodeTyped(asBuffers(exact ? exactIntegers(rows) : rows), typed.get(statement)!), changes: 0 };
          }
          return { rows: [], changes: Number(statement.run(...params).changes) };
        },
        close: () => db.close(),
      };
    },
  };
}
