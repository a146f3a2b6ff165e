// Node's entry for `import { ... } from "strata"` in a project that installed strata: Node
// does not load TypeScript from node_modules, so tsx is registered first (as bin/strata.mjs
// does for the CLI). Bun and Deno load src/index.ts itself (package.json "bun"/"deno").
// The names are listed one by one, as in src/index.ts; test/runtime/library-entry.test.ts
// keeps the two lists equal.
const state = (globalThis[Symbol.for("strata.userModules")] ??= {});
if (!state.tsx) {
  const { register } = await import("tsx/esm/api");
  register();
  state.tsx = true;
}
const api = await import("../src/index.ts");

export const {
  Migration,
  Seeder,
  Migrator,
  Schema,
  defineConfig,
  definePlugin,
  abort,
  StrataError,
  ConfigError,
  UsageError,
  MigrationError,
  PluginError,
  LockError,
  describeUrl,
  redactSecrets,
  STRATA_VERSION,
} = api;
