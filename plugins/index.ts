/**
 * Built-in plugins ("strata/plugins"), written only against the public API in "strata".
 */
export {};
