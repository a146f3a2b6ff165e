// tinypool starts its threads from "entry/worker.js" beside its own module; in the binary
// that module is strata.js at the root, so tinypool's worker entry is built in here.
import "../../../node_modules/tinypool/dist/entry/worker.js";
