import { existsSync } from "node:fs";
import { sqlitePath } from "../config/database-url.ts";
import type { StrataConfig } from "../config/define-config.ts";
import type { ResolvedConfig } from "../config/environments.ts";
import { errors, isStrataError, messageOf, MigrationError, type RunResult } from "../errors.ts";
import type { BackupEntry, BackupResult } from "../hooks/backup.ts";
import type { PluginCommand } from "../hooks/define-plugin.ts";
import type { RunInfo } from "../hooks/types.ts";
import { readGitCommit, whoAmI } from "../util/identity.ts";
import { nowMs, sleep } from "../util/time.ts";
import { STRATA_VERSION } from "../util/version.ts";
import { backupProvider, listBackups, restoreBackup, takeBackup, type BackupEvent } from "./backups.ts";
import { TransformStore } from "../transform/checkpoint.ts";
import { checkWorkspace, schemaDrift, verifyPending, writeMergeMigration, type CheckProblem, type VerifyResult } from "./checks.ts";
import { configuredDialect, connect, type Connection } from "./connection.ts";
import type { MigrationSource } from "./discover.ts";
import { errorInfo, Executor, type MigrationInstance, type RunEvent } from "./executor.ts";
import { History, type HistoryEvent } from "./history.ts";
import { loadUserClass } from "./modules.ts";
import { assertDownOptions, assertNoBlockers, computeStatus, planDown, planUp, visibleHeads, withStoppedStatements, type AppliedRecord, type DownOptions, type ProgressRecord, type Status, type StatusEntry } from "./plan.ts";
import { resolveMigration, type ResolveAction } from "./resolve.ts";
import { runSeeders, type SeedEvent } from "./seeds.ts";
import { loadSettings, loadWorkspace, type Settings, type Workspace } from "./workspace.ts";
import { provided } from "./providers.ts";
import { dbmateApplied, recordAdopted } from "./adopt.ts";
import { joinTransforms, listTransforms, liveRunner, setTransformsState, type TransformStatus, type TransformSupport } from "./transforms.ts";
import type { BatchPolicy } from "../hooks/batching.ts";

export type MigratorEvent =
  | RunEvent
  | SeedEvent
  | BackupEvent
  | { event: "plan"; direction: "up" | "down"; ids: string[]; dryRun: boolean }
  | { event: "lock-wait"; holder?: string }
  | { event: "warning"; message: string }
  | { event: "plugin-log"; plugin: string; message: string };

export interface MigratorOptions extends Omit<StrataConfig, "url"> {
  /** Project directory (default: the working directory). */
  cwd?: string;
  /** Config file to load instead of strata.config.* in `cwd`. */
  configFile?: string;
  /** Environment name (default: STRATA_ENV, NODE_ENV when configured, "development"). */
  env?: string;
  /** Database URL; wins over DATABASE_URL and the config. */
  url?: string;
  /** Receives progress events (`migrated`, `statement` in dry runs, warnings). */
  onEvent?: (event: MigratorEvent) => void;
  /**
   * Aborting it stops a run after the migration in progress (a transform after its chunks
   * in flight), with what completed recorded; the run then rejects with INTERRUPTED. The
   * reason, when a string, names the cause (the CLI passes the signal's name).
   */
  signal?: AbortSignal;
}

export interface StatusResult {
  migrations: { id: string; state: StatusEntry["state"]; version: string; name: string; appliedAt?: string; batch?: number; failure?: StatusEntry["failure"] }[];
  heads: string[];
}


/** The engine behind the public Migrator (core/migrator.ts), loaded on first use. */
export class MigrationEngine {
  readonly #options: MigratorOptions;
  #settingsPromise?: Promise<Settings>;
  #warnedNoFolder = false;

  constructor(options: MigratorOptions = {}, settings?: Settings) {
    this.#options = options;
    if (settings) this.#settingsPromise = Promise.resolve(settings);
  }

  #emit(event: MigratorEvent): void {
    this.#options.onEvent?.(event);
  }

  /**
   * Applies pending migrations (up to `to`); resolves with the ids applied. In an environment
   * configured with `dryRun: true` it only plans (applies nothing) unless `apply: true`.
   */
  async run(options: { to?: string; dryRun?: boolean; apply?: boolean; singleTransaction?: boolean } = {}): Promise<{ applied: string[] }> {
    const result = await this.#migrate("up", options, (ws, status) => ({ up: planUp(ws.graph, status, options.to) }));
    return { applied: result.applied };
  }

  /** Rolls back the last batch. */
  async rollback(options: { dryRun?: boolean; apply?: boolean } = {}): Promise<{ rolledBack: string[] }> {
    return this.down(options);
  }

  /** Rolls back everything applied after `version` (an id, version or class name), newest first. */
  async rollbackTo(version: string, options: { dryRun?: boolean; apply?: boolean } = {}): Promise<{ rolledBack: string[] }> {
    // Without one it would roll back the last batch: not what rollbackTo() promises.
    if (typeof version !== "string" || version === "") throw errors.usage(`rollbackTo() needs the migration to roll back to (an id, version or class name), got ${JSON.stringify(version) ?? "nothing"}.`, "Use rollback() for the last batch.");
    return this.down({ ...options, to: version });
  }

  /** Rolls back the last batch, `steps` migrations, everything after `to`, or `all`; plan-only environments as run(). */
  async down(options: DownOptions & { dryRun?: boolean; apply?: boolean; singleTransaction?: boolean } = {}): Promise<{ rolledBack: string[] }> {
    assertDownOptions(options);
    // A SQLite file that does not exist has nothing to roll back: it is not created for that.
    const { database } = (await this.#settings()).config;
    const file = sqlitePath(database.url);
    if (file !== undefined && file !== ":memory:" && !existsSync(file)) {
      // Nothing is applied there: --to names a migration that is not applied (or none at all), as anywhere else.
      if (options.to !== undefined) planDown((await this.#load()).graph, [], options);
      return { rolledBack: [] };
    }
    const result = await this.#migrate("down", options, (ws, _status, applied) => ({ down: planDown(ws.graph, applied, options) }));
    return { rolledBack: result.rolledBack };
  }

  /**
   * Every migration with its state, and the graph's heads. Read-only: creates nothing.
   * With `transforms`, also the transforms recorded, read over the same connection.
   */
  async status(options: { transforms?: boolean } = {}): Promise<StatusResult & { transforms?: TransformStatus[]; lockHolder?: string }> {
    const ws = await this.#load();
    return this.#read(ws, async (history, conn) => {
      const [recorded, progress] = await Promise.all([history.readApplied(), history.readProgress()]);
      const applied = recorded.length ? recorded : (await dbmateApplied(conn, history, ws.graph)).adopted;
      const status = computeStatus(ws.graph, applied, withStoppedStatements(progress, ws.graph, (sql) => conn.dialect.compiler.splitStatements(sql)));
      // A marker still running is failed unless its runner lives on: the session holding the lock can tell.
      const holder = progress.some((p) => p.kind === "statements" && p.state === "running") ? await conn.dialect.adapter.lockHolder(conn.session, conn.lockKey) : undefined;
      const result: StatusResult & { transforms?: TransformStatus[]; lockHolder?: string } = {
        migrations: status.entries.map((e) => {
          const entry: StatusResult["migrations"][number] = { id: e.id, state: e.state, version: e.version, name: e.name };
          if (e.appliedAt) entry.appliedAt = e.appliedAt;
          if (e.batch !== undefined) entry.batch = e.batch;
          if (e.failure) entry.failure = e.failure;
          return entry;
        }),
        heads: visibleHeads(ws.graph, ws.config.strategy),
      };
      if (holder) result.lockHolder = holder;
      if (options.transforms) result.transforms = await listTransforms(conn, ws.config.table);
      return result;
    });
  }

  /** The append-only event log, oldest first. Read-only; needs no readable migrations folder. */
  async history(): Promise<{ events: HistoryEvent[] }> {
    const ws = await this.#settings();
    return { events: await this.#read(ws, (history) => history.readEvents()) };
  }

  /** Runs the seeders (or only the one named), each in a transaction. */
  async seed(options: { only?: string } = {}): Promise<{ seeded: string[] }> {
    const ws = await this.#settings();
    const { config } = ws;
    if (!config.seeder.environments.includes(config.environment)) throw errors.seedNotAllowed(config.environment, config.seeder.environments);
    const conn = await connect(config);
    try {
      const seeded = await runSeeders({ ...ws, conn, only: options.only, emit: (e) => this.#emit(e) });
      return { seeded };
    } finally {
      await conn.close();
    }
  }

  /** A full backup now (through the plugin providing backups, else the built-in one). */
  async backup(): Promise<BackupResult> {
    const ws = await this.#settings();
    const head = await this.#read(ws, async (history) => headOf(await history.readApplied()));
    const { file, sizeBytes } = await this.#backup(ws, "command", head);
    return { file, sizeBytes };
  }

  /** Backups of this environment's database, newest first. */
  async backups(): Promise<BackupEntry[]> {
    const ws = await this.#settings();
    return listBackups(this.#backupContext(ws), await backupProvider(ws.hooks.plugins, ws.runtime));
  }

  /** Restores a backup into the configured database (or `url`), holding the migration lock. */
  async restore(file: string): Promise<void> {
    const ws = await this.#settings();
    const provider = await backupProvider(ws.hooks.plugins, ws.runtime);
    await this.#locked(ws, false, () => restoreBackup(this.#backupContext(ws), provider, file));
  }

  async #backup(ws: Settings, reason: "run" | "command", head: string | undefined): Promise<BackupResult> {
    const provider = await backupProvider(ws.hooks.plugins, ws.runtime);
    const result = await takeBackup(this.#backupContext(ws), provider, reason, head);
    this.#emit({ event: "backup", file: result.file, sizeBytes: result.sizeBytes, ms: Math.round(result.ms), reason });
    return result;
  }

  #backupContext(ws: Settings) {
    return { config: ws.config, runtime: ws.runtime, hooks: ws.hooks, log: (message: string) => this.#emit({ event: "plugin-log", plugin: "backup", message }) };
  }

  /** The heads of the migrations folder (see visibleHeads), from the files alone: no database. */
  async heads(): Promise<string[]> {
    const ws = await this.#load();
    return visibleHeads(ws.graph, ws.config.strategy);
  }

  /** The resolved configuration (environment, database, paths) this migrator works with. */
  async config(): Promise<ResolvedConfig> {
    return (await this.#settings()).config;
  }

  /**
   * Loaded plugins and the hooks they use; where backups are on for the environment and no
   * plugin provides them, the built-in backup plugin that will take them.
   */
  async plugins(): Promise<{ name: string; hooks: string[]; commands: string[]; backup: boolean; builtin?: true }[]> {
    const ws = await this.#settings();
    const listed = ws.hooks.plugins.map((p) => ({ name: p.name, hooks: ws.hooks.hooksOf(p.name), commands: (p.commands ?? []).map((c) => c.name), backup: Boolean(p.backup) }));
    if (!ws.config.backup.enabled || listed.some((p) => p.backup)) return listed;
    return [...listed, { name: "backup", hooks: [], commands: [], backup: true, builtin: true }];
  }

  /** Resolves a modified, missing or failed migration explicitly; logged as a `resolve` event. */
  async resolve(ref: string, action: ResolveAction): Promise<{ id: string; action: ResolveAction }> {
    const ws = await this.#load();
    const env = (name: string) => ws.runtime.env(name);
    return this.#locked(ws, false, async ({ conn, history, applied, progress, waited }) => {
      const store = new TransformStore(conn.dialect, ws.config.table);
      const forgetTransforms = async (id: string) => {
        if (!(await store.exists(conn.session))) return;
        for (const s of store.forgetStatements(id)) await conn.session.execute(s.sql, s.params);
      };
      return resolveMigration(ref, action, { graph: ws.graph, history, applied, progress, by: whoAmI(env), toolVersion: STRATA_VERSION, forgetTransforms, waitedForLock: waited });
    });
  }


  /** Every transform recorded in this database: state and progress (read-only). */
  async transforms(): Promise<TransformStatus[]> {
    const ws = await this.#settings();
    return this.#read(ws, (_history, conn) => listTransforms(conn, ws.config.table));
  }

  /** Asks running transforms (one, or all) to stop after their chunks in flight. */
  async pauseTransform(id?: string): Promise<string[]> {
    const ws = await this.#settings();
    const conn = await connect(ws.config);
    try {
      return await setTransformsState(conn, ws.config.table, id, "paused");
    } finally {
      await conn.close();
    }
  }

  /**
   * Resumes paused transforms (failed chunks become pending again), and without an id joins
   * the running ones too. With no other runner
   * active, the migration itself is run on (`up` to it); while another runner holds the
   * lock, this process joins the transform and shares its chunks.
   */
  async resumeTransform(id?: string): Promise<{ resumed: string[]; joined: boolean }> {
    const ws = await this.#load();
    const conn = await connect(ws.config);
    let resumed: string[];
    let free: boolean;
    try {
      // Paused ones have no runner; one still running may have (see below).
      const running = (await listTransforms(conn, ws.config.table)).filter((t) => t.state === "running").map((t) => t.id);
      resumed = await setTransformsState(conn, ws.config.table, id, "running");
      free = await conn.dialect.adapter.acquireLock(conn.session, conn.lockKey, { timeoutMs: 0 }).then(
        async () => {
          await conn.dialect.adapter.releaseLock(conn.session, conn.lockKey);
          return true;
        },
        () => false,
      );
      // SQLite's lock is only held inside each transaction: a runner between two chunks leaves
      // it free. Chunks written lately mean a runner is at work, so this process joins it.
      if (free && conn.dialect.adapter.locksWithTransactions && (await liveRunner(conn, ws.config.table, resumed.filter((t) => running.includes(t)))) !== undefined) free = false;
    } finally {
      await conn.close();
    }
    if (free) {
      const migrations = [...new Set((await this.transforms()).filter((t) => resumed.includes(t.id)).map((t) => t.migrationId))];
      for (const migrationId of migrations) if (ws.graph.byId.has(migrationId)) await this.run({ to: migrationId, apply: true });
      return { resumed, joined: false };
    }
    const env = (name: string) => ws.runtime.env(name);
    await joinTransforms({ ...this.#transformSupport(ws), hooks: ws.hooks, by: whoAmI(env), dryRun: false, emit: (e) => this.#emit(e) }, ws, resumed, this.#instanceLoader(ws));
    return { resumed, joined: true };
  }

  /**
   * Checks: graph, heads, conflicts, drift of the history (modified, missing, failed), every
   * module loads, and, when all that is clean, drift of the live schema from what the applied
   * migrations make (replayed on a scratch database).
   */
  async check(): Promise<{ ok: boolean; problems: CheckProblem[]; heads: string[] }> {
    const settings = await this.#settings();
    let ws: Workspace;
    let status: Status;
    try {
      ws = await this.#load();
      status = await this.#read(settings, (history) => Promise.all([history.readApplied(), history.readProgress()]).then(([a, p]) => computeStatus(ws.graph, a, p)));
    } catch (error) {
      // The folder or its graph is broken (a database error is not a finding: it fails the command).
      if (!isStrataError(error) || error.code === "DATABASE_ERROR" || error.code === "CONNECTION_FAILED") throw error;
      return { ok: false, problems: [{ level: "error", code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }], heads: [] };
    }
    const problems = checkWorkspace(ws, status);
    // Unlike status, check loads every TypeScript/JavaScript migration: one that does not
    // load, or has no up(), is found here rather than half-way through an up.
    const load = this.#instanceLoader(ws);
    for (const source of ws.migrations) {
      if (source.kind !== "module") continue;
      try {
        await load(source);
      } catch (error) {
        problems.push({ level: "error", code: isStrataError(error) ? error.code : "MIGRATION_INVALID", message: messageOf(error), ids: [source.id] });
      }
    }
    if (!problems.some((p) => p.level === "error")) problems.push(...(await schemaDrift(ws, (s) => new MigrationEngine({ ...this.#options, onEvent: () => {} }, s), status)));
    return { ok: !problems.some((p) => p.level === "error"), problems, heads: visibleHeads(ws.graph, ws.config.strategy) };
  }

  /** Writes a migration depending on every head (when there are several). */
  async merge(name?: string, options: { sql?: boolean } = {}): Promise<{ id: string; file: string } | undefined> {
    return writeMergeMigration(await this.#load(), name, options.sql || undefined);
  }

  /** up/down/up of the pending migrations on a scratch database; the real one is not touched. */
  async verify(): Promise<VerifyResult> {
    const ws = await this.#load();
    const status = await this.#read(ws, (history) => Promise.all([history.readApplied(), history.readProgress()]).then(([a, p]) => computeStatus(ws.graph, a, p)));
    const applied = status.entries.filter((e) => e.appliedAt !== undefined).map((e) => e.id);
    const pending = planUp(ws.graph, status).map((m) => m.id);
    return verifyPending(ws, (settings) => new MigrationEngine({ ...this.#options, onEvent: () => {} }, settings), applied, pending);
  }

  /** A CLI command a plugin adds, by name. */
  async pluginCommand(name: string): Promise<{ plugin: string; command: PluginCommand } | undefined> {
    const ws = await this.#settings();
    for (const plugin of ws.hooks.plugins) {
      const command = plugin.commands?.find((c) => c.name === name);
      if (command) return { plugin: plugin.name, command };
    }
    return undefined;
  }

  async #migrate(
    direction: "up" | "down",
    options: { dryRun?: boolean; apply?: boolean; singleTransaction?: boolean },
    plan: (ws: Workspace, status: Status, applied: readonly AppliedRecord[]) => { up?: MigrationSource[]; down?: AppliedRecord[] },
  ): Promise<RunResult> {
    const ws = await this.#load();
    const { config, hooks, runtime } = ws;
    // A plan-only environment (dryRun: true) applies nothing unless asked to explicitly.
    const dryRun = options.dryRun ?? (config.dryRun && !options.apply);
    if (dryRun && options.dryRun === undefined) this.#emit({ event: "warning", message: `Environment "${config.environment}" is plan-only (dryRun: true): nothing was changed. Pass { apply: true } to apply.` });
    const env = (name: string) => runtime.env(name);
    const started = nowMs();
    let info: RunInfo | undefined;
    let executor: Executor | undefined;
    // run:end answers run:start: a run refused before it (a modified migration, an irreversible one) has neither.
    let reachedStart = false;
    try {
      return await this.#locked(ws, dryRun, async (ctx) => {
        const { conn, history } = ctx;
        let { applied, progress } = ctx;
        if (applied.length === 0) applied = await this.#adopt(ws, conn, history, dryRun);
        // SQLite's lock lasts one transaction: a runner between two chunks of a transform leaves it free.
        if (!dryRun && direction === "up" && conn.dialect.adapter.locksWithTransactions) ({ applied, progress } = (await this.#awaitTransformRunner(ws, conn, history, progress)) ?? { applied, progress });
        info = { command: direction, environment: config.environment, database: config.database.described, dialect: conn.dialect.name, dryRun };
        const status = computeStatus(ws.graph, applied, progress);
        assertNoBlockers(status);
        if (direction === "up" && config.strategy === "explicit" && ws.graph.heads.length > 1) throw errors.multipleHeads(ws.graph.heads);
        const chosen = plan(ws, status, applied);
        const load = this.#instanceLoader(ws);
        executor = new Executor({
          session: conn.session, dialect: conn.dialect, history, hooks, environment: config.environment, dryRun,
          by: whoAmI(env), toolVersion: STRATA_VERSION, ddlRetries: config.ddl.retries, singleTransaction: options.singleTransaction ?? false, load, emit: (e) => this.#emit(e),
          transforms: this.#transformSupport(ws),
          ...(this.#options.signal ? { signal: this.#options.signal } : {}),
          resumable: new Map(progress.filter((p) => p.kind === "transform").map((p) => [p.id, p.statementsDone])),
          ...(dryRun ? {} : { gitCommit: readGitCommit(config.root, env) }),
        });
        // Every module of the plan is loaded before the first one runs, so a file that does not
        // load (syntax error, no Migration class) changes nothing.
        for (const source of chosen.up ?? []) if (source.kind === "module") await load(source);
        const down = chosen.down ? await executor.prepareDown(chosen.down.map((record) => ({ record, source: ws.graph.byId.get(record.id) }))) : undefined;
        const ids = chosen.up ? chosen.up.map((m) => m.id) : down!.map((d) => d.source.id);
        await executor.assertRunnable(chosen.up ?? down!.map((d) => d.source), direction);
        this.#emit({ event: "plan", direction, ids, dryRun });
        // Before anything is written, strata's own tables included: a plugin may abort, or back up.
        reachedStart = true;
        await hooks.call("run:start", { ...info, plan: ids.map((id) => ({ id, name: ws.graph.byId.get(id)?.name ?? id, direction })) });
        if (!dryRun && ids.length > 0) {
          if (config.backup.enabled) await this.#backup(ws, "run", headOf(applied));
          await history.ensure();
        }
        if (chosen.up) {
          const batch = Math.max(0, ...applied.map((r) => r.batch)) + 1;
          const sequence = Math.max(0, ...applied.map((r) => r.sequence)) + 1;
          await executor.up(chosen.up, batch, sequence);
        } else {
          await hooks.call("rollback:before", { environment: config.environment, migrations: ids, dryRun });
          await executor.down(down!);
          await hooks.call("rollback:after", { environment: config.environment, rolledBack: [...executor.result.rolledBack], durationMs: nowMs() - started, dryRun });
        }
        await hooks.call("run:end", { ...info, success: true, ...executor.result, durationMs: nowMs() - started, migrations: executor.timings });
        return executor.result;
      });
    } catch (error) {
      const result = executor?.result ?? { applied: [], rolledBack: [] };
      if (error instanceof MigrationError) error.result = { applied: [...result.applied], rolledBack: [...result.rolledBack] };
      if (info && reachedStart) await hooks.call("run:end", { ...info, success: false, ...result, durationMs: nowMs() - started, migrations: executor?.timings ?? [], error: errorInfo(error) });
      throw error;
    }
  }

  /** Migrations dbmate applied, where strata has no history yet: recorded as applied (not in a dry run), and said so. */
  async #adopt(ws: Workspace, conn: Connection, history: History, dryRun: boolean): Promise<AppliedRecord[]> {
    const { adopted, withoutFile } = await dbmateApplied(conn, history, ws.graph);
    if (adopted.length === 0 && withoutFile.length === 0) return [];
    const lost = withoutFile.length ? ` dbmate also lists ${withoutFile.length} version(s) no file here has, left out: ${withoutFile.slice(0, 10).join(", ")}${withoutFile.length > 10 ? ", ..." : ""}.` : "";
    this.#emit({ event: "warning", message: `${adopted.length} migration(s) dbmate applied (its schema_migrations table) count as applied${dryRun ? "; a run that applies records them" : ", recorded in strata's history"}.${lost}` });
    if (adopted.length === 0) return [];
    if (!dryRun) await recordAdopted(history, adopted, whoAmI((name) => ws.runtime.env(name)), STRATA_VERSION);
    return adopted;
  }

  /**
   * Waits (up to the lock timeout, as for the lock) while another live process runs the
   * transform of a migration this run would resume, and then reads the history again.
   */
  async #awaitTransformRunner(ws: Workspace, conn: Connection, history: History, progress: readonly ProgressRecord[]): Promise<{ applied: AppliedRecord[]; progress: ProgressRecord[] } | undefined> {
    const resuming = new Set(progress.filter((p) => p.kind === "transform").map((p) => p.id));
    if (resuming.size === 0) return undefined;
    const ids = (await listTransforms(conn, ws.config.table)).filter((t) => resuming.has(t.migrationId) && t.state === "running").map((t) => t.id);
    const { lockTimeoutMs, database } = ws.config;
    const started = nowMs();
    let waited = false;
    for (let runner = await liveRunner(conn, ws.config.table, ids); runner !== undefined; runner = await liveRunner(conn, ws.config.table, ids)) {
      const holder = `${runner}, running a transform`;
      if (!waited) this.#emit({ event: "lock-wait", holder });
      waited = true;
      if (nowMs() - started >= lockTimeoutMs) throw errors.lockTimeout(database.described, lockTimeoutMs, holder);
      await sleep(Math.min(250, lockTimeoutMs));
    }
    if (!waited) return undefined;
    const [applied, fresh] = await Promise.all([history.readApplied(), history.readProgress()]);
    return { applied, progress: fresh };
  }

  /**
   * Connects, takes the migration lock (unless read-only), and reads the history only then:
   * another runner may have applied migrations while this one waited. Callers create the
   * history tables (history.ensure()) once they know they will write, so a run that stops
   * before its first migration leaves a fresh database untouched.
   */
  async #locked<T>(ws: Settings, readOnly: boolean, fn: (ctx: { conn: Connection; history: History; applied: AppliedRecord[]; progress: ProgressRecord[]; waited: boolean }) => Promise<T>): Promise<T> {
    const { config } = ws;
    const conn = await connect(config, { readOnly });
    const history = new History(conn.session, conn.dialect, config.table, config.environment);
    let locked = false;
    let waited = false;
    try {
      if (!readOnly) {
        const onWait = (holder: string | undefined) => {
          waited = true;
          this.#emit({ event: "lock-wait", ...(holder ? { holder } : {}) });
        };
        await conn.dialect.adapter.acquireLock(conn.session, conn.lockKey, { timeoutMs: config.lockTimeoutMs, onWait });
        locked = true;
      }
      const [applied, read] = await Promise.all([history.readApplied(), history.readProgress()]);
      const progress = "graph" in ws ? withStoppedStatements(read, (ws as Workspace).graph, (sql) => conn.dialect.compiler.splitStatements(sql)) : read;
      // Under a session lock, a marker still running is a runner that died: failed from now on, logged once.
      if (locked && !conn.dialect.adapter.locksWithTransactions) await recordInterrupted(history, progress, applied, whoAmI((name) => ws.runtime.env(name)));
      return await fn({ conn, history, applied, progress, waited });
    } finally {
      if (locked) await conn.dialect.adapter.releaseLock(conn.session, conn.lockKey).catch(() => undefined);
      await conn.close();
    }
  }

  async #read<T>(ws: Settings, fn: (history: History, conn: Connection) => Promise<T>): Promise<T> {
    const conn = await connect(ws.config, { readOnly: true });
    try {
      return await fn(new History(conn.session, conn.dialect, ws.config.table, ws.config.environment), conn);
    } finally {
      await conn.close();
    }
  }

  #transformSupport(ws: Settings): TransformSupport {
    let policy: Promise<BatchPolicy> | undefined;
    return {
      historyTable: ws.config.table,
      runtime: ws.runtime,
      openDialect: (poolSize) => configuredDialect(ws.config, { poolSize }),
      policy: () => (policy ??= provided(ws.hooks.plugins, ws.runtime, "batching")),
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
    };
  }

  #instanceLoader(ws: Workspace): (source: MigrationSource) => Promise<MigrationInstance> {
    const cache = new Map<string, MigrationInstance>();
    return async (source) => {
      const cached = cache.get(source.id);
      if (cached) return cached;
      const Class = await loadUserClass(ws.runtime, source.file, source.displayFile, "migration", source.checksum);
      const instance = new Class() as MigrationInstance;
      if (typeof instance.up !== "function") throw errors.migrationInvalid(source.displayFile, "its class has no up() method.");
      const timeout = instance.statementTimeout;
      if (timeout !== undefined && !(typeof timeout === "number" && Number.isFinite(timeout) && timeout >= 0)) {
        throw errors.migrationInvalid(source.displayFile, `its statementTimeout is ${JSON.stringify(timeout)}; expected a number of milliseconds (0 = none).`);
      }
      cache.set(source.id, instance);
      return instance;
    };
  }

  #settings(): Promise<Settings> {
    return (this.#settingsPromise ??= loadSettings(this.#options, (event) => this.#emit(event)));
  }

  /** The migrations folder as it is now: read again by every call, so a long-lived Migrator sees files edited, added or deleted since. */
  #load(): Promise<Workspace> {
    return this.#settings().then(loadWorkspace).then((ws) => {
      if (!existsSync(ws.config.migrationsDir) && !this.#warnedNoFolder) {
        this.#warnedNoFolder = true;
        this.#emit({ event: "warning", message: `The migrations folder ${ws.config.migrationsDir} does not exist: no migration is read from disk (check "path" in the config).` });
      }
      // A .sql or .ts file whose name is not <version>_<name> is skipped, but never silently.
      for (const file of ws.ignored.filter((f) => MIGRATION_LIKE.test(f) && !/\.d\.[mc]?ts$/.test(f))) {
        this.#emit({ event: "warning", message: `${file} in ${ws.config.migrationsDir} is not named <version>_<name> (e.g. 20260101120000_create_users.sql) and is ignored.` });
      }
      return ws;
    });
  }

}

const MIGRATION_LIKE = /\.(?:sql|[mc]?[tj]s)$/;

/**
 * Markers of runners that died part-way become failed, each with a `fail` event. An apply's
 * marker beside its history row is stale (the process died between the two), not a failure.
 */
async function recordInterrupted(history: History, progress: ProgressRecord[], applied: readonly AppliedRecord[], by: string): Promise<void> {
  for (const p of progress) {
    if (p.kind !== "statements" || p.state !== "running" || (p.direction === "up" && applied.some((r) => r.id === p.id))) continue;
    const error = `the runner stopped (killed, or its connection lost) after ${p.statementsDone} statement(s)`;
    await history.failProgress(p.id, p.statement, error);
    await history.appendEvent({ id: p.id, action: "fail", by, details: { direction: p.direction, error, ...(p.statement ? { statement: p.statement } : {}), statementsDone: p.statementsDone, interrupted: true } });
    Object.assign(p, { state: "failed", error });
  }
}

/** The newest applied migration, recorded in a backup's manifest. */
function headOf(applied: readonly AppliedRecord[]): string | undefined {
  return [...applied].sort((a, b) => a.batch - b.batch || a.sequence - b.sequence).pop()?.id;
}


