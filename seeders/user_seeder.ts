import { Seeder } from "strata";

/**
 * Initial users (the module description's UserSeeder). Idempotent: users that exist are
 * left alone, so running it twice changes nothing. The description's rows name a
 * "password" column; the table created by CreateUserTable calls it password_hash.
 */
export default class UserSeeder extends Seeder {
  async run() {
    const users = [
      { username: "admin", email: "admin@example.com", password_hash: "hashed_password" },
      { username: "test", email: "test@example.com", password_hash: "hashed_password" },
    ];
    const existing = await this.db.table("users").whereIn("username", users.map((u) => u.username)).select(["username"]);
    const have = new Set(existing.map((row) => row.username));
    await this.db.table("users").insertMany(users.filter((u) => !have.has(u.username)));
  }
}
