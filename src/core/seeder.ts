import { KIND } from "../util/brand.ts";
import { contextOf } from "./context.ts";
import type { Db } from "./db.ts";

/**
 * Base class of seeders: `run()` fills tables through `this.db`. Seeders run in file-name
 * order, each in its own transaction, only in environments the config allows.
 *
 * @example
 * export default class UserSeeder extends Seeder {
 *   async run() {
 *     await this.db.table("users").insertMany([{ username: "admin", email: "admin@example.com" }]);
 *   }
 * }
 */
export abstract class Seeder {
  static readonly [KIND] = "seeder";

  abstract run(): void | Promise<void>;

  get db(): Db {
    return contextOf(this, "this.db").db;
  }

  get environment(): string {
    return contextOf(this, "this.environment").environment;
  }

  /** The kind of database this runs on (`"postgres"`, `"mysql"` or `"sqlite"`): for a project that branches on it. */
  get dialect(): "postgres" | "mysql" | "sqlite" {
    return contextOf(this, "this.dialect").dialect;
  }
}
