/**
 * Built-in plugins ("strata/plugins"), written only against the public API in "strata".
 */
export { backup } from "./backup/index.ts";
export type { BackupOptions } from "./backup/index.ts";
export { batching } from "./batching/index.ts";
export type { BatchingOptions } from "./batching/index.ts";
export { notify } from "./notification/index.ts";
export type { NotifyOptions } from "./notification/index.ts";
