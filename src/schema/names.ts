import { shortHash } from "../util/checksum.ts";

/**
 * Generated index and constraint names, the same on every dialect so introspected schemas
 * compare. PostgreSQL cuts identifiers at 63 bytes; a longer generated name is shortened
 * with a hash suffix so it stays unique and stable.
 */
export const MAX_GENERATED_NAME = 63;

export type NameSuffix = "idx" | "key" | "fkey" | "check" | "pkey";

export function generatedName(table: string, columns: readonly string[], suffix: NameSuffix): string {
  const full = [table, ...columns, suffix].join("_");
  if (Buffer.byteLength(full) <= MAX_GENERATED_NAME) return full;
  const hash = shortHash(full);
  let head = full;
  while (Buffer.byteLength(`${head}_${hash}`) > MAX_GENERATED_NAME) head = head.slice(0, -1);
  return `${head}_${hash}`;
}
