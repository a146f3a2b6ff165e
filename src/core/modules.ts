import { errors, messageOf } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { hasKind, type Kind } from "../util/brand.ts";

/**
 * Imports a user file and returns the class it exports by default (or the one exported
 * class carrying the brand). Classes are recognised by the `Symbol.for("strata.kind")`
 * brand, so a file that loaded a second copy of strata still works.
 */
export async function loadUserClass(runtime: Runtime, file: string, displayFile: string, kind: Extract<Kind, "migration" | "seeder">, version?: string): Promise<new () => object> {
  let mod: Record<string, unknown>;
  try {
    mod = await runtime.importModule(file, version);
  } catch (error) {
    if (kind === "migration") throw errors.migrationInvalid(displayFile, `it could not be loaded: ${messageOf(error)}`, "Fix the error in the file (a syntax error or a failing import) and run again.");
    throw errors.seedFailed(displayFile, error);
  }
  const base = kind === "migration" ? "Migration" : "Seeder";
  const candidate = hasKind(mod.default, kind) ? mod.default : Object.values(mod).find((value) => hasKind(value, kind));
  if (typeof candidate !== "function") {
    const problem = `it does not export a class extending ${base} (export default class X extends ${base}, with ${base} imported from "strata").`;
    if (kind === "migration") throw errors.migrationInvalid(displayFile, problem);
    throw errors.seedFailed(displayFile, new Error(problem));
  }
  return candidate as new () => object;
}
