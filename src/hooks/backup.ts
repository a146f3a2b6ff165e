/**
 * What a plugin that provides backups implements (the built-in `backup()` plugin does).
 * strata calls it before a run in an environment with backup on, and for `strata backup`,
 * `strata backup list` and `strata restore`. The request carries the database URL with its
 * password: a provider passes it to its tools through the environment or an option file,
 * never on a command line, and never prints it (use `database.described`).
 */
export interface BackupProvider {
  create(request: BackupRequest): Promise<BackupResult>;
  list(request: BackupRequest): Promise<BackupEntry[]>;
  restore(request: BackupRequest, file: string): Promise<void>;
}

export interface BackupRequest {
  environment: string;
  database: { url: string; described: string; dialect: "postgres" | "mysql" | "sqlite"; schema?: string };
  /** The newest applied migration when the backup is taken, for the manifest. */
  head?: string;
  reason: "run" | "command";
  /** The config's `backup` settings, resolved: folder (absolute), compression, retention. */
  options: { dir: string; compress: boolean; retentionDays: number };
  strataVersion: string;
  /**
   * Runs SQL on the database through strata's own driver (e.g. SQLite's `vacuum into`),
   * with `?` placeholders on SQLite and MySQL, `$1` on PostgreSQL.
   */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  log(message: string): void;
}

export interface BackupResult {
  file: string;
  sizeBytes: number;
}

export interface BackupEntry {
  file: string;
  createdAt: string;
  sizeBytes: number;
  environment?: string;
  database?: string;
  head?: string;
}
