/**
 * Splits a SQL script into statements at `;`, outside quotes, comments, PostgreSQL dollar
 * quotes and BEGIN...END bodies of triggers, procedures and functions (and MariaDB's
 * anonymous `BEGIN NOT ATOMIC ... END` blocks). MySQL's
 * `DELIMITER` client command is honoured, as the mysql client does.
 */
export interface SplitOptions {
  /** MySQL: `\'` escapes inside strings. */
  backslashEscapes?: boolean;
  /** MySQL: `#` starts a comment. */
  hashComments?: boolean;
  /** PostgreSQL: `$tag$ ... $tag$` strings. */
  dollarQuotes?: boolean;
  /** PostgreSQL: `E'...'` strings, where `\'` escapes a quote (other strings take none). */
  escapeStrings?: boolean;
  /** MySQL: `DELIMITER //` lines. */
  delimiterCommand?: boolean;
  /** PostgreSQL: block comments nest (`/* a /* b *\/ c *\/`). */
  nestedComments?: boolean;
  /** MySQL: version comments (`/*!40101 SET ...` and `/*M!100100 ...`, as mysqldump writes them) are statements the server runs. */
  executableComments?: boolean;
}

const COMPOUND_START = /^\s*(?:create\s+(?:or\s+replace\s+)?(?:temp\s+|temporary\s+)?(?:definer\s*=\s*\S+\s+)?(?:trigger|procedure|function|event)\b|begin\s+not\s+atomic\b)/i;
const OPENERS = new Set(["begin", "case", "if", "loop", "while", "repeat"]);
/**
 * MySQL's IF, LOOP, WHILE and REPEAT open a block only as a statement, after one of these
 * tokens; elsewhere `IF(...)` and `REPEAT(...)` are functions and `IF [NOT] EXISTS` belongs
 * to DDL (`DROP TABLE IF EXISTS`, `CREATE TRIGGER IF NOT EXISTS`). `IF (cond) THEN` and
 * `IF NOT EXISTS (subquery) THEN` are statements too: the position decides, not the parenthesis.
 */
const STATEMENT_OPENERS = new Set(["if", "loop", "while", "repeat"]);
/**
 * Tokens after which a statement starts inside a body: `;`, a label's `:`, the block
 * keywords; the start of a body without BEGIN, after `FOR EACH ROW`, a routine's parameter
 * list `)` or its characteristics (DETERMINISTIC, NO SQL, MODIFIES SQL DATA, SQL SECURITY
 * DEFINER); and a handler's condition (`DECLARE ... HANDLER FOR NOT FOUND IF ...`).
 */
const STATEMENT_START = new Set([";", ":", "begin", "atomic", "then", "else", "do", "loop", "repeat", "row", ")", "deterministic", "sql", "data", "definer", "invoker", "found", "sqlexception", "sqlwarning"]);

export function splitSqlStatements(sql: string, options: SplitOptions = {}): string[] {
  const out: string[] = [];
  let delimiter = ";";
  let start = 0;
  // Open BEGIN/IF/LOOP/CASE... blocks of a compound statement; true marks a CASE expression,
  // inside which THEN and ELSE are followed by expressions, not statements.
  const blocks: boolean[] = [];
  // null until the statement's first word is seen: is it a CREATE TRIGGER/PROCEDURE/... with a body?
  let compound: boolean | null = null;
  // The last token outside comments: a lowercase word or one punctuation character.
  let prev = "";
  // Open parentheses of the statement.
  let depth = 0;
  let i = 0;
  const n = sql.length;

  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (text && !isOnlyComments(text, options)) out.push(text);
    compound = null;
    blocks.length = 0;
    prev = "";
    depth = 0;
  };

  while (i < n) {
    const ch = sql[i];
    const next = sql[i + 1];

    if (options.delimiterCommand && atLineStart(sql, i) && /^delimiter\s/i.test(sql.slice(i, i + 10))) {
      push(i);
      const lineEnd = sql.indexOf("\n", i);
      const line = sql.slice(i, lineEnd < 0 ? n : lineEnd).trim();
      delimiter = line.split(/\s+/)[1] || ";";
      i = lineEnd < 0 ? n : lineEnd + 1;
      start = i;
      continue;
    }
    if (ch === "-" && next === "-") {
      i = skipLine(sql, i);
      continue;
    }
    if (ch === "#" && options.hashComments) {
      i = skipLine(sql, i);
      continue;
    }
    if (ch === "/" && next === "*") {
      i = skipBlockComment(sql, i, options.nestedComments === true);
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      const escapes = ch === "`" ? false : options.backslashEscapes === true || (ch === "'" && options.escapeStrings === true && prev === "e" && /[eE]/.test(sql[i - 1]));
      i = skipQuoted(sql, i, ch, escapes);
      prev = ch;
      continue;
    }
    if (ch === "$" && options.dollarQuotes && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      const end = skipDollarQuoted(sql, i);
      if (end !== undefined) {
        i = end;
        prev = "$";
        continue;
      }
    }
    if (/[A-Za-z]/.test(ch) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? "")) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 32))![0];
      const lower = word.toLowerCase();
      compound ??= COMPOUND_START.test(sql.slice(i, i + 200));
      if (compound) {
        if (lower === "end") {
          blocks.pop();
          const after = /^\s+(if|loop|while|repeat|case)\b/i.exec(sql.slice(i + 3, i + 16));
          i += 3 + (after ? after[0].length : 0);
          prev = "end";
          continue;
        }
        const atStatementStart = STATEMENT_START.has(prev) && blocks.at(-1) !== true;
        if (OPENERS.has(lower) && opensBlock(lower, sql, i + word.length, atStatementStart)) blocks.push(lower === "case" && !atStatementStart);
      }
      prev = lower;
      i += word.length;
      continue;
    }
    // A `;` inside parentheses (PostgreSQL's CREATE RULE ... DO INSTEAD (a; b)) ends nothing.
    if (ch === "(") depth++;
    else if (ch === ")" && depth > 0) depth--;
    if (blocks.length === 0 && depth === 0 && sql.startsWith(delimiter, i)) {
      push(i);
      i += delimiter.length;
      start = i;
      continue;
    }
    if (ch !== " " && ch !== "\t" && ch !== "\n" && ch !== "\r") prev = ch;
    i++;
  }
  push(n);
  return out;
}

function opensBlock(word: string, sql: string, after: number, atStatementStart: boolean): boolean {
  if (STATEMENT_OPENERS.has(word)) return atStatementStart;
  if (word === "begin") return !/^\s*(transaction|work|deferred|immediate|exclusive)?\s*;/i.test(sql.slice(after, after + 24));
  return true;
}

function atLineStart(sql: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    if (sql[j] === "\n") return true;
    if (sql[j] !== " " && sql[j] !== "\t" && sql[j] !== "\r") return false;
  }
  return true;
}

/** Past a PostgreSQL `$tag$ ... $tag$` string starting at `i`, or undefined when no dollar quote starts there. */
export function skipDollarQuoted(sql: string, i: number): number | undefined {
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
  if (!tag) return undefined;
  const end = sql.indexOf(tag[0], i + tag[0].length);
  return end < 0 ? sql.length : end + tag[0].length;
}

/** Past a block comment starting at `i`; nested ones count where the database nests them. */
export function skipBlockComment(sql: string, i: number, nested: boolean): number {
  let level = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith("/*", j) && (nested || level === 0)) {
      level++;
      j += 2;
    } else if (sql.startsWith("*/", j)) {
      level--;
      j += 2;
      if (level === 0) return j;
    } else j++;
  }
  return sql.length;
}

export function skipLine(sql: string, i: number): number {
  const end = sql.indexOf("\n", i);
  return end < 0 ? sql.length : end + 1;
}

export function skipQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === "\\") {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function isOnlyComments(text: string, options: SplitOptions): boolean {
  let rest = text.replace(options.executableComments ? /\/\*(?!M?!)[\s\S]*?\*\//g : /\/\*[\s\S]*?\*\//g, "").replace(/--[^\n]*/g, "");
  if (options.hashComments) rest = rest.replace(/#[^\n]*/g, "");
  return rest.trim() === "";
}
