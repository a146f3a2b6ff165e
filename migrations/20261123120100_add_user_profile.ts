import { Migration, Schema } from "strata";

/** One profile per user (the module description's AddUserProfile). */
export default class AddUserProfile extends Migration {
  dependencies = ["CreateUserTable"];

  up() {
    Schema.createTable("user_profiles", [
      Schema.id(),
      Schema.foreignKey("user_id", "users", "id", { onDelete: "cascade" }),
      Schema.string("full_name"),
      Schema.text("bio", { nullable: true }),
      Schema.timestamps(),
    ]);
  }

  down() {
    Schema.dropTable("user_profiles");
  }
}
