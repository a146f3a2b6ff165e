import { basename } from "node:path";
import { BackupFailure, clean, HINT_OTHER_BACKUP, sentence, toolFailure } from "./failure.ts";
import { createExclusive, readHead } from "./files.ts";
import type { PostgresTarget } from "./target.ts";
import { findTool, runTool, startTool, toolVersion, type ToolPaths } from "./tools.ts";

/** NOTICEs (e.g. "drop cascades to ...") stay out of the output. */
const QUIET = { PGOPTIONS: "-c client_min_messages=warning" };

/**
 * pg_dump in custom format (-Fc), compressed inside the archive, written by pg_dump to
 * `temp` (a seekable file, so pg_restore can later restore in parallel or selectively).
 * The connection, password included, goes through libpq's PG* variables.
 */
export async function dumpPostgres(target: PostgresTarget, temp: string, level: number, tools: ToolPaths): Promise<{ name: string; version: string }> {
  const pgDump = await findTool("pg_dump", tools);
  const version = await toolVersion(pgDump);
  // Created here, owner-only; pg_dump truncates and keeps the mode.
  await (await createExclusive(temp)).close();
  const exit = await runTool(pgDump, ["--format=custom", `--compress=${level}`, "--no-password", `--file=${temp}`], target.env);
  if (exit.code !== 0) throw toolFailure("pg_dump", exit, target.secrets);
  await checkArchive(temp, tools, "pg_dump");
  return { name: pgDump.name, version };
}

/**
 * A custom-format archive starts with "PGDMP"; pg_restore --list then reads its whole
 * table of contents. An empty or foreign file (a tool that "succeeded" without writing)
 * fails here. `producer` names the tool when checking its fresh output.
 */
export async function checkArchive(file: string, tools: ToolPaths, producer?: string): Promise<void> {
  const head = await readHead(file, 5);
  const subject = producer ? `${producer} exited successfully but its output` : basename(file);
  const hint = producer ? undefined : HINT_OTHER_BACKUP;
  if (head.length === 0) throw new BackupFailure(producer ? `${producer} exited successfully but wrote nothing.` : `${subject} is empty.`, hint);
  if (head.toString("latin1") !== "PGDMP") throw new BackupFailure(`${subject} is not a pg_dump custom-format archive.`, hint);
  const pgRestore = await findTool("pg_restore", tools).catch(() => undefined);
  if (!pgRestore) return;
  const exit = await runTool(pgRestore, ["--list", file]);
  if (exit.code !== 0) throw new BackupFailure(`${subject} is unreadable (pg_restore --list: ${clean(exit.stderr, []) || `exit ${exit.code}`}).`, hint);
}

/**
 * Everything the dump does not contain must go too (tables created after the backup), so
 * before pg_restore's script, in the same transaction: every schema this user owns is
 * dropped (extension-owned and system schemas are left alone). `public`, which initdb
 * creates and pg_dump does not recreate, comes back with its owner, grants and comment.
 */
const CLEAR_SCHEMAS = `do $strata$
declare
  s record;
  g record;
  note text;
begin
  for s in
    select n.oid, n.nspname, n.nspowner, n.nspacl
    from pg_catalog.pg_namespace n
    where n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
      and pg_catalog.pg_has_role(n.nspowner, 'MEMBER')
      and not exists (select 1 from pg_catalog.pg_depend d where d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass and d.objid = n.oid and d.deptype = 'e')
  loop
    note := pg_catalog.obj_description(s.oid, 'pg_namespace');
    execute pg_catalog.format('drop schema %I cascade', s.nspname);
    if s.nspname = 'public' then
      execute pg_catalog.format('create schema public authorization %s', s.nspowner::pg_catalog.regrole);
      for g in select a.grantee, a.privilege_type, a.is_grantable from pg_catalog.aclexplode(s.nspacl) a where a.grantee <> s.nspowner loop
        execute pg_catalog.format('grant %s on schema public to %s%s', g.privilege_type,
          case when g.grantee = 0 then 'public' else g.grantee::pg_catalog.regrole::text end,
          case when g.is_grantable then ' with grant option' else '' end);
      end loop;
      if note is not null then
        execute pg_catalog.format('comment on schema public is %L', note);
      end if;
    end if;
  end loop;
end
$strata$`;

/**
 * pg_restore (--clean --if-exists --no-owner) writes the restore script, psql runs it
 * after CLEAR_SCHEMAS in ONE transaction (-1, ON_ERROR_STOP): the database ends up exactly
 * as dumped, or, on any error, exactly as it was. psql's input is closed (which commits)
 * only once pg_restore has exited successfully; otherwise psql is killed, which rolls back.
 */
export async function restorePostgres(target: PostgresTarget, file: string, tools: ToolPaths): Promise<void> {
  const pgRestore = await findTool("pg_restore", tools);
  const psql = await findTool("psql", tools);
  const script = startTool(pgRestore, ["--clean", "--if-exists", "--no-owner", "--file=-", file], {}, ["ignore", "pipe", "pipe"]);
  const apply = startTool(
    psql,
    ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--single-transaction", `--command=${CLEAR_SCHEMAS}`, "--file=-"],
    { ...target.env, ...QUIET },
    ["pipe", "ignore", "pipe"],
  );
  const input = apply.child.stdin!;
  input.on("error", () => undefined); // psql stopped reading (it failed): reported from its exit
  script.child.stdout!.pipe(input, { end: false });
  void apply.exit.then(() => script.child.kill("SIGTERM"));
  const scriptExit = await script.exit;
  if (scriptExit.code === 0) input.end();
  else apply.child.kill("SIGKILL");
  const applyExit = await apply.exit;
  if (applyExit.code !== 0 && applyExit.signal !== "SIGKILL") {
    const failure = toolFailure("psql", applyExit, target.secrets);
    throw new BackupFailure(`${sentence(failure.message)} The restore ran in one transaction, so the database was left as it was.`, failure.hint);
  }
  if (scriptExit.code !== 0) {
    const failure = toolFailure("pg_restore", scriptExit, []);
    throw new BackupFailure(`${sentence(failure.message)} Nothing was restored.`, failure.hint ?? HINT_OTHER_BACKUP);
  }
}
