import { createHash } from "node:crypto";

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
  return createHash("sha256").update(text).digest("hex");
}

export function shortHash(text: string, length = 8): string {
  return sha256(text).slice(0, length);
}
