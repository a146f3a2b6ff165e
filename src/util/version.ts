/** strata's version; a test keeps it equal to package.json's. The build stamps commit and target. */
export const STRATA_VERSION = "0.1.0";

export interface BuildInfo {
  version: string;
  commit?: string;
  target: string;
}

declare const __STRATA_BUILD__: { commit?: string; target?: string } | undefined;

export function buildInfo(runtimeName: string): BuildInfo {
  const stamped = typeof __STRATA_BUILD__ === "undefined" ? undefined : __STRATA_BUILD__;
  return {
    version: STRATA_VERSION,
    ...(stamped?.commit ? { commit: stamped.commit } : {}),
    target: stamped?.target ?? `${runtimeName}-source`,
  };
}
