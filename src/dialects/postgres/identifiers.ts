import { skipBlockComment, skipDollarQuoted, skipLine, skipQuoted } from "../split-statements.ts";

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * The identifiers of SQL text longer than `maxBytes` (UTF-8), as written: PostgreSQL cuts
 * them to NAMEDATALEN - 1 bytes with only a NOTICE, so `create table <70 chars>` makes a
 * table of another name. Words and "quoted" names count; strings, comments and
 * dollar-quoted bodies do not (a long word there is text, not a name).
 */
export function longIdentifiers(sql: string, maxBytes: number): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "-" && next === "-") i = skipLine(sql, i);
    else if (ch === "/" && next === "*") i = skipBlockComment(sql, i, true); // PostgreSQL block comments nest
    else if (ch === "'") i = skipQuoted(sql, i, "'", /[eE]/.test(sql[i - 1] ?? "") && !WORD.test(sql[i - 2] ?? ""));
    else if (ch === '"') {
      const end = skipQuoted(sql, i, '"', false);
      const name = sql.slice(i + 1, end - 1).replace(/""/g, '"');
      // U&"\0061..." is measured after its escapes, which this does not decode: left alone.
      const unicode = sql[i - 1] === "&" && /[uU]/.test(sql[i - 2] ?? "");
      if (!unicode && Buffer.byteLength(name) > maxBytes) found.push(name);
      i = end;
    } else if (ch === "$" && !WORD.test(sql[i - 1] ?? "")) i = skipDollarQuoted(sql, i) ?? i + 1;
    else if (WORD_START.test(ch) && !WORD.test(sql[i - 1] ?? "")) {
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end])) end++;
      const word = sql.slice(i, end);
      if (Buffer.byteLength(word) > maxBytes) found.push(word);
      i = end;
    } else i++;
  }
  return found;
}
