/**
 * The compiled binary's entry: the Bun runtime with the binary's own "strata" and
 * "strata/plugins" modules, so user files on disk import the very classes the engine uses.
 * transform-worker.ts and entry/worker.ts are built in beside it, for worker threads.
 */
import { createBunRuntime } from "../../src/runtime/bun.ts";
import { setRuntime } from "../../src/runtime/runtime.ts";
import { main } from "../../src/cli/main.ts";

setRuntime(
  createBunRuntime(
    { strata: () => import("../../src/index.ts"), "strata/plugins": () => import("../../plugins/index.ts") },
    new URL("./transform-worker.ts", import.meta.url).href,
  ),
);
void main();
