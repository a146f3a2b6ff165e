/**
 * The binary's transform worker thread: the same runtime as the main thread (user files
 * import the binary's own "strata"), then the row function task.
 */
import { createBunRuntime } from "../../src/runtime/bun.ts";
import { setRuntime } from "../../src/runtime/runtime.ts";

setRuntime(createBunRuntime({ strata: () => import("../../src/index.ts"), "strata/plugins": () => import("../../plugins/index.ts") }));

export { default } from "../../src/transform/worker.ts";
