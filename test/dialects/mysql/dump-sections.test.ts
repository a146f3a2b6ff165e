import { describe, expect, it } from "vitest";
import { Migrator } from "../../../src/index.ts";
import { forEachDialect, testDatabase } from "../../helpers/databases.ts";
import { query } from "../../helpers/dump.ts";
import { writeProject } from "../../helpers/project.ts";

/**
 * What mysqldump output and MariaDB scripts hold, in .sql migrations: version comments the
 * server runs, LOCK TABLES blocks, anonymous BEGIN NOT ATOMIC blocks.
 */
const DUMP = `-- migrate:up
CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY);
/*!40101 SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
INSERT INTO t VALUES (0);
/*!50001 CREATE VIEW v AS SELECT id FROM t */;
CREATE TABLE u (id int PRIMARY KEY);
LOCK TABLES u WRITE;
/*!40000 ALTER TABLE u DISABLE KEYS */;
INSERT INTO u VALUES (1),(2);
/*!40000 ALTER TABLE u ENABLE KEYS */;
UNLOCK TABLES;
BEGIN NOT ATOMIC
  IF NOT EXISTS (SELECT 1 FROM u WHERE id = 3) THEN
    INSERT INTO u VALUES (3);
  END IF;
END;
-- migrate:down
DROP VIEW IF EXISTS v;
DROP TABLE t;
DROP TABLE u;
`;

const FAILING_IN_LOCK = `-- migrate:up
CREATE TABLE w (id int PRIMARY KEY);
LOCK TABLES w WRITE;
INSERT INTO w VALUES (1),(1);
UNLOCK TABLES;
-- migrate:down
DROP TABLE w;
`;

forEachDialect(() => {
  describe("mysqldump-style .sql sections", () => {
    it("run version comments, LOCK TABLES blocks and BEGIN NOT ATOMIC as the server would", async () => {
      const db = await testDatabase("mysql");
      const dir = await writeProject({ "migrations/20240101000001_dump.sql": DUMP });
      await new Migrator({ cwd: dir, url: db.url, path: "migrations" }).run();
      expect(await query(db.url, "select id from t")).toEqual([{ id: 0 }]);
      expect(await query(db.url, "select id from v")).toEqual([{ id: 0 }]);
      expect(await query(db.url, "select id from u order by id")).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(await query(db.url, "select count(*) as n from migrations_progress")).toEqual([{ n: 0 }]);
    });

    it("a statement failing under LOCK TABLES is recorded as failed, naming it, with the locks let go", async () => {
      const db = await testDatabase("mysql");
      const dir = await writeProject({ "migrations/20240101000001_locked.sql": FAILING_IN_LOCK });
      const migrator = new Migrator({ cwd: dir, url: db.url, path: "migrations" });
      const error = await migrator.run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATION_FAILED", statement: expect.stringMatching(/^INSERT INTO w VALUES \(1\),\(1\)/) });
      const [entry] = (await migrator.status()).migrations;
      expect(entry).toMatchObject({ state: "failed", failure: { statement: expect.stringMatching(/^INSERT INTO w/) } });
      expect((await migrator.history()).events.map((e) => e.action)).toEqual(["fail"]);
    });
  });
}, ["mysql"]);
