// Node's entry for transform worker threads: TypeScript through tsx, as in bin/strata.mjs.
import { register } from "tsx/esm/api";

register();
globalThis[Symbol.for("strata.userModules")] = { tsx: true };
const { default: transformRows } = await import("../src/transform/worker.ts");
export default transformRows;
