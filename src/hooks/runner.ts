import { errors, messageOf } from "../errors.ts";
import { isAbort, type HookEntry, type HookHandler, type Plugin } from "./define-plugin.ts";
import { BLOCKING_HOOKS, type HookContext, type HookName, type HookPayloads } from "./types.ts";

export interface HookWarning {
  plugin: string;
  hook: HookName;
  message: string;
}

interface Registered {
  plugin: string;
  handler: HookHandler<HookName>;
  rank: number;
}

const ORDER_RANK = { pre: 0, normal: 1, post: 2 } as const;

/**
 * Calls hooks in a defined order: by the hook's `order` (pre, normal, post), then the
 * plugin's `enforce`, then plugin order in the config, as Rollup and Vite do. Before-hooks
 * may abort; after-hooks are isolated: their errors become warnings.
 */
export class HookRunner {
  readonly plugins: readonly Plugin[];
  readonly #byHook = new Map<HookName, Registered[]>();
  readonly #environment: string;
  readonly #onWarning: (warning: HookWarning) => void;
  readonly #log: (plugin: string, message: string) => void;

  constructor(plugins: readonly Plugin[], options: { environment: string; onWarning: (w: HookWarning) => void; log: (plugin: string, message: string) => void }) {
    this.plugins = plugins;
    this.#environment = options.environment;
    this.#onWarning = options.onWarning;
    this.#log = options.log;
    plugins.forEach((plugin, index) => {
      const enforce = ORDER_RANK[plugin.enforce ?? "normal"];
      for (const [name, entry] of Object.entries(plugin.hooks ?? {}) as [HookName, HookEntry<HookName> | undefined][]) {
        if (!entry) continue;
        const handler = typeof entry === "function" ? entry : entry.handler;
        const order = typeof entry === "function" ? "normal" : (entry.order ?? "normal");
        const list = this.#byHook.get(name) ?? [];
        list.push({ plugin: plugin.name, handler, rank: ORDER_RANK[order] * 1e6 + enforce * 1e4 + index });
        this.#byHook.set(name, list);
      }
    });
    for (const list of this.#byHook.values()) list.sort((a, b) => a.rank - b.rank);
  }

  has(name: HookName): boolean {
    return (this.#byHook.get(name)?.length ?? 0) > 0;
  }

  /** Plugin names using each hook, in call order (for `strata plugins`). */
  hooksOf(plugin: string): HookName[] {
    return [...this.#byHook.entries()].filter(([, list]) => list.some((r) => r.plugin === plugin)).map(([name]) => name);
  }

  async call<K extends HookName>(name: K, payload: HookPayloads[K]): Promise<void> {
    const list = this.#byHook.get(name);
    if (!list) return;
    const blocking = BLOCKING_HOOKS.has(name);
    for (const { plugin, handler } of list) {
      const context: HookContext = { plugin, environment: this.#environment, log: (message) => this.#log(plugin, message) };
      try {
        await (handler as HookHandler<K>)(structuredClone(payload), context);
      } catch (error) {
        if (blocking) {
          if (isAbort(error)) throw errors.pluginAborted(plugin, name, error.message);
          throw errors.pluginFailed(plugin, name, error);
        }
        this.#onWarning({ plugin, hook: name, message: messageOf(error) });
      }
    }
  }
}
