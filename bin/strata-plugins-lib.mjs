// Node's entry for `import { ... } from "strata/plugins"` in a project that installed strata
// (see strata-lib.mjs): tsx first, then the built-in plugins, listed as in plugins/index.ts.
await import("./strata-lib.mjs");
const plugins = await import("../plugins/index.ts");

export const { backup, batching, notify } = plugins;
