import type { MigrationEngine, MigratorOptions } from "./engine.ts";

export type { MigratorEvent, MigratorOptions, StatusResult } from "./engine.ts";

type Engine = MigrationEngine;

/**
 * The migration engine as an API: the same work as the CLI, without printing or exiting.
 * `new Migrator()` reads strata.config.* from the working directory; `new Migrator(options)`
 * takes the config inline. The engine (drivers, config loading) loads on the first call, so
 * importing "strata" stays light (worker threads import it too).
 *
 * Errors: rejects with a StrataError (a MigrationError carrying `result` when a migration
 * failed part-way): DEPENDENCY_MISSING, DEPENDENCY_CYCLE, DUPLICATE_ID, MIGRATION_INVALID,
 * MIGRATION_FAILED, CHECKSUM_MISMATCH, MIGRATION_MISSING, IRREVERSIBLE, LOCK_TIMEOUT,
 * PLUGIN_ABORTED, BACKUP_FAILED, TRANSFORM_FAILED, CONFIG_INVALID.
 *
 * @example
 * const migrator = new Migrator({ url: "postgres://localhost/app" });
 * const { applied } = await migrator.run();
 * await migrator.rollback();
 */
export class Migrator {
  readonly #options: MigratorOptions;
  #engine?: Promise<Engine>;

  constructor(options: MigratorOptions = {}) {
    this.#options = options;
  }

  #get(): Promise<Engine> {
    return (this.#engine ??= import("./engine.ts").then((m) => new m.MigrationEngine(this.#options)));
  }

  /** Applies pending migrations (up to `to`); resolves with the ids applied. */
  async run(...args: Parameters<Engine["run"]>): ReturnType<Engine["run"]> {
    return (await this.#get()).run(...args);
  }

  /** Rolls back the last batch. */
  async rollback(...args: Parameters<Engine["rollback"]>): ReturnType<Engine["rollback"]> {
    return (await this.#get()).rollback(...args);
  }

  /** Rolls back everything applied after `version` (an id, version or class name), newest first. */
  async rollbackTo(...args: Parameters<Engine["rollbackTo"]>): ReturnType<Engine["rollbackTo"]> {
    return (await this.#get()).rollbackTo(...args);
  }

  /** Rolls back the last batch, `steps` migrations, everything after `to`, or `all`. */
  async down(...args: Parameters<Engine["down"]>): ReturnType<Engine["down"]> {
    return (await this.#get()).down(...args);
  }

  /** Every migration with its state, and the graph's heads. Read-only: creates nothing. */
  async status(...args: Parameters<Engine["status"]>): ReturnType<Engine["status"]> {
    return (await this.#get()).status(...args);
  }

  /** The append-only event log, oldest first. Read-only. */
  async history(): ReturnType<Engine["history"]> {
    return (await this.#get()).history();
  }

  /** Runs the seeders (or only the one named), each in a transaction. */
  async seed(...args: Parameters<Engine["seed"]>): ReturnType<Engine["seed"]> {
    return (await this.#get()).seed(...args);
  }

  /** Resolves a modified, missing or failed migration explicitly; logged as a `resolve` event. */
  async resolve(...args: Parameters<Engine["resolve"]>): ReturnType<Engine["resolve"]> {
    return (await this.#get()).resolve(...args);
  }

  /** A full backup now (through the plugin providing backups, else the built-in one). */
  async backup(): ReturnType<Engine["backup"]> {
    return (await this.#get()).backup();
  }

  /** Backups of this environment's database, newest first. */
  async backups(): ReturnType<Engine["backups"]> {
    return (await this.#get()).backups();
  }

  /** Restores a backup into the configured database (or `url`), holding the migration lock. */
  async restore(...args: Parameters<Engine["restore"]>): ReturnType<Engine["restore"]> {
    return (await this.#get()).restore(...args);
  }

  /** Every transform recorded in this database: state and progress (read-only). */
  async transforms(): ReturnType<Engine["transforms"]> {
    return (await this.#get()).transforms();
  }

  /** Asks running transforms (one, or all) to stop after their chunks in flight. */
  async pauseTransform(...args: Parameters<Engine["pauseTransform"]>): ReturnType<Engine["pauseTransform"]> {
    return (await this.#get()).pauseTransform(...args);
  }

  /** Resumes paused transforms (without an id, running ones too): runs the migration on, or joins a runner that holds the lock. */
  async resumeTransform(...args: Parameters<Engine["resumeTransform"]>): ReturnType<Engine["resumeTransform"]> {
    return (await this.#get()).resumeTransform(...args);
  }

  /** The resolved configuration (environment, database, paths) this migrator works with. */
  async config(): ReturnType<Engine["config"]> {
    return (await this.#get()).config();
  }

  /** Loaded plugins, the hooks they use and the commands they add. */
  async plugins(): ReturnType<Engine["plugins"]> {
    return (await this.#get()).plugins();
  }

  /** Static checks: graph, heads, conflicts, and drift of the history (modified, missing, failed). */
  async check(): ReturnType<Engine["check"]> {
    return (await this.#get()).check();
  }

  /** The heads of the migrations folder, from the files alone (no database). */
  async heads(): ReturnType<Engine["heads"]> {
    return (await this.#get()).heads();
  }

  /** Writes a migration depending on every head, when branches left several. */
  async merge(...args: Parameters<Engine["merge"]>): ReturnType<Engine["merge"]> {
    return (await this.#get()).merge(...args);
  }

  /** up/down/up of the pending migrations on a scratch database; the real one is not touched. */
  async verify(): ReturnType<Engine["verify"]> {
    return (await this.#get()).verify();
  }

  /** A CLI command a plugin adds, by name. */
  async pluginCommand(...args: Parameters<Engine["pluginCommand"]>): ReturnType<Engine["pluginCommand"]> {
    return (await this.#get()).pluginCommand(...args);
  }
}
