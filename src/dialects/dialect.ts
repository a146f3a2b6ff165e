import type { ColumnDef, JsonValue, ReferentialAction } from "../schema/columns.ts";
import type { Operation } from "../schema/operations.ts";
import type { Query } from "../schema/query.ts";

/**
 * A dialect is four small objects: a driver (sessions), a compiler (operations and
 * queries to SQL), an adapter (capabilities, lock, transaction policy) and an
 * introspector (the live schema in one neutral shape). Every database fact lives in
 * `dialects/<db>/`; the engine asks the adapter for capabilities instead of asking which
 * database it talks to.
 */
export type DialectName = "postgres" | "mysql" | "sqlite";

export type Row = Record<string, unknown>;

export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /**
   * strata's own bookkeeping (history, progress, checkpoints), sent again and again with
   * other values: a driver may keep it prepared on the session (PostgreSQL), which saves
   * describing it on every use. Never set on user statements, whose tables DDL changes.
   */
  readonly prepare?: boolean;
}

export interface ExecuteOptions {
  /** See Statement.prepare. */
  prepare?: boolean;
}

export interface ExecuteResult {
  rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE, or returned by a query. */
  rowCount: number;
}

/** One database session: locks, transactions and session settings belong to it. */
export interface Session {
  /** One statement with bound parameters. Driver errors come out as StrataError DATABASE_ERROR. */
  execute(sql: string, params?: readonly unknown[], options?: ExecuteOptions): Promise<ExecuteResult>;
  /** Several `;`-separated statements without parameters, in one round trip where the driver can. */
  executeScript(sql: string): Promise<void>;
  /**
   * Several statements with parameters in one round trip where the driver can (pipelined
   * on PostgreSQL, one multi-statement query on MySQL). Throws the first error. Where
   * `batchStopsAtError` is false (PostgreSQL), statements after a failing one still run
   * outside a transaction: use the batch inside one (the transaction is then aborted).
   */
  executeBatch(statements: readonly Statement[]): Promise<ExecuteResult[]>;
  /** Whether executeBatch runs nothing after a failing statement, transaction or not. */
  readonly batchStopsAtError: boolean;
  /**
   * Whether statements sent before earlier ones answered go out behind them on the same
   * connection, in order (postgres.js pipelining): a caller may send the next without waiting.
   */
  readonly pipelines: boolean;
  close(): Promise<void>;
}

export interface Driver {
  /** Opens a dedicated session (a reserved connection, not a pooled one). */
  open(): Promise<Session>;
  /** Closes every session and pool the driver opened. */
  close(): Promise<void>;
}

export type TlsOption = boolean | "require" | "prefer" | "verify-full" | { rejectUnauthorized?: boolean; ca?: string; cert?: string; key?: string };

export interface ConnectionOptions {
  /** The full URL, password included. Never printed: use `described`. */
  readonly url: string;
  /** The URL with its password masked, for messages. */
  readonly described: string;
  readonly poolSize?: number;
  /** Per-statement timeout in ms (0 = none). */
  readonly statementTimeoutMs?: number;
  /** How long DDL waits for a table lock before giving up, in ms (PostgreSQL lock_timeout, MySQL lock_wait_timeout). */
  readonly ddlLockTimeoutMs?: number;
  readonly tls?: TlsOption;
  /** PostgreSQL schema strata manages (search_path). */
  readonly schema?: string;
  /**
   * Read-only commands (status, history, --dry-run): SQLite opens the file read-only and a
   * file that does not exist reads as an empty database instead of being created.
   */
  readonly readOnly?: boolean;
}

export interface LockOptions {
  /** Give up after this many ms; 0 means try once. */
  readonly timeoutMs: number;
  /** Called once when the lock is busy, with who holds it where the database can tell. */
  readonly onWait?: (holder: string | undefined) => void;
}

export interface Adapter {
  readonly supportsTransactionalDdl: boolean;
  readonly supportsSkipLocked: boolean;
  readonly supportsPartialIndex: boolean;
  readonly supportsConcurrentIndex: boolean;
  readonly supportsReturning: boolean;
  /** False where changing a column means rebuilding the table (SQLite). */
  readonly canAlterColumn: boolean;
  /** True where a failed statement aborts the whole transaction (PostgreSQL): nothing after it runs, COMMIT rolls back. */
  readonly errorsAbortTransaction: boolean;
  /** Longest identifier the database keeps intact, in bytes. */
  readonly maxIdentifierLength: number;
  /** Most bound parameters one statement may carry. */
  readonly maxParameters: number;

  /**
   * True where the migration lock is a transaction's write lock (SQLite) instead of a
   * session lock held for the whole run: the engine then re-reads the history inside each
   * transaction it opens.
   */
  readonly locksWithTransactions: boolean;
  /**
   * BEGIN and COMMIT as plain statements, where begin()/commit() do nothing else, so the
   * engine can send them in one round trip with other statements (executeBatch).
   */
  readonly transactionStatements?: { readonly begin: string; readonly commit: string };
  /**
   * BEGIN and COMMIT for a transaction that only writes data (a seeder, a transform chunk):
   * no schema change, so foreign keys stay enforced (SQLite: BEGIN IMMEDIATE takes the
   * write lock at once).
   */
  readonly dataTransaction: { readonly begin: string; readonly commit: string };
  /**
   * Present where one transaction per run, with a savepoint per migration, is the better
   * policy: SQLite, whose write lock covers the whole database anyway and where every
   * commit costs a sync to disk. A failing migration rolls back to its savepoint and the
   * ones before it are still committed. Absent: each migration commits on its own.
   */
  readonly savepoints?: {
    begin(session: Session): Promise<void>;
    /** Releases the savepoint (SQLite: after checking foreign keys). */
    commit(session: Session): Promise<void>;
    rollback(session: Session): Promise<void>;
  };

  /** The migration lock for `key` (database + history table), held by this session until released. Throws LockError. */
  acquireLock(session: Session, key: string, options: LockOptions): Promise<void>;
  releaseLock(session: Session, key: string): Promise<void>;
  /**
   * Who holds the migration lock for `key` now, where the database can tell (undefined when
   * nobody does, or where the lock is only a transaction's: SQLite). Takes no lock.
   */
  lockHolder(session: Session, key: string): Promise<string | undefined>;
  /**
   * Optional: commits of a run may return before their log reaches the disk (PostgreSQL
   * synchronous_commit off), and `flushCommits` makes everything committed durable before
   * the run reports success. A crash in between loses whole transactions (migration and
   * history row together), never one without the other.
   */
  relaxCommits?(session: Session): Promise<void>;
  flushCommits?(session: Session): Promise<void>;
  /** Starts a migration transaction (SQLite: turns foreign keys off first, for table rebuilds). */
  begin(session: Session): Promise<void>;
  /** Commits (SQLite: checks foreign keys first and restores enforcement). */
  commit(session: Session): Promise<void>;
  rollback(session: Session): Promise<void>;
  tableExists(session: Session, table: string): Promise<boolean>;
  /** Creates what strata's own writes need before the first one (PostgreSQL: the managed schema). Never called by read-only commands. */
  prepareForWrites(session: Session): Promise<void>;
  /** Undoes what a migration may have changed in the session (search_path, timeouts, USE). */
  resetSession(session: Session): Promise<void>;
  /** Sets the session's statement timeout (ms, 0 = none) until resetSession; false where the database has none (SQLite). */
  setStatementTimeout(session: Session, timeoutMs: number): Promise<boolean>;
  /** Whether a statement failed only because it waited too long for a lock (safe to retry: it changed nothing). */
  isLockTimeout(error: unknown): boolean;
  /** Optional: whether an error rolled back the whole transaction, not only its statement (a MySQL deadlock). */
  endsTransaction?(error: unknown): boolean;
  /** Optional: whether a transaction was chosen as a deadlock's victim (nothing of it kept; safe to run again). */
  isDeadlock?(error: unknown): boolean;
  /**
   * Before a statement written as SQL runs outside a transaction: where it is a CREATE INDEX
   * CONCURRENTLY whose name an INVALID index holds (left by an earlier failed try), that index
   * is dropped first, so the retry neither fails with "already exists" nor, with IF NOT
   * EXISTS, passes over a broken index (PostgreSQL).
   */
  dropInvalidIndexFor?(session: Session, sql: string): Promise<void>;
  /**
   * An empty scratch database beside this one (strata verify): a new database on the same
   * server, or a temporary SQLite file. drop() removes it.
   */
  scratchDatabase(session: Session): Promise<{ url: string; described: string; drop(): Promise<void> }>;
}

// ---- the neutral schema shape every introspector returns -------------------------------

export interface ColumnInfo {
  name: string;
  /** The native type, lowercase, with length/precision: `varchar(255)`, `numeric(10,2)`. */
  type: string;
  nullable: boolean;
  /** The default as the database reports it, or null. */
  default: string | null;
  autoIncrement: boolean;
  comment?: string;
}

export interface IndexInfo {
  name: string;
  columns: string[];
  unique: boolean;
  /** Partial index predicate. */
  where?: string;
  /** False for an index a failed CREATE INDEX CONCURRENTLY left behind (PostgreSQL). */
  valid?: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface CheckInfo {
  name: string;
  expression: string;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Every index except the primary key's, including those backing UNIQUE constraints. */
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
  checks: CheckInfo[];
  comment?: string;
}

export interface SchemaInfo {
  tables: TableInfo[];
}

export interface Introspector {
  listTables(session: Session): Promise<string[]>;
  table(session: Session, name: string): Promise<TableInfo | undefined>;
  /** Every table (sorted by name), except those listed in `exclude`. */
  schema(session: Session, options?: { exclude?: readonly string[] }): Promise<SchemaInfo>;
}

// ---- compilation ------------------------------------------------------------------------

/** The live schema as operations compile against it (SQLite rebuilds read the current table). */
export interface Catalog {
  table(name: string): Promise<TableInfo | undefined>;
}

export interface Compiler {
  quoteIdentifier(name: string): string;
  /** The bound-parameter marker for the `index`-th value (1-based): `$1` or `?`. */
  placeholder(index: number): string;
  /** The table name as SQL, schema-qualified where the dialect has a managed schema. */
  quoteTable(name: string): string;
  /**
   * One of strata's own tables (history, log, progress, transform state), qualified with
   * the session's home schema (PostgreSQL) or the URL's database (MySQL), so a migration's
   * SET search_path or USE cannot move where strata writes.
   */
  quoteOwnTable(name: string): string;
  /** The one escaper for DDL literals (defaults, enum values, comments). */
  literal(value: JsonValue): string;
  compileOperation(op: Operation, catalog: Catalog): Promise<Statement[]>;
  compileQuery(query: Query): Statement;
  /** The SQL type of a column descriptor, as this dialect writes it. */
  columnType(column: ColumnDef): string;
  /** Splits a script into statements, respecting quotes, comments and bodies (dollar quotes, BEGIN...END). */
  splitStatements(sql: string): string[];
  /** Refuses SQL text naming something the database would silently rename (PostgreSQL cuts names over 63 bytes). */
  checkSqlIdentifiers(sql: string): void;
  /**
   * A keyset condition over the key columns, `(k1, k2) > (?, ?)` for `op` ">", with the
   * placeholders numbered from `firstParam`: index-friendly on each database.
   */
  keysetCondition(keyColumns: readonly string[], op: ">" | "<=", firstParam: number): string;
  /**
   * A transform chunk's write-back: on each row whose key equals the row's first
   * `keyColumns.length` values, set `columns` to the rest. PostgreSQL and MySQL: one
   * statement for the chunk; SQLite: one prepared statement per row (run inside the
   * chunk's transaction). `types` are the columns' native types (PostgreSQL casts).
   * `rows` are in key order, as the chunk read them.
   */
  compileBulkUpdate(table: string, keyColumns: readonly string[], columns: readonly string[], rows: readonly (readonly unknown[])[], types: Readonly<Record<string, string>>): Statement[];
  /** `for update skip locked` where the database has it, `for update` where it only locks, "" where the transaction itself is the lock (SQLite). */
  lockRowsClause(skipLocked: boolean): string;
}

export interface Dialect {
  readonly name: DialectName;
  /** "PostgreSQL", "MySQL/MariaDB", "SQLite". */
  readonly displayName: string;
  readonly driver: Driver;
  readonly compiler: Compiler;
  readonly adapter: Adapter;
  readonly introspector: Introspector;
}

/** Each dialect's index.ts exports one of these; the registry loads it lazily by URL scheme. */
export type CreateDialect = (options: ConnectionOptions) => Dialect;
