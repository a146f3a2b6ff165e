import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { ResolvedConfig } from "../config/environments.ts";
import { errors, isStrataError } from "../errors.ts";
import type { HookRunner } from "../hooks/runner.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { nowMs } from "../util/time.ts";
import type { Connection } from "./connection.ts";
import { AbortedTransaction } from "./aborted-transaction.ts";
import { CONTEXT } from "./context.ts";
import { createDb } from "./db.ts";
import { errorInfo } from "./executor.ts";
import { loadUserClass } from "./modules.ts";

export type SeedEvent = { event: "seeding"; name: string } | { event: "seeded"; name: string; ms: number };

const SEEDER_FILE = /^[^._].*\.(ts|mts|js|mjs)$/;

interface SeedContext {
  config: ResolvedConfig;
  runtime: Runtime;
  hooks: HookRunner;
  conn: Connection;
  only?: string;
  emit(event: SeedEvent): void;
}

/**
 * Runs the seeders in file-name order, each in its own transaction: a seeder that throws
 * leaves no rows behind and stops the rest.
 */
export async function runSeeders(ctx: SeedContext): Promise<string[]> {
  const { config, runtime, hooks, conn } = ctx;
  const files = existsSync(config.seeder.dir)
    ? readdirSync(config.seeder.dir).filter((f) => SEEDER_FILE.test(f) && !f.endsWith(".d.ts")).sort()
    : [];
  const seeders: { name: string; file: string; display: string }[] = [];
  for (const file of files) {
    const full = join(config.seeder.dir, file);
    seeders.push({ name: file.replace(/\.[^.]+$/, ""), file: full, display: relative(config.root, full) });
  }
  let chosen = seeders;
  const loaded = new Map<string, new () => object>();
  if (ctx.only) {
    for (const s of seeders) loaded.set(s.file, await loadUserClass(runtime, s.file, s.display, "seeder"));
    chosen = seeders.filter((s) => s.name === ctx.only || loaded.get(s.file)!.name === ctx.only);
    if (chosen.length === 0) throw errors.seederNotFound(ctx.only, seeders.map((s) => loaded.get(s.file)!.name));
  }
  const names = chosen.map((s) => s.name);
  const started = nowMs();
  const where = { environment: config.environment, database: config.database.described, dialect: conn.dialect.name };
  await hooks.call("seed:before", { ...where, seeders: names });
  const { session, dialect } = conn;
  let aborted = new AbortedTransaction("a seeder");
  const db = createDb({
    run: async (statement) => {
      aborted.assertOpen();
      try {
        return await session.execute(statement.sql, statement.params);
      } catch (error) {
        aborted.note(error, dialect.adapter.errorsAbortTransaction);
        throw error;
      }
    },
    compile: (query) => dialect.compiler.compileQuery(query),
    placeholder: (i) => dialect.compiler.placeholder(i),
    maxParameters: dialect.adapter.maxParameters,
  });
  const done: string[] = [];
  try {
    for (const seeder of chosen) {
      ctx.emit({ event: "seeding", name: seeder.name });
      const t = nowMs();
      const Class = loaded.get(seeder.file) ?? (await loadUserClass(runtime, seeder.file, seeder.display, "seeder"));
      const instance = new Class() as { run?: () => unknown };
      if (typeof instance.run !== "function") throw errors.seedFailed(seeder.name, new Error("its class has no run() method."));
      Object.defineProperty(instance, CONTEXT, { value: { db, environment: config.environment, dialect: conn.dialect.name, dryRun: false }, configurable: true });
      aborted = new AbortedTransaction(`seeder "${seeder.name}"`);
      await session.execute(dialect.adapter.dataTransaction.begin);
      try {
        await instance.run();
        aborted.assertOpen();
        await session.execute(dialect.adapter.dataTransaction.commit);
      } catch (error) {
        await dialect.adapter.rollback(session).catch(() => undefined);
        throw isStrataError(error) && error.code === "SEED_FAILED" ? error : errors.seedFailed(seeder.name, error);
      }
      done.push(seeder.name);
      ctx.emit({ event: "seeded", name: seeder.name, ms: Math.round(nowMs() - t) });
    }
  } catch (error) {
    await hooks.call("seed:after", { ...where, seeders: done, durationMs: nowMs() - started, success: false, error: errorInfo(error) });
    throw error;
  }
  await hooks.call("seed:after", { ...where, seeders: done, durationMs: nowMs() - started, success: true });
  return done;
}
