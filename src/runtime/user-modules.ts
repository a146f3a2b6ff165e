import { register } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * Importing user files on Node. Inside them `"strata"` and `"strata/plugins"` resolve to
 * the running core's own modules (a resolve hook maps the bare specifiers), so user
 * classes extend the very `Migration` the engine checks. TypeScript goes through tsx.
 */
const STATE = Symbol.for("strata.userModules");
type State = { hooked?: boolean; tsx?: boolean };

function state(): State {
  const g = globalThis as unknown as Record<symbol, State | undefined>;
  return (g[STATE] ??= {});
}

/** URLs of the running core's public entry points. */
export function strataModuleUrls(): Record<string, string> {
  return {
    strata: new URL("../index.ts", import.meta.url).href,
    "strata/plugins": new URL("../../plugins/index.ts", import.meta.url).href,
  };
}

const HOOK_SOURCE = `
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
let map = {};
export async function initialize(data) { map = data.map; }
// A user's .js file written as an ES module (import/export, no require or module.exports).
function isEsmSource(url) {
  try {
    const text = readFileSync(fileURLToPath(url.replace(/[?#].*$/, "")), "utf8");
    return /^\\s*(import|export)\\s/m.test(text) && !/\\bmodule\\.exports\\b|\\brequire\\(/.test(text);
  } catch {
    return false;
  }
}
export async function resolve(specifier, context, next) {
  const target = map[specifier];
  // Resolved by the next hook (tsx) as if written as a file URL, so it loads it too.
  const resolved = await next(target ?? specifier, context);
  if (!resolved.url.startsWith("file:") || resolved.url.includes("/node_modules/")) return resolved;
  // User files are ES modules whatever the nearest package.json says: compiled to CommonJS,
  // "strata" could not resolve (Node 20: "Cannot require() ES Module ... in a cycle").
  const path = resolved.url.replace(/[?#].*$/, "");
  if (/\\.(ts|tsx|mts)$/.test(path) || (/\\.js$/.test(path) && isEsmSource(resolved.url))) return { ...resolved, format: "module" };
  return resolved;
}`;

/** Marks tsx as already registered by the process entry (bin/strata.mjs). */
export function markTsxRegistered(): void {
  state().tsx = true;
}

async function ensureHooks(needsTypeScript: boolean): Promise<void> {
  const s = state();
  if (needsTypeScript && !s.tsx) {
    const tsx = await import("tsx/esm/api");
    tsx.register();
    s.tsx = true;
  }
  if (!s.hooked) {
    // Registered after tsx so it runs first: hooks registered later are called first.
    register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, { data: { map: strataModuleUrls() } });
    s.hooked = true;
  }
}

export async function importNodeModule(file: string, version?: string): Promise<Record<string, unknown>> {
  await ensureHooks(/\.[cm]?tsx?$/.test(file));
  return (await import(versioned(pathToFileURL(file).href, version))) as Record<string, unknown>;
}

/** `file:///x.ts?strata-version=<checksum>`: a changed file is a new module; an unchanged one stays cached. */
export function versioned(url: string, version: string | undefined): string {
  return version ? `${url}?strata-version=${version.slice(0, 16)}` : url;
}
