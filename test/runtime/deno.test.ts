import { it } from "vitest";
import { forEachDialect } from "../helpers/databases.ts";
import { sourceRun } from "./scenario.ts";

// `deno run -A --config deno.json bin/strata.mjs`: the import map in deno.json, node:sqlite.
forEachDialect((dialect) => {
  it("deno runs the CLI from source: up, status, seed and down on a project with a transform and a plugin", () => sourceRun("deno", dialect));
});
