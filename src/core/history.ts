import type { Dialect, Row, Session, Statement } from "../dialects/dialect.ts";
import { createColumn, type ColumnDef } from "../schema/columns.ts";
import type { Query } from "../schema/query.ts";
import type { AppliedRecord, ProgressRecord } from "./plan.ts";

export type EventAction = "apply" | "rollback" | "fail" | "resolve";

export interface HistoryEvent {
  seq: number;
  id: string;
  action: EventAction;
  environment: string;
  at: string;
  by: string;
  durationMs?: number;
  details?: Record<string, unknown>;
}

export interface NewEvent {
  id: string;
  action: EventAction;
  by: string;
  durationMs?: number;
  details?: Record<string, unknown>;
}

export interface NewAppliedRecord extends AppliedRecord {
  toolVersion: string;
  gitCommit?: string;
}

const str = (name: string, length: number, nullable = false) => createColumn(name, "string", { length, nullable });
const int = (name: string, nullable = false) => createColumn(name, "integer", { nullable });
const at = (name: string) => createColumn(name, "timestamp", { withTimezone: true });

function historyColumns(): ColumnDef[] {
  return [
    str("id", 255),
    str("version", 32),
    str("name", 255),
    str("checksum", 64),
    int("batch"),
    int("sequence"),
    at("applied_at"),
    int("duration_ms", true),
    str("applied_by", 255, true),
    str("tool_version", 32, true),
    str("git_commit", 64, true),
  ].map((c) => (c.name === "id" ? { ...c, primary: true } : c));
}

function logColumns(): ColumnDef[] {
  return [
    createColumn("seq", "id", { primary: true, autoIncrement: true }),
    str("migration_id", 255),
    str("action", 16),
    str("environment", 64),
    at("at"),
    str("by", 255),
    int("duration_ms", true),
    createColumn("details", "text", { nullable: true }),
  ];
}

function progressColumns(): ColumnDef[] {
  return [
    // 191 characters: MySQL keeps this table in MyISAM, whose keys hold at most 1000 bytes.
    { ...str("id", 191), primary: true },
    str("direction", 8),
    str("state", 16),
    // "statements", or "transform": a migration that resumes where it stopped.
    str("kind", 16),
    int("statements_done"),
    createColumn("statement", "text", { nullable: true }),
    createColumn("error", "text", { nullable: true }),
    at("started_at"),
    str("by", 255, true),
  ];
}

/**
 * The history behind a narrow contract (as Umzug's storage): read applied, record, remove,
 * append an event, and the progress markers of non-transactional migrations. Tables are
 * created through the schema compiler, rows written through the query compiler, so
 * nothing here knows which database it talks to. Read-only callers never create tables.
 */
export class History {
  readonly table: string;
  readonly logTable: string;
  readonly progressTable: string;
  readonly #session: Session;
  readonly #dialect: Dialect;
  readonly #environment: string;
  /** Tables seen to exist: one session's history, under the lock, need not ask twice. */
  readonly #existing = new Set<string>();

  constructor(session: Session, dialect: Dialect, table: string, environment: string) {
    this.#session = session;
    this.#dialect = dialect;
    this.table = table;
    this.logTable = `${table}_log`;
    this.progressTable = `${table}_progress`;
    this.#environment = environment;
  }

  get environment(): string {
    return this.#environment;
  }

  #compile(query: Query): Statement {
    return this.#dialect.compiler.compileQuery({ ...query, own: true });
  }

  #run(statement: Statement): Promise<{ rows: Row[]; rowCount: number }> {
    return this.#session.execute(statement.sql, statement.params, statement);
  }

  #query(query: Query): Promise<{ rows: Row[]; rowCount: number }> {
    return this.#run(this.#compile(query));
  }

  exists(): Promise<boolean> {
    return this.#tableExists(this.table);
  }

  async #tableExists(table: string): Promise<boolean> {
    if (this.#existing.has(table)) return true;
    const found = await this.#dialect.adapter.tableExists(this.#session, table);
    if (found) this.#existing.add(table);
    return found;
  }

  /** Creates the history, log and progress tables where missing. */
  async ensure(): Promise<void> {
    const { adapter, compiler } = this.#dialect;
    await adapter.prepareForWrites(this.#session);
    const tables: [string, ColumnDef[], boolean][] = [
      [this.table, historyColumns(), false],
      [this.logTable, logColumns(), false],
      [this.progressTable, progressColumns(), true],
    ];
    for (const [table, columns, nonTransactional] of tables) {
      if (await this.#tableExists(table)) continue;
      const statements = await compiler.compileOperation({ kind: "CreateTable", table, columns, ifNotExists: true, nonTransactional }, { table: async () => undefined });
      for (const s of statements) await this.#session.execute(s.sql, s.params);
      this.#existing.add(table);
    }
  }

  async readApplied(): Promise<AppliedRecord[]> {
    if (!(await this.exists())) return [];
    const columns = ["id", "version", "name", "checksum", "batch", "sequence", "applied_at", "duration_ms", "applied_by"];
    const { rows } = await this.#query({ kind: "select", table: this.table, columns, where: [], orderBy: [{ column: "batch", direction: "asc" }, { column: "sequence", direction: "asc" }] });
    return rows.map((r) => {
      const record: AppliedRecord = {
        id: String(r.id),
        version: String(r.version),
        name: String(r.name),
        checksum: String(r.checksum),
        batch: Number(r.batch),
        sequence: Number(r.sequence),
        appliedAt: toIso(r.applied_at),
      };
      if (r.duration_ms != null) record.durationMs = Number(r.duration_ms);
      if (r.applied_by != null) record.appliedBy = String(r.applied_by);
      return record;
    });
  }

  async isApplied(id: string): Promise<boolean> {
    const { rows } = await this.#query({ kind: "select", table: this.table, columns: ["id"], where: [{ column: "id", op: "=", value: id }], orderBy: [] });
    return rows.length > 0;
  }

  /** The history row of an applied migration, as a statement (the executor batches it with COMMIT). */
  recordAppliedStatement(record: NewAppliedRecord): Statement {
    const row: Record<string, unknown> = {
      id: record.id,
      version: record.version,
      name: record.name,
      checksum: record.checksum,
      batch: record.batch,
      sequence: record.sequence,
      applied_at: new Date(record.appliedAt),
      duration_ms: record.durationMs ?? null,
      applied_by: record.appliedBy ?? null,
      tool_version: record.toolVersion,
      git_commit: record.gitCommit ?? null,
    };
    return this.#compile({ kind: "insert", table: this.table, columns: Object.keys(row), rows: [Object.values(row)] });
  }

  removeAppliedStatement(id: string): Statement {
    return this.#compile({ kind: "delete", table: this.table, where: [{ column: "id", op: "=", value: id }] });
  }

  eventStatement(event: NewEvent): Statement {
    const row: Record<string, unknown> = {
      migration_id: event.id,
      action: event.action,
      environment: this.#environment,
      at: new Date(),
      by: event.by,
      duration_ms: event.durationMs === undefined ? null : Math.round(event.durationMs),
      details: event.details ? JSON.stringify(event.details) : null,
    };
    return this.#compile({ kind: "insert", table: this.logTable, columns: Object.keys(row), rows: [Object.values(row)] });
  }

  /**
   * The real duration of a migration whose history rows went out before its SQL had
   * finished (a pipelined .sql section): its row (up) and this run's event of it.
   */
  durationStatements(id: string, action: "apply" | "rollback", durationMs: number, since: Date): Statement[] {
    const ms = Math.round(durationMs);
    const event = this.#compile({ kind: "update", table: this.logTable, values: { duration_ms: ms }, where: [{ column: "migration_id", op: "=", value: id }, { column: "action", op: "=", value: action }, { column: "at", op: ">=", value: since }] });
    if (action === "rollback") return [event];
    return [this.#compile({ kind: "update", table: this.table, values: { duration_ms: ms }, where: [{ column: "id", op: "=", value: id }] }), event];
  }

  clearProgressStatement(id: string): Statement {
    return this.#compile({ kind: "delete", table: this.progressTable, where: [{ column: "id", op: "=", value: id }] });
  }

  async recordApplied(record: NewAppliedRecord): Promise<void> {
    await this.#run(this.recordAppliedStatement(record));
  }

  async removeApplied(id: string): Promise<void> {
    await this.#run(this.removeAppliedStatement(id));
  }

  async updateChecksum(id: string, checksum: string): Promise<void> {
    await this.#query({ kind: "update", table: this.table, values: { checksum }, where: [{ column: "id", op: "=", value: id }] });
  }

  async appendEvent(event: NewEvent): Promise<void> {
    await this.#run(this.eventStatement(event));
  }

  async readEvents(): Promise<HistoryEvent[]> {
    if (!(await this.#tableExists(this.logTable))) return [];
    const { rows } = await this.#query({ kind: "select", table: this.logTable, columns: "*", where: [], orderBy: [{ column: "seq", direction: "asc" }] });
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: String(r.migration_id),
      action: String(r.action) as EventAction,
      environment: String(r.environment),
      at: toIso(r.at),
      by: String(r.by),
      ...(r.duration_ms != null ? { durationMs: Number(r.duration_ms) } : {}),
      ...(r.details != null ? { details: JSON.parse(String(r.details)) as Record<string, unknown> } : {}),
    }));
  }

  async readProgress(): Promise<ProgressRecord[]> {
    if (!(await this.#tableExists(this.progressTable))) return [];
    const { rows } = await this.#query({ kind: "select", table: this.progressTable, columns: "*", where: [], orderBy: [] });
    return rows.map((r) => ({
      id: String(r.id),
      direction: String(r.direction) as "up" | "down",
      kind: r.kind === "transform" ? ("transform" as const) : ("statements" as const),
      // A marker still "running" when a new runner holds the lock means its process died.
      state: r.state === "running" ? ("running" as const) : ("failed" as const),
      statementsDone: Number(r.statements_done),
      ...(r.statement != null ? { statement: String(r.statement) } : {}),
      ...(r.error != null ? { error: String(r.error) } : {}),
      startedAt: toIso(r.started_at),
    }));
  }

  /**
   * Marks a non-transactional migration as started, before its first statement, replacing
   * a stale marker (one a process left between recording an apply and clearing it).
   */
  async startProgress(id: string, direction: "up" | "down", by: string, kind: "statements" | "transform" = "statements", statementsDone = 0): Promise<void> {
    await this.#session.executeBatch(this.startProgressStatements(id, direction, by, kind, statementsDone));
  }

  startProgressStatements(id: string, direction: "up" | "down", by: string, kind: "statements" | "transform" = "statements", statementsDone = 0): Statement[] {
    const row: Record<string, unknown> = { id, direction, state: "running", kind, statements_done: statementsDone, statement: null, error: null, started_at: new Date(), by };
    return [this.#compile({ kind: "insert", table: this.progressTable, columns: Object.keys(row), rows: [Object.values(row)], replace: ["id"] })];
  }

  /** A migration outside a transaction that reached a transform: from now on it resumes instead of failing. */
  async markResumable(id: string): Promise<void> {
    await this.#query({ kind: "update", table: this.progressTable, values: { kind: "transform", state: "running" }, where: [{ column: "id", op: "=", value: id }] });
  }

  /** How many statements the marker of `id` says ran, if there is one. */
  async statementsDone(id: string): Promise<number | undefined> {
    const { rows } = await this.#query({ kind: "select", table: this.progressTable, columns: ["statements_done"], where: [{ column: "id", op: "=", value: id }], orderBy: [] });
    return rows.length ? Number(rows[0].statements_done) : undefined;
  }

  advanceProgressStatement(id: string, statementsDone: number): Statement {
    return this.#compile({ kind: "update", table: this.progressTable, values: { statements_done: statementsDone }, where: [{ column: "id", op: "=", value: id }] });
  }

  async failProgress(id: string, statement: string | undefined, error: string): Promise<void> {
    await this.#query({ kind: "update", table: this.progressTable, values: { state: "failed", statement: statement ?? null, error }, where: [{ column: "id", op: "=", value: id }] });
  }

  async clearProgress(id: string): Promise<void> {
    await this.#run(this.clearProgressStatement(id));
  }
}

/** Dates come back as Date (PostgreSQL, MySQL) or text (SQLite): one ISO form for output. */
/** Already ISO-8601 in UTC with milliseconds, as SQLite's history holds it. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  if (ISO_UTC.test(text)) return text;
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(text);
  if (plain) return new Date(`${plain[1]}T${plain[2]}Z`).toISOString();
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString();
}
