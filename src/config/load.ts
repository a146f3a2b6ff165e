import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { errors, isStrataError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { validateConfig, type NormalizedConfig } from "./validate.ts";

export const CONFIG_FILES = ["strata.config.ts", "strata.config.mts", "strata.config.js", "strata.config.mjs", "strata.config.cjs", "strata.config.json"];

export interface LoadedConfig {
  config: NormalizedConfig;
  /** The config file, or undefined when none exists (defaults apply). */
  file?: string;
  /** The project root: the config file's folder, else the working directory. */
  root: string;
}

/** Finds and loads the config: `--config <file>`, else strata.config.* in the working directory. */
export async function loadConfig(options: { cwd: string; file?: string; runtime: Runtime; warn: (m: string) => void }): Promise<LoadedConfig> {
  let file: string | undefined;
  if (options.file !== undefined) {
    if (options.file.trim() === "") throw errors.emptySetting("--config", "a config file path");
    file = isAbsolute(options.file) ? options.file : resolve(options.cwd, options.file);
    if (!existsSync(file)) throw errors.configNotFound(file);
  } else {
    const found = CONFIG_FILES.map((name) => resolve(options.cwd, name)).filter((f) => existsSync(f));
    file = found[0];
    if (found.length > 1) options.warn(`Several config files: ${basename(found[0])} is used, ${found.slice(1).map((f) => basename(f)).join(", ")} ignored.`);
  }
  if (!file) return { config: validateConfig({}, undefined, options.warn), root: options.cwd };
  const raw = await readConfigFile(file, options.runtime);
  return { config: validateConfig(raw, basename(file), options.warn), file, root: dirname(file) };
}

async function readConfigFile(file: string, runtime: Runtime): Promise<unknown> {
  try {
    if (file.endsWith(".json")) return JSON.parse(readFileSync(file, "utf8"));
    const mod = await runtime.importModule(file);
    if (!("default" in mod)) throw errors.configLoadFailed(basename(file), new Error("it has no default export"));
    let value = mod.default;
    // A CommonJS config imported as ESM arrives as { default: module.exports }.
    if (value && typeof value === "object" && "default" in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
    if (typeof value === "function") value = await (value as () => unknown)();
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw errors.configLoadFailed(basename(file), new Error(`its default export is ${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}, not an object`));
    return value;
  } catch (error) {
    if (isStrataError(error)) throw error;
    throw errors.configLoadFailed(basename(file), error);
  }
}
