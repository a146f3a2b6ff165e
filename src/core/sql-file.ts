/**
 * The dbmate format, so existing folders run as they are:
 *
 *   -- migrate:up [transaction:false]
 *   create table ...;
 *   -- migrate:down
 *   drop table ...;
 *
 * plus strata's optional `-- strata:depends <id>` lines. A missing down section makes the
 * migration irreversible; an empty one is an explicit no-op, as in dbmate. A section with
 * a PostgreSQL `CREATE/DROP INDEX CONCURRENTLY` (or `REINDEX ... CONCURRENTLY`), which no
 * transaction may hold, runs outside one unless its marker says `transaction:true`; so
 * does one with its own `COMMIT;` or `BEGIN;`.
 */
export interface SqlSection {
  sql: string;
  transaction: boolean;
  /** 1-based line of the marker, to report positions inside the file. */
  line: number;
}

export interface ParsedSqlMigration {
  up: SqlSection;
  down?: SqlSection;
  dependencies: string[];
}

export type SqlParseResult = { ok: true; value: ParsedSqlMigration } | { ok: false; problem: string };

const MARKER = /^[ \t]*--[ \t]*migrate:(up|down)\b([^\n]*)$/gm;
const DEPENDS = /^[ \t]*--[ \t]*strata:depends?[ \t]+([^\n]+)$/gm;
/** A depends line with its line break, removed from the section it stands in. */
const DEPENDS_LINE = /^[ \t]*--[ \t]*strata:depends?[ \t]+[^\n]+(?:\n|$)/gm;
const CONCURRENT = /\b(?:create\s+(?:unique\s+)?index|drop\s+index|reindex\s+(?:index|table|schema|database|system))\s+concurrently\b/i;
/**
 * A statement of the section's own that ends or starts a transaction (`COMMIT;` after
 * `ALTER TYPE ... ADD VALUE`, say): inside strata's transaction it would commit strata's
 * history write with a half-run migration. (`END;` is left out: it closes PL/pgSQL and
 * MySQL bodies too.)
 */
const TRANSACTION_CONTROL = /^[ \t]*(?:commit|rollback|begin|start[ \t]+transaction)(?:[ \t]+(?:work|transaction))?[ \t]*;/im;

/** Scans the whole text with line-anchored patterns (no split into lines: `status` parses every file). */
export function parseSqlMigration(text: string): SqlParseResult {
  const dependencies = text.includes("strata:depend") ? [...text.matchAll(DEPENDS)].flatMap((m) => m[1].split(/[\s,]+/).filter(Boolean)) : [];
  const markers: RegExpExecArray[] = [];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) markers.push(m);
  const sections: Partial<Record<"up" | "down", { from: number; to: number; options: string; line: number }>> = {};
  for (let i = 0; i < markers.length; i++) {
    const marker = markers[i];
    const kind = marker[1] as "up" | "down";
    const line = lineOf(text, marker.index);
    if (sections[kind]) return { ok: false, problem: `"-- migrate:${kind}" appears twice (lines ${sections[kind]!.line} and ${line}).` };
    // What follows a second `--` on the marker line is a comment (dbmate reads it so).
    const options = marker[2].replace(/--.*$/, "").trim();
    const unknown = options ? options.split(/\s+/).filter((o) => !/^transaction:(true|false)$/.test(o)) : [];
    if (unknown.length) return { ok: false, problem: `unknown option "${unknown[0]}" on line ${line}; expected transaction:false.` };
    sections[kind] = { from: marker.index + marker[0].length, to: markers[i + 1]?.index ?? text.length, options, line };
  }
  if (!sections.up) return { ok: false, problem: 'no "-- migrate:up" line; a SQL migration needs "-- migrate:up" and usually "-- migrate:down" sections.' };
  // Above the first marker only comments may stand: a statement there would belong to no section (dbmate refuses it too).
  const preamble = withoutComments(text.slice(0, markers[0].index));
  if (preamble.trim() !== "") return { ok: false, problem: `a statement stands before the first "-- migrate:" line (${preamble.trim().split("\n")[0].slice(0, 60)}); move it into a section.` };
  /** The section, or what is wrong with it. */
  const body = (kind: "up" | "down"): SqlSection | string | undefined => {
    const s = sections[kind];
    if (!s) return undefined;
    const raw = text.slice(s.from, s.to);
    const sql = (dependencies.length > 0 ? raw.replace(DEPENDS_LINE, "") : raw).trim();
    const explicit = /transaction:(true|false)/.exec(s.options)?.[1];
    if (explicit === "true" && TRANSACTION_CONTROL.test(withoutComments(sql))) return `the ${kind} section says transaction:true but commits or begins a transaction itself (${TRANSACTION_CONTROL.exec(sql)![0].trim()}); drop transaction:true, and it runs outside one.`;
    const code = withoutComments(sql);
    return { sql, transaction: explicit ? explicit === "true" : !CONCURRENT.test(code) && !TRANSACTION_CONTROL.test(code), line: s.line };
  };
  const up = body("up")!;
  const down = body("down");
  for (const section of [up, down]) if (typeof section === "string") return { ok: false, problem: section };
  return { ok: true, value: { up: up as SqlSection, ...(down ? { down: down as SqlSection } : {}), dependencies } };
}

/** For the checks on a section's words: its text without comments (a CONCURRENTLY in a comment runs nothing). */
function withoutComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/^[ \t]*(?:--|#)[^\n]*$/gm, "").replace(/--[^\n']*$/gm, "");
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
