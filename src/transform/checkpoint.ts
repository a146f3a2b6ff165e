import type { Dialect, Row, Session, Statement } from "../dialects/dialect.ts";
import { createColumn, type ColumnDef } from "../schema/columns.ts";
import type { Query } from "../schema/query.ts";

/**
 * Transform progress, checkpointed in the database itself: one row per transform, one row
 * per chunk. A chunk is marked done in the same transaction that writes its rows, so a
 * killed run resumes with no row skipped and none written twice; a chunk is claimed by
 * locking its row (SKIP LOCKED), so a claim dies with the process that held it.
 */
export type TransformState = "running" | "paused" | "done";

export interface TransformRecord {
  id: string;
  migrationId: string;
  table: string;
  state: TransformState;
  rowsTotal: number;
  lastError?: string;
  keyRange?: { from: unknown; to: unknown };
}

export interface ChunkRecord {
  chunkNo: number;
  from: unknown[] | null;
  to: unknown[] | null;
  size: number;
  attempts: number;
}

const str = (name: string, length: number, nullable = false) => createColumn(name, "string", { length, nullable });
const text = (name: string) => createColumn(name, "text", { nullable: true });
const int = (name: string) => createColumn(name, "integer", { default: 0 });
const at = (name: string) => createColumn(name, "timestamp", { withTimezone: true });

function transformColumns(): ColumnDef[] {
  return [
    { ...str("id", 255), primary: true },
    str("migration_id", 255),
    str("table_name", 255),
    text("spec"),
    str("state", 16),
    text("cursor_key"),
    int("planned_all"),
    int("next_chunk"),
    createColumn("rows_total", "bigInteger", { default: 0 }),
    text("last_error"),
    text("key_range"),
    at("created_at"),
    at("updated_at"),
  ];
}

function chunkColumns(): ColumnDef[] {
  return [
    { ...str("transform_id", 255), primary: true },
    { ...int("chunk_no"), primary: true },
    text("from_key"),
    text("to_key"),
    int("size"),
    str("state", 16),
    int("rows"),
    int("changed"),
    int("attempts"),
    text("last_error"),
    str("by", 255, true),
    at("updated_at"),
  ];
}

/** Keys travel as JSON; bigints as strings, which every database compares with the key column numerically. */
/**
 * A key as JSON text. Binary keys (BINARY(16) ids) are `{ "$binary": base64 }`, read back as
 * bytes: a Buffer's own JSON, an array of numbers, would never compare with the column.
 */
export function encodeKey(key: readonly unknown[] | null): string | null {
  if (key === null) return null;
  return JSON.stringify(key.map((v) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v instanceof Uint8Array ? { $binary: Buffer.from(v).toString("base64") } : v)));
}

function decodeKey(value: unknown): unknown[] | null {
  if (value === null || value === undefined) return null;
  return (JSON.parse(String(value)) as unknown[]).map((v) => (v !== null && typeof v === "object" && typeof (v as { $binary?: unknown }).$binary === "string" ? Buffer.from((v as { $binary: string }).$binary, "base64") : v));
}

/** Hand-written statements on strata's own tables, kept prepared like the compiled ones (Statement.prepare). */
const OWN = { prepare: true } as const;

export class TransformStore {
  readonly transforms: string;
  readonly chunks: string;
  readonly #dialect: Dialect;

  constructor(dialect: Dialect, historyTable: string) {
    this.#dialect = dialect;
    this.transforms = `${historyTable}_transforms`;
    this.chunks = `${historyTable}_transform_chunks`;
  }

  #q(query: Query): Statement {
    return this.#dialect.compiler.compileQuery({ ...query, own: true });
  }

  #t(name: string): string {
    return this.#dialect.compiler.quoteOwnTable(name);
  }

  #i(name: string): string {
    return this.#dialect.compiler.quoteIdentifier(name);
  }

  #p(index: number): string {
    return this.#dialect.compiler.placeholder(index);
  }

  async exists(session: Session): Promise<boolean> {
    return this.#dialect.adapter.tableExists(session, this.transforms);
  }

  async ensure(session: Session): Promise<void> {
    const { adapter, compiler } = this.#dialect;
    const none = { table: async () => undefined };
    for (const [table, columns] of [[this.transforms, transformColumns()], [this.chunks, chunkColumns()]] as const) {
      if (await adapter.tableExists(session, table)) continue;
      for (const s of await compiler.compileOperation({ kind: "CreateTable", table, columns, ifNotExists: true }, none)) await session.execute(s.sql, s.params, s);
      if (table === this.chunks) {
        const index = await compiler.compileOperation({ kind: "CreateIndex", table, name: `${table}_claim_idx`, columns: ["transform_id", "state", "chunk_no"], unique: false, concurrently: false }, none);
        for (const s of index) await session.execute(s.sql, s.params, s);
      }
    }
  }

  async get(session: Session, id: string): Promise<TransformRecord | undefined> {
    const s = this.#q({ kind: "select", table: this.transforms, columns: "*", where: [{ column: "id", op: "=", value: id }], orderBy: [] });
    const row = (await session.execute(s.sql, s.params, s)).rows[0];
    return row ? toRecord(row) : undefined;
  }

  /**
   * Statements removing a migration's transforms and their chunks: when the migration is
   * rolled back, a later apply transforms the rows again instead of finding them done.
   */
  forgetStatements(migrationId: string): Statement[] {
    // By migration, not by ids read now: the rollback's own transform is made after these statements are.
    const ofMigration = `select ${this.#i("id")} from ${this.#t(this.transforms)} where ${this.#i("migration_id")} = ${this.#p(1)}`;
    return [
      { sql: `delete from ${this.#t(this.chunks)} where ${this.#i("transform_id")} in (${ofMigration})`, params: [migrationId] },
      this.#q({ kind: "delete", table: this.transforms, where: [{ column: "migration_id", op: "=", value: migrationId }] }),
    ];
  }

  /** The resolved options the transform was created with. */
  async spec(session: Session, id: string): Promise<unknown> {
    const s = this.#q({ kind: "select", table: this.transforms, columns: ["spec"], where: [{ column: "id", op: "=", value: id }], orderBy: [] });
    const row = (await session.execute(s.sql, s.params, s)).rows[0];
    return row ? JSON.parse(String(row.spec)) : undefined;
  }

  async list(session: Session): Promise<(TransformRecord & { rowsDone: number })[]> {
    if (!(await this.exists(session))) return [];
    // MariaDB's timestamp keeps whole seconds: transforms created in the same second are ordered by id.
    const s = this.#q({ kind: "select", table: this.transforms, columns: "*", where: [], orderBy: [{ column: "created_at", direction: "asc" }, { column: "id", direction: "asc" }] });
    const rows = (await session.execute(s.sql, s.params, s)).rows;
    const out: (TransformRecord & { rowsDone: number })[] = [];
    for (const row of rows) {
      const record = toRecord(row);
      out.push({ ...record, rowsDone: await this.rowsDone(session, record.id) });
    }
    return out;
  }

  async create(session: Session, record: { id: string; migrationId: string; table: string; spec: unknown; rowsTotal: number }): Promise<void> {
    const now = new Date();
    const row: Record<string, unknown> = {
      id: record.id, migration_id: record.migrationId, table_name: record.table, spec: JSON.stringify(record.spec), state: "running",
      cursor_key: null, planned_all: 0, next_chunk: 0, rows_total: record.rowsTotal, last_error: null, key_range: null, created_at: now, updated_at: now,
    };
    const s = this.#q({ kind: "insert", table: this.transforms, columns: Object.keys(row), rows: [Object.values(row)] });
    await session.execute(s.sql, s.params, s);
  }

  async setState(session: Session, id: string, state: TransformState, extra: { lastError?: string | null; keyRange?: { from: unknown; to: unknown } | null } = {}): Promise<void> {
    const values: Record<string, unknown> = { state, updated_at: new Date() };
    if (extra.lastError !== undefined) values.last_error = extra.lastError;
    if (extra.keyRange !== undefined) values.key_range = extra.keyRange === null ? null : JSON.stringify(extra.keyRange);
    const s = this.#q({ kind: "update", table: this.transforms, values, where: [{ column: "id", op: "=", value: id }] });
    await session.execute(s.sql, s.params, s);
  }

  /** Failed chunks become pending again (strata transform resume). */
  async reopenFailed(session: Session, id: string): Promise<void> {
    const s = this.#q({ kind: "update", table: this.chunks, values: { state: "pending", attempts: 0 }, where: [{ column: "transform_id", op: "=", value: id }, { column: "state", op: "=", value: "failed" }] });
    await session.execute(s.sql, s.params, s);
  }

  async rowsDone(session: Session, id: string): Promise<number> {
    const sql = `select coalesce(sum(${this.#i("rows")}), 0) as n from ${this.#t(this.chunks)} where ${this.#i("transform_id")} = ${this.#p(1)} and ${this.#i("state")} = ${this.#p(2)}`;
    return Number((await session.execute(sql, [id, "done"], OWN)).rows[0]?.n ?? 0);
  }

  /** The chunk of these transforms written last (done or failed): when, in ms since the epoch, and by whom. */
  async lastChunk(session: Session, ids: readonly string[]): Promise<{ at: number; by?: string } | undefined> {
    if (ids.length === 0) return undefined;
    const sql = `select ${this.#i("updated_at")} as at, ${this.#i("by")} as by from ${this.#t(this.chunks)} where ${this.#i("transform_id")} in (${ids.map((_, i) => this.#p(i + 1)).join(", ")}) and ${this.#i("updated_at")} is not null order by ${this.#i("updated_at")} desc limit 1`;
    const row = (await session.execute(sql, ids, OWN)).rows[0];
    if (!row) return undefined;
    const ms = (row.at instanceof Date ? row.at : new Date(String(row.at))).getTime();
    return Number.isNaN(ms) ? undefined : { at: ms, ...(row.by != null ? { by: String(row.by) } : {}) };
  }

  /** How many chunks are not done, and how many of those failed for good. */
  async openChunks(session: Session, id: string): Promise<{ open: number; failed: number }> {
    const sql = `select ${this.#i("state")} as state, count(*) as n from ${this.#t(this.chunks)} where ${this.#i("transform_id")} = ${this.#p(1)} and ${this.#i("state")} <> ${this.#p(2)} group by ${this.#i("state")}`;
    const rows = (await session.execute(sql, [id, "done"], OWN)).rows;
    const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { open: rows.reduce((sum, r) => sum + Number(r.n), 0), failed: count("failed") };
  }

  /**
   * Claims the next pending chunk inside the caller's transaction: the row lock is the
   * claim (SKIP LOCKED passes over chunks other processes hold; their locks die with them).
   */
  async claim(session: Session, id: string, skipLocked: boolean): Promise<ChunkRecord | undefined> {
    const lock = this.#dialect.compiler.lockRowsClause(skipLocked);
    const sql = `select ${["chunk_no", "from_key", "to_key", "size", "attempts"].map((c) => this.#i(c)).join(", ")} from ${this.#t(this.chunks)} where ${this.#i("transform_id")} = ${this.#p(1)} and ${this.#i("state")} = ${this.#p(2)} order by ${this.#i("chunk_no")} limit 1${lock}`;
    const row = (await session.execute(sql, [id, "pending"], OWN)).rows[0];
    if (!row) return undefined;
    return { chunkNo: Number(row.chunk_no), from: decodeKey(row.from_key), to: decodeKey(row.to_key), size: Number(row.size), attempts: Number(row.attempts) };
  }

  async isPending(session: Session, id: string, chunkNo: number): Promise<boolean> {
    const s = this.#q({ kind: "select", table: this.chunks, columns: ["state"], where: [{ column: "transform_id", op: "=", value: id }, { column: "chunk_no", op: "=", value: chunkNo }], orderBy: [] });
    return (await session.execute(s.sql, s.params, s)).rows[0]?.state === "pending";
  }

  /** Statements marking a chunk done; they go in the chunk's own transaction with its writes. */
  doneStatement(id: string, chunkNo: number, rows: number, changed: number, by: string): Statement {
    return this.#q({ kind: "update", table: this.chunks, values: { state: "done", rows, changed, by, last_error: null, updated_at: new Date() }, where: [{ column: "transform_id", op: "=", value: id }, { column: "chunk_no", op: "=", value: chunkNo }] });
  }

  /**
   * A failed try of a chunk, counted only while the chunk is as this runner claimed it:
   * the rollback let the claim go, and another runner may have done the chunk since (or
   * counted the same failure). False when it did: the chunk is not touched.
   */
  async recordFailure(session: Session, id: string, chunk: { chunkNo: number; attempts: number }, error: string, failed: boolean): Promise<boolean> {
    const s = this.#q({
      kind: "update", table: this.chunks,
      values: { attempts: chunk.attempts + 1, last_error: error, state: failed ? "failed" : "pending", updated_at: new Date() },
      where: [{ column: "transform_id", op: "=", value: id }, { column: "chunk_no", op: "=", value: chunk.chunkNo }, { column: "state", op: "=", value: "pending" }, { column: "attempts", op: "=", value: chunk.attempts }],
    });
    return (await session.execute(s.sql, s.params, s)).rowCount > 0;
  }

  /** Planning state, read under the transform row's lock (the caller's transaction). */
  async lockForPlanning(session: Session, id: string): Promise<{ state: TransformState; cursor: unknown[] | null; plannedAll: boolean; nextChunk: number }> {
    const lock = this.#dialect.compiler.lockRowsClause(false);
    const sql = `select ${["state", "cursor_key", "planned_all", "next_chunk"].map((c) => this.#i(c)).join(", ")} from ${this.#t(this.transforms)} where ${this.#i("id")} = ${this.#p(1)}${lock}`;
    const row = (await session.execute(sql, [id], OWN)).rows[0];
    if (!row) throw new Error(`transform ${id} vanished`);
    return { state: String(row.state) as TransformState, cursor: decodeKey(row.cursor_key), plannedAll: Number(row.planned_all) === 1, nextChunk: Number(row.next_chunk) };
  }

  /** The next chunk, planned by `by` (who is named until a runner finishes the chunk). */
  planStatements(id: string, chunk: { chunkNo: number; from: unknown[] | null; to: unknown[] | null; size: number }, by: string): Statement[] {
    const insert = this.#q({
      kind: "insert", table: this.chunks,
      columns: ["transform_id", "chunk_no", "from_key", "to_key", "size", "state", "rows", "changed", "attempts", "by", "updated_at"],
      rows: [[id, chunk.chunkNo, encodeKey(chunk.from), encodeKey(chunk.to), chunk.size, "pending", 0, 0, 0, by, new Date()]],
    });
    const advance = this.#q({
      kind: "update", table: this.transforms,
      values: { cursor_key: encodeKey(chunk.to), planned_all: chunk.to === null ? 1 : 0, next_chunk: chunk.chunkNo + 1, updated_at: new Date() },
      where: [{ column: "id", op: "=", value: id }],
    });
    return [insert, advance];
  }

  /** The first failed chunk: its key range and error, for the paused transform's report. */
  async firstFailure(session: Session, id: string): Promise<{ from: unknown; to: unknown; error: string } | undefined> {
    const s = this.#q({ kind: "select", table: this.chunks, columns: ["from_key", "to_key", "last_error"], where: [{ column: "transform_id", op: "=", value: id }, { column: "state", op: "=", value: "failed" }], orderBy: [{ column: "chunk_no", direction: "asc" }], limit: 1 });
    const row = (await session.execute(s.sql, s.params, s)).rows[0];
    return row ? { from: decodeKey(row.from_key), to: decodeKey(row.to_key), error: String(row.last_error ?? "") } : undefined;
  }
}

function toRecord(row: Row): TransformRecord {
  return {
    id: String(row.id),
    migrationId: String(row.migration_id),
    table: String(row.table_name),
    state: String(row.state) as TransformState,
    rowsTotal: Number(row.rows_total),
    ...(row.last_error != null ? { lastError: String(row.last_error) } : {}),
    ...(row.key_range != null ? { keyRange: JSON.parse(String(row.key_range)) as { from: unknown; to: unknown } } : {}),
  };
}
