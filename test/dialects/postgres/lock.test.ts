import { expect, it } from "vitest";
import { LockError } from "../../../src/errors.ts";
import { advisoryLockKey } from "../../../src/dialects/postgres/adapter.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

forEachDialect(() => {
  it("derives a stable 64-bit key from the lock name", () => {
    expect(advisoryLockKey("db:migrations")).toBe(advisoryLockKey("db:migrations"));
    expect(advisoryLockKey("db:migrations")).not.toBe(advisoryLockKey("db:other"));
    expect(BigInt.asIntN(64, advisoryLockKey("x"))).toBe(advisoryLockKey("x"));
  });

  it("times out a second session with a LockError naming the holder, then lets it in once released", async () => {
    const h = await postgresHarness();
    const { adapter } = h.dialect;
    const holder = h.session;
    const waiter = await h.open();
    const holderPid = (await holder.execute(`select pg_backend_pid() as pid`)).rows[0].pid;

    await adapter.acquireLock(holder, "strata:migrations", { timeoutMs: 0 });
    const waits: (string | undefined)[] = [];
    const error = await adapter.acquireLock(waiter, "strata:migrations", { timeoutMs: 300, onWait: (who) => waits.push(who) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    expect(error).toMatchObject({ code: "LOCK_TIMEOUT" });
    const message = (error as Error).message;
    expect(message).toContain(`backend pid ${holderPid}`);
    expect(message).toContain(`strata ${process.pid}@`);
    expect(message).toContain("waited 300 ms");
    expect(message).not.toContain("s3cret");
    expect(waits).toHaveLength(1);
    expect(waits[0]).toContain(`backend pid ${holderPid}`);

    // timeoutMs 0 tries once.
    await expect(adapter.acquireLock(waiter, "strata:migrations", { timeoutMs: 0 })).rejects.toBeInstanceOf(LockError);
    // Another key is another lock.
    await adapter.acquireLock(waiter, "strata:other", { timeoutMs: 0 });

    await adapter.releaseLock(holder, "strata:migrations");
    await adapter.acquireLock(waiter, "strata:migrations", { timeoutMs: 0 });
    await expect(adapter.acquireLock(holder, "strata:migrations", { timeoutMs: 0 })).rejects.toBeInstanceOf(LockError);
  });

  it("is a session lock: it survives the holder's transactions and a waiter gets it when the holder's session ends", async () => {
    const h = await postgresHarness();
    const { adapter } = h.dialect;
    const holder = await h.open();
    await adapter.acquireLock(holder, "k", { timeoutMs: 0 });
    await adapter.begin(holder);
    await adapter.rollback(holder);
    await expect(adapter.acquireLock(h.session, "k", { timeoutMs: 0 })).rejects.toBeInstanceOf(LockError);
    const waiting = adapter.acquireLock(h.session, "k", { timeoutMs: 30_000 });
    await holder.close();
    await waiting;
  });

  it("lets the holder create an index concurrently while another runner waits for the lock", async () => {
    const h = await postgresHarness();
    const { adapter } = h.dialect;
    const runner = await h.open();
    await h.apply(() => Schema.createTable("big", [Schema.id(), Schema.integer("n")]), runner);
    await runner.execute(`insert into "big" ("n") select g from generate_series(1, 1000) g`);
    await adapter.acquireLock(runner, "strata:migrations", { timeoutMs: 0 });

    let waited = false;
    const second = adapter.acquireLock(h.session, "strata:migrations", { timeoutMs: 60_000, onWait: () => (waited = true) });
    while (!waited) await new Promise((resolve) => setTimeout(resolve, 20));
    // CREATE INDEX CONCURRENTLY waits for every open transaction in the database; a waiter
    // that sat inside pg_advisory_lock would keep one open and the two would deadlock.
    await h.apply(() => Schema.createIndex("big", ["n"], { concurrently: true }), runner);
    await adapter.releaseLock(runner, "strata:migrations");
    await second;
    expect((await h.table("big")).indexes).toEqual([{ name: "big_n_idx", columns: ["n"], unique: false }]);
  });
}, ["postgres"]);
