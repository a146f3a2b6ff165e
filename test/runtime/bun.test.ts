import { it } from "vitest";
import { forEachDialect } from "../helpers/databases.ts";
import { sourceRun } from "./scenario.ts";

// `bun bin/strata.mjs`: TypeScript natively, "strata" as a virtual module, bun:sqlite.
forEachDialect((dialect) => {
  it("bun runs the CLI from source: up, status, seed and down on a project with a transform and a plugin", () => sourceRun("bun", dialect));
});
