import { describe, expect, it } from "vitest";
import { LockError } from "../../../src/errors.ts";
import { sqliteFixture } from "./fixture.ts";

describe("sqlite adapter", () => {
  it("declares SQLite's capabilities", async () => {
    const { dialect } = await sqliteFixture();
    expect(dialect.name).toBe("sqlite");
    expect(dialect.displayName).toBe("SQLite");
    expect({ ...dialect.adapter }).toMatchObject({
      supportsTransactionalDdl: true,
      supportsSkipLocked: false,
      supportsPartialIndex: true,
      supportsConcurrentIndex: false,
      supportsReturning: true,
      canAlterColumn: false,
      maxParameters: 32766,
      maxIdentifierLength: 1024,
    });
    expect(dialect.compiler.placeholder(3)).toBe("?");
  });

  it("a second runner's lock times out with LOCK_TIMEOUT while another connection holds the write lock", async () => {
    const db = await sqliteFixture();
    const other = await db.dialect.driver.open();
    await other.execute("begin immediate");
    const waits: (string | undefined)[] = [];
    const error = await db.dialect.adapter.acquireLock(db.session, "migrations", { timeoutMs: 150, onWait: (holder) => waits.push(holder) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    expect(error).toMatchObject({ code: "LOCK_TIMEOUT", exitCode: 1 });
    expect((error as Error).message).toContain(db.file);
    expect(waits).toEqual([undefined]);
    // A write outside a transaction waits busy_timeout, then fails with a retryable lock timeout.
    await db.session.execute("pragma busy_timeout = 50");
    const busy = await db.session.execute("create table t (x)").catch((e: unknown) => e);
    expect(busy).toMatchObject({ code: "DATABASE_ERROR", details: { databaseCode: "SQLITE_BUSY" } });
    expect(db.dialect.adapter.isLockTimeout(busy)).toBe(true);
    expect(db.dialect.adapter.isLockTimeout(await db.session.execute("selec 1").catch((e: unknown) => e))).toBe(false);
    // begin() of a migration transaction meets the same lock.
    await expect(db.dialect.adapter.begin(db.session)).rejects.toMatchObject({ code: "LOCK_TIMEOUT" });
    expect((await db.session.execute("pragma foreign_keys")).rows).toEqual([{ foreign_keys: 1 }]);

    await other.execute("rollback");
    await db.dialect.adapter.acquireLock(db.session, "migrations", { timeoutMs: 150 });
    expect((await db.session.execute("pragma busy_timeout")).rows).toEqual([{ timeout: 150 }]);
    await db.dialect.adapter.releaseLock(db.session, "migrations");
  });

  it("timeout 0 tries once, without reporting a wait", async () => {
    const db = await sqliteFixture();
    const other = await db.dialect.driver.open();
    await other.execute("begin immediate");
    const waits: unknown[] = [];
    await expect(db.dialect.adapter.acquireLock(db.session, "k", { timeoutMs: 0, onWait: (h) => waits.push(h) })).rejects.toMatchObject({ code: "LOCK_TIMEOUT" });
    expect(waits).toEqual([]);
  });

  it("begin turns foreign keys off for the transaction; commit and rollback turn them back on", async () => {
    const db = await sqliteFixture();
    const fk = async () => (await db.session.execute("pragma foreign_keys")).rows[0].foreign_keys;
    await db.dialect.adapter.begin(db.session);
    expect(await fk()).toBe(0);
    await db.session.execute("create table t (x)");
    await db.dialect.adapter.commit(db.session);
    expect(await fk()).toBe(1);
    await db.dialect.adapter.begin(db.session);
    await db.session.execute("drop table t");
    await db.dialect.adapter.rollback(db.session);
    expect(await fk()).toBe(1);
    expect(await db.dialect.adapter.tableExists(db.session, "T")).toBe(true);
    // rollback without a transaction is harmless
    await db.dialect.adapter.rollback(db.session);
    expect(await db.dialect.adapter.tableExists(db.session, "nope")).toBe(false);
    const scratch = await db.dialect.adapter.scratchDatabase(db.session);
    expect(scratch.url).toMatch(/^file:.*verify\.db$/);
    await scratch.drop();
  });
});
