import { definePlugin, type HookName, type HookPayloads, type Plugin, type PluginHooks } from "../../src/index.ts";
import { HOOK_NAMES } from "../../src/hooks/types.ts";

export interface Call {
  plugin: string;
  hook: HookName;
  payload: any;
}

/**
 * A real plugin that records every hook call into `calls`. `override` replaces the handler
 * of some hooks (after recording), e.g. to abort or throw.
 */
export function recorder(
  name: string,
  calls: Call[],
  options: { enforce?: "pre" | "post"; only?: readonly HookName[]; order?: Partial<Record<HookName, "pre" | "post">>; override?: { [K in HookName]?: (payload: HookPayloads[K]) => void | Promise<void> } } = {},
): Plugin {
  const hooks: Record<string, unknown> = {};
  for (const hook of options.only ?? HOOK_NAMES) {
    const handler = async (payload: unknown) => {
      calls.push({ plugin: name, hook, payload });
      await (options.override?.[hook] as ((p: unknown) => unknown) | undefined)?.(payload);
    };
    const order = options.order?.[hook];
    hooks[hook] = order ? { handler, order } : handler;
  }
  return definePlugin({ name, ...(options.enforce ? { enforce: options.enforce } : {}), hooks: hooks as PluginHooks });
}

/** [hook, migration id or direction] of each call, for order checks. */
export function sequence(calls: readonly Call[]): string[] {
  return calls.map((c) => (c.payload && typeof c.payload.id === "string" ? `${c.hook} ${c.payload.id}` : c.hook));
}
