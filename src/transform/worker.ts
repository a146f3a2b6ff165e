import type { Row } from "../runtime/sqlite.ts";
import { getRuntime } from "../runtime/runtime.ts";
import { hasKind } from "../util/brand.ts";

/**
 * The row function's side: a worker thread imports the migration file and calls the
 * method on each row of a chunk. Its own entry in the compiled binary; it imports only
 * runtime/, util/ and the user's file.
 */
export interface RowTask {
  file: string;
  version: string;
  method: string;
  keys: string[];
  rows: Row[];
}

type RowFunction = (row: Row) => unknown;

const instances = new Map<string, Record<string, unknown>>();

/** The migration instance whose method transforms rows (one per file version and thread). */
export async function loadInstance(file: string, version: string): Promise<Record<string, unknown>> {
  const cached = instances.get(`${file}@${version}`);
  if (cached) return cached;
  const mod = await getRuntime().importModule(file, version);
  const Class = hasKind(mod.default, "migration") ? mod.default : Object.values(mod).find((value) => hasKind(value, "migration"));
  if (typeof Class !== "function") throw new Error(`${file} does not export a class extending Migration.`);
  const instance = new (Class as new () => Record<string, unknown>)();
  instances.set(`${file}@${version}`, instance);
  return instance;
}

/**
 * Applies the method to each row: an object of columns to write, or null to leave the row.
 * A row that throws fails the chunk, the error naming the row by its key.
 */
export async function applyRows(instance: Record<string, unknown>, method: string, keys: readonly string[], rows: readonly Row[]): Promise<(Row | null)[]> {
  const fn = instance[method];
  if (typeof fn !== "function") throw new Error(`The migration has no method "${method}" to transform rows with.`);
  const out: (Row | null)[] = [];
  for (const row of rows) {
    let result: unknown;
    try {
      result = await (fn as RowFunction).call(instance, row);
    } catch (error) {
      const key = keys.map((k) => `${k}=${JSON.stringify(row[k], (_n, v) => (typeof v === "bigint" ? v.toString() : v))}`).join(", ");
      throw new Error(`row ${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result !== undefined && result !== null && (typeof result !== "object" || Array.isArray(result))) {
      throw new Error(`${method}() must return an object of columns to write, or undefined; it returned ${typeof result}.`);
    }
    out.push((result as Row | null | undefined) ?? null);
  }
  return out;
}

/**
 * The worker's task (tinypool calls the default export). Errors cross back to the main
 * thread as plain messages: an error with a cause or extra fields may not be cloneable.
 */
export default async function transformRows(task: RowTask): Promise<(Row | null)[]> {
  try {
    return await applyRows(await loadInstance(task.file, task.version), task.method, task.keys, task.rows);
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
}
