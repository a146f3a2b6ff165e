import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

/**
 * `npm run test:e2e`: the compiled binary, built once (setup-binary.ts), copied alone into
 * temporary projects and run there without node or bun on PATH; and the package installed
 * into a fresh project as a dependency. Not part of `npm test` (it builds, and installs).
 */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  resolve: {
    alias: {
      "strata/plugins": fileURLToPath(new URL("../../plugins/index.ts", import.meta.url)),
      strata: fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts", "test/e2e/setup-binary.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
