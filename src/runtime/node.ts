import { createRequire } from "node:module";
import { flushAndExit, onStopSignals, ignoreBrokenPipes } from "./exit.ts";
import type { Runtime, SqliteDatabase, SqliteOpenOptions } from "./runtime.ts";
import { decodeTyped, exactIntegers, typedColumns, type Row, type TypedColumns } from "./sqlite.ts";
import { fileURLToPath } from "node:url";
import { importNodeModule, strataModuleUrls } from "./user-modules.ts";

/** Created on first use: this module is evaluated on Bun and Deno too, where it is never used. */
const require = (id: string): unknown => createRequire(import.meta.url)(id);

interface LibsqlStatement {
  readonly reader: boolean;
  columns(): { name: string; type: string | null }[];
  safeIntegers(toggle: boolean): void;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number };
}
interface LibsqlDatabase {
  exec(sql: string): void;
  prepare(sql: string): LibsqlStatement;
  close(): void;
}

/** Node: process globals, tsx for TypeScript user files, `libsql` (better-sqlite3 API) for local SQLite. */
export function createNodeRuntime(): Runtime {
  return {
    name: "node",
    version: process.versions.node,
    env: (name) => process.env[name],
    argv: () => process.argv.slice(2),
    cwd: () => process.cwd(),
    exit: flushAndExit,
    onStopSignals,
    ignoreBrokenPipes,
    isTTY: (stream) => Boolean(process[stream].isTTY),
    write: (stream, text) => void process[stream].write(text),
    importModule: importNodeModule,
    transformWorker: () => ({ filename: new URL("../../bin/transform-worker.mjs", import.meta.url).href }),
    importBuiltinPlugins: () => importNodeModule(fileURLToPath(strataModuleUrls()["strata/plugins"])),
    async openSqlite(path: string, options: SqliteOpenOptions): Promise<SqliteDatabase> {
      const Database = require("libsql") as new (path: string, options: { readonly?: boolean; timeout?: number }) => LibsqlDatabase;
      const db = new Database(path, { readonly: options.readonly ?? false, timeout: options.timeoutMs ?? 5000 });
      // Statements are cached: migrations and history writes repeat the same SQL.
      const cache = new Map<string, { statement: LibsqlStatement; typed?: TypedColumns }>();
      const prepare = (sql: string) => {
        let s = cache.get(sql);
        if (!s) {
          s = { statement: db.prepare(sql) };
          if (cache.size > 200) cache.clear();
          cache.set(sql, s);
        }
        return s;
      };
      return {
        exec: (sql) => db.exec(sql),
        execute(sql, params, exact) {
          const cached = prepare(sql);
          const { statement } = cached;
          if (statement.reader) {
            statement.safeIntegers(exact);
            const rows = statement.all(params as unknown[]);
            cached.typed ??= typedColumns(statement.columns());
            return { rows: decodeTyped(exact ? exactIntegers(rows) : rows, cached.typed), changes: 0 };
          }
          return { rows: [], changes: statement.run(params as unknown[]).changes };
        },
        close: () => db.close(),
      };
    },
  };
}

