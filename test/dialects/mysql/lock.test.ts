import { describe, expect, it, onTestFinished } from "vitest";
import { lockName } from "../../../src/dialects/mysql/adapter.ts";
import { createMysqlDialect } from "../../../src/dialects/mysql/index.ts";
import { LockError } from "../../../src/errors.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { openMysql, type MysqlFixture } from "./setup.ts";

/** A second strata process on the same database: its own dialect, pool and session. */
async function secondRunner(fx: MysqlFixture) {
  const dialect = createMysqlDialect(fx.options);
  onTestFinished(() => dialect.driver.close());
  return { dialect, session: await dialect.driver.open() };
}

const connectionId = async (fx: { session: { execute(sql: string): Promise<{ rows: Record<string, unknown>[] }> } }) =>
  Number((await fx.session.execute("select connection_id() as id")).rows[0].id);

describe("lockName", () => {
  it("fits GET_LOCK's 64 characters for any key and differs per key", () => {
    const long = lockName(`db_${"x".repeat(500)}.migrations`);
    expect(long).toHaveLength(64);
    expect(long.startsWith("strata:")).toBe(true);
    expect(lockName("a.migrations")).not.toBe(lockName("b.migrations"));
  });
});

forEachDialect(() => {
  describe("GET_LOCK migration lock", () => {
    it("makes a second runner time out with a LockError naming the holder, until released", async () => {
      const fx = await openMysql();
      const key = `${fx.db.name}.migrations`;
      await fx.dialect.adapter.acquireLock(fx.session, key, { timeoutMs: 0 });
      const holderId = await connectionId(fx);

      const b = await secondRunner(fx);
      const waits: (string | undefined)[] = [];
      const error = await b.dialect.adapter.acquireLock(b.session, key, { timeoutMs: 600, onWait: (holder) => waits.push(holder) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockError);
      expect(error).toMatchObject({ code: "LOCK_TIMEOUT" });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toContain(`connection ${holderId} `);
      expect(waits[0]).toMatch(/root@/);
      expect((error as Error).message).toContain(`connection ${holderId} `);
      expect((error as Error).message).toContain(fx.options.described);
      expect((error as { hint?: string }).hint).toBeTruthy();

      // Another key is another lock.
      await b.dialect.adapter.acquireLock(b.session, `${fx.db.name}.other_history`, { timeoutMs: 0 });

      await fx.dialect.adapter.releaseLock(fx.session, key);
      await b.dialect.adapter.acquireLock(b.session, key, { timeoutMs: 0 });
      await expect(fx.dialect.adapter.acquireLock(fx.session, key, { timeoutMs: 0 })).rejects.toBeInstanceOf(LockError);
    });

    it("waits for a lock released while waiting", async () => {
      const fx = await openMysql();
      const key = `${fx.db.name}.migrations`;
      await fx.dialect.adapter.acquireLock(fx.session, key, { timeoutMs: 0 });
      const b = await secondRunner(fx);
      let waited = 0;
      const acquired = b.dialect.adapter.acquireLock(b.session, key, {
        timeoutMs: 30_000,
        onWait: () => {
          waited++;
          void fx.dialect.adapter.releaseLock(fx.session, key);
        },
      });
      await expect(acquired).resolves.toBeUndefined();
      expect(waited).toBe(1);
    });

    it("is released by the server when the holding connection dies", async () => {
      const fx = await openMysql();
      const key = `${fx.db.name}.migrations`;
      await fx.dialect.adapter.acquireLock(fx.session, key, { timeoutMs: 0 });
      const holderId = await connectionId(fx);
      const b = await secondRunner(fx);
      await expect(b.dialect.adapter.acquireLock(b.session, key, { timeoutMs: 0 })).rejects.toBeInstanceOf(LockError);

      await b.session.execute("kill ?", [holderId]);
      await b.dialect.adapter.acquireLock(b.session, key, { timeoutMs: 10_000 });
      await expect(fx.session.execute("select 1")).rejects.toMatchObject({ code: "DATABASE_ERROR" });
    });

    it("is released when the session is closed and its connection goes back to the pool", async () => {
      const fx = await openMysql({ poolSize: 1 });
      const key = `${fx.db.name}.migrations`;
      await fx.dialect.adapter.acquireLock(fx.session, key, { timeoutMs: 0 });
      await fx.session.close();
      const b = await secondRunner(fx);
      await b.dialect.adapter.acquireLock(b.session, key, { timeoutMs: 0 });
    });
  });
}, ["mysql"]);
