#!/usr/bin/env node
// Node entry: TypeScript sources run through tsx, so the same files run under Bun and Deno.
import { register } from "tsx/esm/api";

register();
globalThis[Symbol.for("strata.userModules")] = { tsx: true };
const { main } = await import("../src/cli/main.ts");
await main();
