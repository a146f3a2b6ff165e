import { KIND } from "../util/brand.ts";
import { contextOf } from "./context.ts";
import type { Db } from "./db.ts";

/**
 * Base class of TypeScript/JavaScript migrations. Schema calls inside `up()`/`down()` are
 * recorded and compiled per dialect; a `down()` left out is derived from `up()` when every
 * operation is reversible.
 *
 * @example
 * export default class CreateUsers extends Migration {
 *   up() {
 *     Schema.createTable("users", [Schema.id(), Schema.string("email", { unique: true })]);
 *   }
 * }
 */
export abstract class Migration {
  static readonly [KIND] = "migration";

  // Declared, not defined: a field here would be an own property of every instance and hide
  // a subclass's getter (`get dependencies() { ... }`).
  /** Migrations (id or class name) that must be applied first. */
  declare dependencies?: readonly string[];
  /** Run inside a transaction where the database allows it (default true; false for CREATE INDEX CONCURRENTLY and the like). */
  declare transaction?: boolean;
  /** Statement timeout for this migration in ms (0 = none); overrides the config. */
  declare statementTimeout?: number;

  abstract up(): void | Promise<void>;
  down?(): void | Promise<void>;

  /** Data access inside the migration: `this.db.table("users").insertMany(rows)`, `this.db.sql\`...\``. */
  get db(): Db {
    return contextOf(this, "this.db").db;
  }

  /** The environment strata runs in (`development`, `production`, ...). */
  get environment(): string {
    return contextOf(this, "this.environment").environment;
  }

  /** The kind of database this runs on (`"postgres"`, `"mysql"` or `"sqlite"`): for a project that branches on it. */
  get dialect(): "postgres" | "mysql" | "sqlite" {
    return contextOf(this, "this.dialect").dialect;
  }

  /**
   * Transforms a table in batches: `columns` are read (the primary key always), each row is
   * passed to the method named `fn` in worker threads, and the returned values are written
   * back chunk by chunk; `{ set: { column: "sql" } }` does a pure-SQL batched update instead.
   */
  transform(table: string, options: Record<string, unknown>, fn: string | { set: Record<string, string> }): Promise<unknown> {
    const ctx = contextOf(this, "this.transform()");
    if (!ctx.transform) throw new Error("this.transform() is not available in this run.");
    return ctx.transform(table, options, fn);
  }
}
