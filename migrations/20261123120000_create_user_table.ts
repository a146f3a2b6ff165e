import { Migration, Schema } from "strata";

/** The users table (the module description's CreateUserTable). */
export default class CreateUserTable extends Migration {
  up() {
    Schema.createTable("users", [
      Schema.id(),
      Schema.string("username", { unique: true }),
      Schema.string("email", { unique: true }),
      Schema.string("password_hash"),
      Schema.timestamps(),
    ]);
    Schema.createIndex("users", ["username"]);
  }

  down() {
    Schema.dropTable("users");
  }
}
