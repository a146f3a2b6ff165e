import { createRequire } from "node:module";

/**
 * Checksum of a migration file's text. CRLF becomes LF and a leading BOM is dropped, so a
 * checkout on Windows does not look like an edit; line structure is kept, so joining two
 * lines into one does change the checksum.
 */
export function checksumText(text: string): string {
  return sha256(normalizeText(text));
}

export function normalizeText(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.replace(/\r\n?/g, "\n");
}

export function sha256(text: string | Uint8Array): string {
  return crypto().createHash("sha256").update(text).digest("hex");
}

let loaded: typeof import("node:crypto") | undefined;

/** node:crypto on first use: on Bun it loads the stream machinery, ~5 ms a `status` from the cache never needs. */
function crypto(): typeof import("node:crypto") {
  return (loaded ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto"));
}

export function shortHash(text: string, length = 8): string {
  return sha256(text).slice(0, length);
}
