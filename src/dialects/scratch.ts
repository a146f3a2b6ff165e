import { randomBytes } from "node:crypto";
import type { ConnectionOptions } from "./dialect.ts";

/** Scratch databases for `strata verify` on servers (PostgreSQL, MySQL): `<database>_verify_<random>`, cut to the identifier limit. */
export function scratchName(database: string, max: number): string {
  const suffix = `_verify_${randomBytes(4).toString("hex")}`;
  return `${database.slice(0, max - suffix.length)}${suffix}`;
}

/** The connection URL with another database name, and its description. */
export function withDatabase(options: ConnectionOptions, name: string): { url: string; described: string } {
  const swap = (url: string) => {
    const parsed = new URL(url);
    parsed.pathname = `/${encodeURIComponent(name)}`;
    return parsed.href;
  };
  return { url: swap(options.url), described: swap(options.described) };
}
