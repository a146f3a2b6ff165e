import { isPunct, keyword, skipGroup, splitTopLevel, tokenize, type Token } from "./tokenize.ts";

/**
 * Reads the CREATE TABLE / CREATE INDEX text SQLite keeps in sqlite_master. SQLite's
 * pragmas report columns, keys and indexes, but not constraint names or CHECK
 * expressions, so those come from the stored text. Pure functions, no database.
 */

// ---- CREATE TABLE ------------------------------------------------------------------------

export interface ParsedReference {
  table: string;
  /** Empty when the clause names no columns (the parent's primary key). */
  columns: string[];
  onDelete?: string;
  onUpdate?: string;
}

export type SegmentKind = "primary" | "notnull" | "null" | "unique" | "check" | "default" | "collate" | "references" | "generated" | "other";

/** One column constraint, e.g. `constraint "x" check (a > 0)` or `default 'a'`. */
export interface ParsedSegment {
  kind: SegmentKind;
  name?: string;
  text: string;
  check?: string;
  reference?: ParsedReference;
  autoIncrement?: boolean;
}

export interface ParsedColumn {
  name: string;
  /** The declared type as written (may be empty). */
  type: string;
  /** `name type` as written. */
  head: string;
  segments: ParsedSegment[];
  text: string;
}

export interface ParsedConstraint {
  kind: "primary" | "unique" | "check" | "foreign" | "other";
  name?: string;
  columns: string[];
  check?: string;
  reference?: ParsedReference;
  text: string;
}

export interface ParsedTable {
  columns: ParsedColumn[];
  constraints: ParsedConstraint[];
  /** What follows the closing parenthesis: `without rowid`, `strict`. */
  options: string;
}

const TABLE_CONSTRAINT = new Set(["constraint", "primary", "unique", "check", "foreign"]);
const COLUMN_CONSTRAINT = new Set(["constraint", "primary", "not", "null", "unique", "check", "default", "collate", "references", "generated", "as"]);

/** Parses a stored CREATE TABLE statement; undefined for what it cannot read (virtual tables, CREATE TABLE AS). */
export function parseCreateTable(sql: string): ParsedTable | undefined {
  const tokens = tokenize(sql);
  if (keyword(tokens[0]) !== "create" || keyword(tokens[1]) === "virtual") return undefined;
  const open = tokens.findIndex((t) => isPunct(t, "("));
  if (open < 0) return undefined;
  const close = skipGroup(tokens, open) - 1;
  if (!isPunct(tokens[close], ")")) return undefined;
  const slice = (items: readonly Token[]) => sql.slice(items[0].start, items[items.length - 1].end);
  const table: ParsedTable = { columns: [], constraints: [], options: sql.slice(tokens[close].end).trim() };
  for (const item of splitTopLevel(tokens, open + 1, close)) {
    if (item.length === 0) continue;
    if (TABLE_CONSTRAINT.has(keyword(item[0]))) table.constraints.push(parseTableConstraint(item, slice));
    else table.columns.push(parseColumn(item, slice));
  }
  return table;
}

type Slicer = (tokens: readonly Token[]) => string;

function parseTableConstraint(t: Token[], slice: Slicer): ParsedConstraint {
  let k = 0;
  let name: string | undefined;
  if (keyword(t[k]) === "constraint") {
    name = t[k + 1]?.value;
    k += 2;
  }
  const text = slice(t);
  switch (keyword(t[k])) {
    case "primary":
      return { kind: "primary", name, columns: columnList(t, k + 2, slice), text };
    case "unique":
      return { kind: "unique", name, columns: columnList(t, k + 1, slice), text };
    case "check":
      return { kind: "check", name, columns: [], check: groupText(t, k + 1, slice), text };
    case "foreign": {
      const columns = columnList(t, k + 2, slice);
      const refAt = t.findIndex((x, idx) => idx > k && keyword(x) === "references");
      const reference = refAt < 0 ? undefined : parseReference(t, refAt + 1).reference;
      return { kind: "foreign", name, columns, reference, text };
    }
    default:
      return { kind: "other", name, columns: [], text };
  }
}

function parseColumn(t: Token[], slice: Slicer): ParsedColumn {
  let k = 1;
  while (k < t.length && !COLUMN_CONSTRAINT.has(keyword(t[k]))) k = isPunct(t[k], "(") ? skipGroup(t, k) : k + 1;
  const type = k > 1 ? slice(t.slice(1, k)) : "";
  const column: ParsedColumn = { name: t[0].value, type, head: slice(t.slice(0, k)), segments: [], text: slice(t) };
  while (k < t.length) {
    const from = k;
    let name: string | undefined;
    if (keyword(t[k]) === "constraint") {
      name = t[k + 1]?.value;
      k += 2;
    }
    const segment: ParsedSegment = { kind: "other", text: "" };
    switch (keyword(t[k])) {
      case "primary":
        segment.kind = "primary";
        k += 2;
        if (keyword(t[k]) === "asc" || keyword(t[k]) === "desc") k++;
        k = skipConflict(t, k);
        if (keyword(t[k]) === "autoincrement") {
          segment.autoIncrement = true;
          k++;
        }
        break;
      case "not":
        segment.kind = "notnull";
        k = skipConflict(t, k + 2);
        break;
      case "null":
        segment.kind = "null";
        k = skipConflict(t, k + 1);
        break;
      case "unique":
        segment.kind = "unique";
        k = skipConflict(t, k + 1);
        break;
      case "check":
        segment.kind = "check";
        segment.check = groupText(t, k + 1, slice);
        k = skipGroup(t, k + 1);
        break;
      case "default":
        segment.kind = "default";
        if (isPunct(t[k + 1], "(")) k = skipGroup(t, k + 1);
        else if (isPunct(t[k + 1], "-") || isPunct(t[k + 1], "+")) k += 3;
        else k += 2;
        break;
      case "collate":
        segment.kind = "collate";
        k += 2;
        break;
      case "references": {
        segment.kind = "references";
        const parsed = parseReference(t, k + 1);
        segment.reference = parsed.reference;
        k = parsed.next;
        break;
      }
      case "generated":
      case "as":
        segment.kind = "generated";
        while (k < t.length && !isPunct(t[k], "(")) k++;
        k = skipGroup(t, k);
        if (keyword(t[k]) === "stored" || keyword(t[k]) === "virtual") k++;
        break;
      default:
        k++;
    }
    k = Math.min(Math.max(k, from + 1), t.length);
    segment.text = slice(t.slice(from, k));
    if (name !== undefined) segment.name = name;
    column.segments.push(segment);
  }
  return column;
}

function skipConflict(t: readonly Token[], k: number): number {
  return keyword(t[k]) === "on" && keyword(t[k + 1]) === "conflict" ? k + 3 : k;
}

/** The first identifier of each entry of the parenthesised list at `open` (`"a" collate nocase desc` → a). */
function columnList(t: readonly Token[], open: number, slice: Slicer): string[] {
  if (!isPunct(t[open], "(")) return [];
  const end = skipGroup(t, open) - 1;
  return splitTopLevel(t, open + 1, end).map((entry) => (entry.length === 1 || entry[0].kind !== "punct" ? entry[0].value : slice(entry)));
}

/** The text inside the parenthesis group at `open`, as written. */
function groupText(t: readonly Token[], open: number, slice: Slicer): string {
  if (!isPunct(t[open], "(")) return "";
  const end = skipGroup(t, open) - 1;
  return end > open + 1 ? slice(t.slice(open + 1, end)) : "";
}

function parseReference(t: readonly Token[], k: number): { reference: ParsedReference; next: number } {
  const reference: ParsedReference = { table: t[k]?.value ?? "", columns: [] };
  k++;
  if (isPunct(t[k], "(")) {
    const end = skipGroup(t, k) - 1;
    reference.columns = splitTopLevel(t, k + 1, end).map((entry) => entry[0].value);
    k = end + 1;
  }
  for (;;) {
    const word = keyword(t[k]);
    if (word === "on" && (keyword(t[k + 1]) === "delete" || keyword(t[k + 1]) === "update")) {
      const event = keyword(t[k + 1]);
      let action = keyword(t[k + 2]);
      k += 3;
      if (action === "set" || action === "no") {
        action = `${action} ${keyword(t[k])}`;
        k++;
      }
      if (event === "delete") reference.onDelete = action;
      else reference.onUpdate = action;
    } else if (word === "match") {
      k += 2;
    } else if (word === "deferrable" || (word === "not" && keyword(t[k + 1]) === "deferrable")) {
      k += word === "not" ? 2 : 1;
      if (keyword(t[k]) === "initially") k += 2;
    } else {
      return { reference, next: k };
    }
  }
}

// ---- CREATE INDEX ------------------------------------------------------------------------

export interface ParsedIndex {
  /** Each indexed term as written (a column name, or an expression). */
  terms: string[];
  where?: string;
}

export function parseCreateIndex(sql: string): ParsedIndex | undefined {
  const tokens = tokenize(sql);
  const on = tokens.findIndex((t) => keyword(t) === "on");
  const open = tokens.findIndex((t, k) => k > on && isPunct(t, "("));
  if (on < 0 || open < 0) return undefined;
  const end = skipGroup(tokens, open) - 1;
  const slice: Slicer = (items) => sql.slice(items[0].start, items[items.length - 1].end);
  const terms = splitTopLevel(tokens, open + 1, end).map((entry) => (entry.length === 1 ? entry[0].value : slice(entry)));
  const where = tokens.findIndex((t, k) => k > end && keyword(t) === "where");
  return where < 0 ? { terms } : { terms, where: sql.slice(tokens[where].end).trim().replace(/;$/, "").trim() };
}
