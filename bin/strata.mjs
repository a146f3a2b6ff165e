#!/usr/bin/env node
// The CLI from source. Node runs the TypeScript through tsx; Bun and Deno run it natively
// (Deno with --config pointing at this package's deno.json, for the "strata" import map).
if (typeof globalThis.Bun === "undefined" && typeof globalThis.Deno === "undefined") {
  const { register } = await import("tsx/esm/api");
  register();
  globalThis[Symbol.for("strata.userModules")] = { tsx: true };
}
const { main } = await import("../src/cli/main.ts");
await main();
