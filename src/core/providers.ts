import { errors } from "../errors.ts";
import type { Plugin } from "../hooks/define-plugin.ts";
import type { Runtime } from "../runtime/runtime.ts";

/**
 * What a plugin provides (backups, the batching policy): from the one configured plugin
 * that has it, else from the built-in plugin of that name, loaded only now.
 */
export async function provided<K extends "backup" | "batching">(plugins: readonly Plugin[], runtime: Runtime, key: K): Promise<NonNullable<Plugin[K]>> {
  const providers = plugins.filter((p) => p[key]);
  if (providers.length > 1) throw errors.pluginInvalid(providers.map((p) => `"${p.name}"`).join(" and "), `more than one plugin provides ${key}; keep one.`);
  if (providers[0]) return providers[0][key]!;
  const builtins = await runtime.importBuiltinPlugins();
  const builtin = (builtins[key] as (() => Plugin) | undefined)?.()[key];
  if (!builtin) throw errors.pluginInvalid(`"${key}"`, `no plugin provides ${key}, and the built-in one could not be loaded.`);
  return builtin;
}
