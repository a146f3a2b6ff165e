import type { TestProject } from "vitest/node";
import { probeServer, SERVERS_REQUIRED, type ServerName } from "./servers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    servers: Record<ServerName, string | null>;
  }
}

/** Probes PostgreSQL and MariaDB once; tests read the result with inject("servers"). */
export default async function setup(project: TestProject) {
  const servers: Record<ServerName, string | null> = { postgres: null, mysql: null };
  for (const name of ["postgres", "mysql"] as const) {
    const problem = await probeServer(name);
    servers[name] = problem ?? null;
    if (problem) {
      const message = `${name} is not reachable (${problem}); its tests are skipped.`;
      if (SERVERS_REQUIRED) throw new Error(`STRATA_REQUIRE_SERVERS=1 but ${message.replace("; its tests are skipped.", ".")}`);
      console.warn(`\n[strata tests] ${message}\n`);
    }
  }
  project.provide("servers", servers);
}
