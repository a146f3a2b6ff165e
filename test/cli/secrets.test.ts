import { describe, expect, it } from "vitest";
import { testDatabase, unavailable } from "../helpers/databases.ts";
import { ADMIN_URLS } from "../helpers/servers.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, printed, strata, tableMigration } from "./fixtures.ts";

const files = () => ({ "migrations/20260101000000_create_things.ts": tableMigration("CreateThings", "things") });

/** Nothing of the password may be printed, in any spelling. */
function expectNoSecret(output: string, fragments: readonly string[]): void {
  for (const fragment of fragments) expect(output).not.toContain(fragment);
}

const REFUSED = [
  { label: "postgres://", url: "postgres://u:s3cret@127.0.0.1:1/db", fragments: ["s3cret"] },
  { label: "mysql:// with @ and : in the password", url: "mysql://u:p@ss:w0rd@127.0.0.1:1/db", fragments: ["p@ss", "w0rd"] },
  { label: "mysql:// with the password %-encoded", url: "mysql://u:p%40ss%3Aw0rd@127.0.0.1:1/db", fragments: ["p@ss", "p%40ss", "w0rd"] },
] as const;

describe("a password in a database URL is never printed", () => {
  for (const { label, url, fragments } of REFUSED) {
    it(`${label}: --url, DATABASE_URL and the config's database, connection refused`, async () => {
      const dir = await writeProject({
        ...files(),
        "strata.config.ts": `export default { environments: { development: {}, production: { database: ${JSON.stringify(url)} } } };\n`,
      });
      const runs = [
        await strata(dir, ["up", "--url", url]),
        await strata(dir, ["status", "--json", "--url", url]),
        await strata(dir, ["history"], { DATABASE_URL: url }),
        await strata(dir, ["up", "--dry-run", "--env", "production"]),
        await strata(dir, ["down", "--env", "production", "--json"]),
      ];
      for (const result of runs) {
        expectExit(result, 1);
        expect(result.stderr).toContain("127.0.0.1:1");
        expectNoSecret(printed(result), fragments);
      }
    });
  }

  it.skipIf(unavailable("mysql") !== undefined)("a password the server rejects (MariaDB)", async () => {
    const url = new URL(ADMIN_URLS.mysql);
    const dir = await writeProject(files());
    const result = await strata(dir, ["up", "--url", `mysql://${url.username || "root"}:p@ss:w0rd@${url.host}/strata_no_such_db`]);
    expectExit(result, 1);
    expect(result.stderr).toMatch(/access denied/i);
    expectNoSecret(printed(result), ["p@ss", "w0rd"]);
  });

  it.skipIf(unavailable("postgres") !== undefined)("a password on a live server, through a failing migration (PostgreSQL)", async () => {
    const db = await testDatabase("postgres");
    const url = new URL(db.url);
    url.password = "s3cret";
    const dir = await writeProject({ "migrations/20260101000000_broken.sql": "-- migrate:up\ncreate tabel broken (id integer);\n" });
    const status = await strata(dir, ["status", "--url", url.href]);
    expectExit(status, 0);
    expect(status.stdout).toContain(":***@");
    const result = await strata(dir, ["up", "--url", url.href]);
    expectExit(result, 1);
    expect(result.stderr).toContain("20260101000000_broken");
    for (const r of [status, result]) expectNoSecret(printed(r), ["s3cret"]);
  });
});
