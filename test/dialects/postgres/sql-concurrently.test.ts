import { expect, it } from "vitest";
import { Migrator } from "../../../src/index.ts";
import { forEachDialect, testDatabase } from "../../helpers/databases.ts";
import { query } from "../../helpers/dump.ts";
import { writeProject } from "../../helpers/project.ts";

forEachDialect(() => {
  it("a .sql migration with CREATE INDEX CONCURRENTLY and no transaction option applies and rolls back (run outside a transaction)", async () => {
    const db = await testDatabase("postgres");
    const dir = await writeProject({
      "migrations/20260101000000_accounts.sql": "-- migrate:up\ncreate table accounts (id int primary key, email text);\n-- migrate:down\ndrop table accounts;\n",
      "migrations/20260102000000_accounts_email.sql": "-- migrate:up\ncreate unique index concurrently accounts_email on accounts (email);\n-- migrate:down\ndrop index concurrently accounts_email;\n",
    });
    const migrator = new Migrator({ cwd: dir, url: db.url });
    expect((await migrator.run()).applied).toEqual(["20260101000000_accounts", "20260102000000_accounts_email"]);
    const index = "select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'accounts_email'";
    expect(await query(db.url, index)).toEqual([{ valid: true }]);
    expect((await migrator.down({ steps: 1 })).rolledBack).toEqual(["20260102000000_accounts_email"]);
    expect(await query(db.url, index)).toEqual([]);
  });
}, ["postgres"]);
