import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { errors, messageOf } from "../errors.ts";
import type { Plugin, PluginCommand } from "./define-plugin.ts";
import { HOOK_NAMES, type HookName } from "./types.ts";

const PLUGIN_FILE = /^[^._][^/]*\.(ts|mts|js|mjs)$/;

/** Where each plugin object was first found (a config entry, a file of plugins/), for messages. */
const ORIGIN = new WeakMap<object, string>();

/**
 * The `plugins` list as Vite reads it: falsy entries skipped, nested arrays flattened,
 * each entry checked to be a plugin with a name and known hooks.
 */
export function flattenPlugins(input: unknown, where: string): Plugin[] {
  const out: Plugin[] = [];
  const visit = (value: unknown, path: string) => {
    if (!value) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`));
      return;
    }
    const origin = (typeof value === "object" && ORIGIN.get(value)) || path;
    const plugin = checkPlugin(value, origin);
    ORIGIN.set(plugin, origin);
    out.push(plugin);
  };
  visit(input, where);
  const seen = new Map<string, Plugin>();
  for (const plugin of out) {
    const first = seen.get(plugin.name);
    if (first) throw errors.pluginInvalid(`"${plugin.name}" (${ORIGIN.get(first)} and ${ORIGIN.get(plugin)})`, "two plugins have this name; names identify plugins in messages and must be unique.");
    seen.set(plugin.name, plugin);
  }
  return out;
}

function checkPlugin(value: unknown, where: string): Plugin {
  if (typeof value === "function") throw errors.pluginInvalid(where, "is a function; call the plugin factory, e.g. notify({ ... }) instead of notify.");
  if (typeof value !== "object") throw errors.pluginInvalid(where, `is ${typeof value}, expected an object.`);
  const plugin = value as Partial<Plugin>;
  if (typeof plugin.name !== "string" || plugin.name === "") throw errors.pluginInvalid(where, 'has no "name".');
  const named = `"${plugin.name}" (${where})`;
  if (plugin.hooks !== undefined && (typeof plugin.hooks !== "object" || plugin.hooks === null)) throw errors.pluginInvalid(named, '"hooks" must be an object of hook name -> function.');
  for (const [hook, entry] of Object.entries(plugin.hooks ?? {})) {
    if (!HOOK_NAMES.includes(hook as HookName)) throw errors.pluginInvalid(named, `hook "${hook}" does not exist; hooks: ${HOOK_NAMES.join(", ")}.`);
    const handler = typeof entry === "function" ? entry : (entry as { handler?: unknown } | undefined)?.handler;
    if (typeof handler !== "function") throw errors.pluginInvalid(named, `hook "${hook}" must be a function or { handler, order }.`);
    const order = typeof entry === "function" ? undefined : (entry as { order?: unknown }).order;
    if (order !== undefined && order !== "pre" && order !== "post") throw errors.pluginInvalid(named, `hook "${hook}": order must be "pre" or "post".`);
  }
  if (plugin.enforce !== undefined && plugin.enforce !== "pre" && plugin.enforce !== "post") throw errors.pluginInvalid(named, 'enforce must be "pre" or "post".');
  if (plugin.commands !== undefined && !Array.isArray(plugin.commands)) throw errors.pluginInvalid(named, '"commands" must be an array.');
  for (const command of plugin.commands ?? []) {
    const name = (command as Partial<PluginCommand> | undefined)?.name;
    if (typeof name !== "string" || !/^[a-z][a-z0-9:-]*$/.test(name)) throw errors.pluginInvalid(named, `command name ${JSON.stringify(name)} must be lower-case letters, digits, "-" or ":", starting with a letter.`);
    if (typeof command.run !== "function") throw errors.pluginInvalid(named, `command "${name}" has no run() function.`);
  }
  return { ...plugin, hooks: plugin.hooks ?? {} } as Plugin;
}

/**
 * Plugins in the project's `plugins/` folder: each file whose default export is a plugin
 * (or an array of them). Files without a default export are helpers and are skipped.
 */
export async function loadFolderPlugins(dir: string, importModule: (file: string) => Promise<Record<string, unknown>>): Promise<Plugin[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && PLUGIN_FILE.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => e.name)
    .sort();
  const plugins: Plugin[] = [];
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(join(dir, file));
    } catch (error) {
      throw errors.pluginInvalid(`plugins/${file}`, `could not be loaded: ${messageOf(error)}`);
    }
    if (mod.default === undefined) continue;
    plugins.push(...flattenPlugins(mod.default, `plugins/${file}`));
  }
  return plugins;
}
