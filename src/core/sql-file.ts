/**
 * The dbmate format, so existing folders run as they are:
 *
 *   -- migrate:up [transaction:false]
 *   create table ...;
 *   -- migrate:down
 *   drop table ...;
 *
 * plus strata's optional `-- strata:depends <id>` lines. A missing down section makes the
 * migration irreversible; an empty one is an explicit no-op, as in dbmate.
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

const MARKER = /^--\s*migrate:(up|down)\b(.*)$/;
const DEPENDS = /^--\s*strata:depends?\s+(.+)$/;

export function parseSqlMigration(text: string): SqlParseResult {
  const lines = text.split("\n");
  const dependencies: string[] = [];
  const sections: Partial<Record<"up" | "down", { start: number; options: string; line: number }>> = {};
  const order: ("up" | "down")[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const depends = DEPENDS.exec(line);
    if (depends) {
      dependencies.push(...depends[1].split(/[\s,]+/).filter(Boolean));
      continue;
    }
    const marker = MARKER.exec(line);
    if (!marker) continue;
    const kind = marker[1] as "up" | "down";
    if (sections[kind]) return { ok: false, problem: `"-- migrate:${kind}" appears twice (lines ${sections[kind]!.line} and ${i + 1}).` };
    const options = marker[2].trim();
    const unknown = options.split(/\s+/).filter((o) => o && !/^transaction:(true|false)$/.test(o));
    if (unknown.length) return { ok: false, problem: `unknown option "${unknown[0]}" on line ${i + 1}; expected transaction:false.` };
    sections[kind] = { start: i + 1, options, line: i + 1 };
    order.push(kind);
  }
  if (!sections.up) return { ok: false, problem: 'no "-- migrate:up" line; a SQL migration needs "-- migrate:up" and usually "-- migrate:down" sections.' };
  const body = (kind: "up" | "down"): SqlSection | undefined => {
    const s = sections[kind];
    if (!s) return undefined;
    const other = order.find((k) => k !== kind && sections[k]!.start > s.start);
    const end = other ? sections[other]!.start - 1 : lines.length;
    const sql = lines
      .slice(s.start, end)
      .filter((l) => !DEPENDS.test(l.trim()))
      .join("\n")
      .trim();
    return { sql, transaction: !/transaction:false/.test(s.options), line: s.line };
  };
  const up = body("up")!;
  const down = body("down");
  return { ok: true, value: { up, ...(down ? { down } : {}), dependencies } };
}
