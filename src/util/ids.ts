/**
 * Migration ids: `<14-digit UTC version>_<snake_case name>`, the file name without its
 * extension. The version orders ties in the dependency graph.
 */
export const VERSION_PATTERN = /^(\d{14})_([a-z0-9][a-z0-9_]*)$/;
/** dbmate's rule: any file name that starts with digits; they are the version. */
const LOOSE_ID = /^(\d+)[-_.]?(.*)$/;

export interface ParsedId {
  id: string;
  version: string;
  name: string;
}

/**
 * Splits a file stem into version and name; accepts any digit-prefixed stem, as dbmate
 * does (`001_init`, `0002-add-users`, `20240101`). The name is what follows the digits and
 * one separator, or the whole stem when nothing does.
 */
export function parseMigrationId(stem: string): ParsedId | undefined {
  const m = LOOSE_ID.exec(stem);
  if (!m) return undefined;
  return { id: stem, version: m[1], name: m[2] || stem };
}

/** A 14-digit UTC timestamp, strictly after `after` when given (two `strata new` in one second). */
export function createVersion(now: Date = new Date(), after?: string): string {
  const version = formatVersion(now);
  if (!after || version > after || !/^\d{14}$/.test(after)) return version;
  // The newest version is now or later: one second after it, still a valid timestamp.
  const latest = Date.UTC(+after.slice(0, 4), +after.slice(4, 6) - 1, +after.slice(6, 8), +after.slice(8, 10), +after.slice(10, 12), +after.slice(12, 14));
  return formatVersion(new Date(latest + 1000));
}

function formatVersion(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return pad(date.getUTCFullYear(), 4) + pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) + pad(date.getUTCHours()) + pad(date.getUTCMinutes()) + pad(date.getUTCSeconds());
}

/** `AddUserProfile`, `add user profile`, `add-user-profile` -> `add_user_profile`. */
export function toSnakeCase(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** `add_user_profile` -> `AddUserProfile` (class names in generated files). */
export function toPascalCase(snake: string): string {
  const pascal = snake
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
  return /^[0-9]/.test(pascal) ? `M${pascal}` : pascal;
}
