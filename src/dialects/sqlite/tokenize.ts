/**
 * A small SQL tokenizer for the statements SQLite stores in sqlite_master: identifiers in
 * "x", `x` and [x] quotes, strings and blobs, numbers, comments, and parenthesis groups.
 */
export interface Token {
  readonly kind: "word" | "quoted" | "string" | "blob" | "number" | "punct";
  readonly text: string;
  /** Identifier or string value, quotes removed. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const CLOSERS: Record<string, string> = { '"': '"', "`": "`", "[": "]" };

/** Splits SQL into tokens, skipping whitespace and comments. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (ch === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === "'" || ((ch === "x" || ch === "X") && sql[i + 1] === "'")) {
      const open = ch === "'" ? i : i + 1;
      const end = quotedEnd(sql, open, "'");
      const body = sql.slice(open + 1, end - 1).replace(/''/g, "'");
      out.push({ kind: ch === "'" ? "string" : "blob", text: sql.slice(i, end), value: body, start: i, end });
      i = end;
    } else if (ch in CLOSERS) {
      const close = CLOSERS[ch];
      const end = quotedEnd(sql, i, close);
      const body = sql.slice(i + 1, end - 1);
      const value = close === "]" ? body : body.split(close + close).join(close);
      out.push({ kind: "quoted", text: sql.slice(i, end), value, start: i, end });
      i = end;
    } else if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const m = /^(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)/i.exec(sql.slice(i))!;
      out.push({ kind: "number", text: m[0], value: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (isWordChar(ch)) {
      let j = i + 1;
      while (j < n && (isWordChar(sql[j]) || /[0-9$]/.test(sql[j]))) j++;
      out.push({ kind: "word", text: sql.slice(i, j), value: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      out.push({ kind: "punct", text: ch, value: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

function isWordChar(ch: string): boolean {
  return /[A-Za-z_]/.test(ch) || ch.charCodeAt(0) >= 0x80;
}

function quotedEnd(sql: string, open: number, close: string): number {
  let j = open + 1;
  while (j < sql.length) {
    if (sql[j] === close) {
      if (close !== "]" && sql[j + 1] === close) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

/** The keyword a token spells, lowercase; "" for quoted identifiers, strings and punctuation. */
export function keyword(token: Token | undefined): string {
  return token?.kind === "word" ? token.text.toLowerCase() : "";
}

export function isPunct(token: Token | undefined, ch: string): boolean {
  return token?.kind === "punct" && token.text === ch;
}

/** Index just past the parenthesis group opening at `open`. */
export function skipGroup(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isPunct(tokens[k], "(")) depth++;
    else if (isPunct(tokens[k], ")") && --depth === 0) return k + 1;
  }
  return tokens.length;
}

/** Splits tokens[from, to) at commas outside parentheses. */
export function splitTopLevel(tokens: readonly Token[], from: number, to: number): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    if (isPunct(t, "(")) depth++;
    if (isPunct(t, ")")) depth--;
    if (depth === 0 && isPunct(t, ",")) {
      items.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length) items.push(current);
  return items;
}

/** Whether `text` (an expression) names the identifier `name`, case-insensitively as SQLite does. */
export function mentionsIdentifier(text: string, name: string): boolean {
  const wanted = name.toLowerCase();
  return tokenize(text).some((t) => (t.kind === "word" || t.kind === "quoted") && t.value.toLowerCase() === wanted);
}
