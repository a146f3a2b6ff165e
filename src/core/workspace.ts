import { existsSync } from "node:fs";
import { join } from "node:path";
import type { StrataConfig } from "../config/define-config.ts";
import { resolveConfig, type ResolvedConfig } from "../config/environments.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import { validateConfig } from "../config/validate.ts";
import { errors } from "../errors.ts";
import { flattenPlugins, loadFolderPlugins } from "../hooks/loader.ts";
import { HookRunner } from "../hooks/runner.ts";
import { getRuntime, type Runtime } from "../runtime/runtime.ts";
import { discoverMigrations, type MigrationSource } from "./discover.ts";
import { discoveryCacheDir } from "./discovery-cache.ts";
import type { MigrationInstance } from "./executor.ts";
import { buildGraph, type Graph } from "./graph.ts";
import type { MigratorEvent, MigratorOptions } from "./engine.ts";
import { loadUserClass } from "./modules.ts";

/** The config for one environment, the plugins and their hook runner. */
export interface Settings {
  config: ResolvedConfig;
  runtime: Runtime;
  hooks: HookRunner;
}

/** Settings plus the migrations on disk and their graph. */
export interface Workspace extends Settings {
  migrations: MigrationSource[];
  ignored: string[];
  graph: Graph<MigrationSource>;
}

const NON_CONFIG_KEYS = new Set(["cwd", "configFile", "env", "url", "onEvent", "signal", "lockTimeout"]);

/**
 * The config (inline when options carry config keys, else strata.config.* or --config),
 * resolved for the environment, and the plugins from the config and the plugins/ folder.
 */
export async function loadSettings(o: MigratorOptions, emit: (event: MigratorEvent) => void): Promise<Settings> {
  const runtime = getRuntime();
  const cwd = o.cwd ?? runtime.cwd();
  const warn = (message: string) => emit({ event: "warning", message });
  if (!existsSync(cwd)) throw errors.usage(`The working directory ${cwd} does not exist.`, "Pass an existing folder as cwd.");
  if (o.lockTimeout !== undefined && !(typeof o.lockTimeout === "number" && Number.isFinite(o.lockTimeout) && o.lockTimeout >= 0)) {
    throw errors.configInvalid("lockTimeout", "a number of milliseconds ≥ 0", o.lockTimeout);
  }
  const inline = Object.keys(o).some((key) => !NON_CONFIG_KEYS.has(key));
  // An inline config with environments reads as the file would: url is the base their database names join.
  const urlIsBase = inline && o.environments !== undefined && o.url !== undefined;
  const loaded: LoadedConfig = inline
    ? { config: validateConfig({ ...stripApiKeys(o), ...(urlIsBase ? { url: o.url } : {}) }, undefined, warn), root: cwd }
    : await loadConfig({ cwd, ...(o.configFile !== undefined ? { file: o.configFile } : {}), runtime, warn });
  const config = resolveConfig(loaded, {
    ...(o.env !== undefined ? { env: o.env } : {}),
    ...(o.url !== undefined && !urlIsBase ? { url: o.url } : {}),
    ...(o.lockTimeout !== undefined ? { lockTimeoutMs: o.lockTimeout } : {}),
    vars: { DATABASE_URL: runtime.env("DATABASE_URL"), STRATA_ENV: runtime.env("STRATA_ENV"), NODE_ENV: runtime.env("NODE_ENV") },
  });
  if (config.knownEnvironments.length > 0 && !config.knownEnvironments.includes(config.environment)) {
    warn(`Environment "${config.environment}" is not defined in the config (defined: ${config.knownEnvironments.join(", ")}): only the top-level settings apply, on ${config.database.described}. Pass --env to pick one.`);
  }
  const folderPlugins = await loadFolderPlugins(join(config.root, "plugins"), (file) => runtime.importModule(file));
  const plugins = flattenPlugins([...config.plugins, ...folderPlugins], "project plugins");
  const hooks = new HookRunner(plugins, {
    environment: config.environment,
    onWarning: (w) => warn(`Plugin "${w.plugin}" failed in ${w.hook}: ${w.message}`),
    log: (plugin, message) => emit({ event: "plugin-log", plugin, message }),
  });
  return { config: { ...config, plugins }, runtime, hooks };
}

/** Reads the migrations folder and builds the graph; a module whose dependencies are computed is loaded to read them. */
export async function loadWorkspace(settings: Settings): Promise<Workspace> {
  const discovery = discoverMigrations(settings.config.migrationsDir, settings.config.root, discoveryCacheDir(settings.runtime));
  for (const source of discovery.migrations) {
    if (!source.staticallyKnown) await readDependencies(settings.runtime, source);
  }
  return { ...settings, migrations: discovery.migrations, ignored: discovery.ignored, graph: buildGraph(discovery.migrations) };
}

async function readDependencies(runtime: Runtime, source: MigrationSource): Promise<void> {
  const Class = await loadUserClass(runtime, source.file, source.displayFile, "migration", source.checksum);
  const deps = (new Class() as MigrationInstance).dependencies ?? [];
  if (!Array.isArray(deps) || deps.some((d) => typeof d !== "string")) throw errors.migrationInvalid(source.displayFile, "dependencies must be an array of migration ids or class names.");
  (source as { dependencies: readonly string[] }).dependencies = deps as string[];
}

function stripApiKeys(options: MigratorOptions): StrataConfig {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!NON_CONFIG_KEYS.has(key)) config[key] = value;
  return config as StrataConfig;
}
