import { describe, expect, it } from "vitest";
import { checksumText } from "../../src/util/checksum.ts";

describe("checksumText", () => {
  it("ignores CRLF versus LF and a BOM", () => {
    expect(checksumText("a\r\nb\r\n")).toBe(checksumText("a\nb\n"));
    expect(checksumText("\uFEFFa\nb")).toBe(checksumText("a\nb"));
  });

  it("keeps line structure: two lines joined into one is a change", () => {
    expect(checksumText("select 1;\nselect 2;")).not.toBe(checksumText("select 1;select 2;"));
    expect(checksumText("a\nb")).not.toBe(checksumText("a b"));
  });
});
