import { resolveWays } from "../../errors.ts";
import { defineCommand } from "../command.ts";

const STATE_COLOR = { applied: "green", pending: "cyan", "out-of-order": "yellow", modified: "yellow", missing: "red", failed: "red" } as const;

export default defineCommand({
  name: "status",
  description: "Applied, pending, modified, missing and failed migrations, and the heads",
  async run(ctx) {
    const { out } = ctx;
    const migrator = ctx.migrator();
    const config = await migrator.config();
    // The JSON shape is fixed ({ migrations, heads }); transforms have their own command.
    const { transforms = [], lockHolder, ...status } = await migrator.status({ transforms: !out.json });
    out.result(status, () => {
      const c = out.c;
      const lines = [c.dim(`Environment ${config.environment} · ${config.database.described} · table ${config.table}`)];
      if (status.migrations.length === 0) lines.push("No migrations found in " + config.migrationsDir);
      let width = 0;
      for (const m of status.migrations) width = Math.max(width, m.id.length);
      for (const m of status.migrations) {
        const state = c[STATE_COLOR[m.state]](m.state.padEnd(12));
        lines.push(m.appliedAt ? `  ${state} ${m.id.padEnd(width)}  ${c.dim(`${shortTime(m.appliedAt)}  batch ${m.batch}`)}` : `  ${state} ${m.id}`);
        if (m.failure) {
          lines.push(c.red(`      failed while ${m.failure.direction === "up" ? "applying" : "rolling back"} after ${m.failure.statementsDone} statement(s)${m.failure.statement ? ` at: ${flat(m.failure.statement)}` : ""}`));
          if (m.failure.error) lines.push(c.red(`      ${flat(m.failure.error)}`));
          // A runner killed part-way keeps the lock while the server finishes its statement; a live one keeps it to the end.
          if (lockHolder && !m.failure.error) lines.push(c.yellow(`      the migration lock is held now (${lockHolder}): its runner may still be at work; check again once it is free`));
          lines.push(`      resolve it: ${resolveWays(m.id, m.failure.direction, c.cyan)}`);
        }
        if (m.state === "modified") lines.push(`      changed since applied: restore the file or ${c.cyan(`strata resolve ${m.id} --accept-checksum`)}`);
        if (m.state === "missing") lines.push(`      file is gone: restore it or ${c.cyan(`strata resolve ${m.id} --forget`)}`);
      }
      for (const t of transforms.filter((t) => t.state !== "done")) {
        const pct = t.rowsTotal > 0 ? ` (${((t.rowsDone / t.rowsTotal) * 100).toFixed(1)}%)` : "";
        lines.push(c.yellow(`  transform ${t.id}: ${t.state} at ${t.rowsDone}/${t.rowsTotal} rows${pct}`));
        if (t.lastError) lines.push(c.red(`      ${flat(t.lastError)}`));
        lines.push(`      ${t.state === "paused" ? `resume it: ${c.cyan(`strata transform resume ${t.id}`)}` : `it goes on with ${c.cyan("strata up")} (or joins with ${c.cyan(`strata transform resume ${t.id}`)})`}`);
      }
      const counts = new Map<string, number>();
      for (const m of status.migrations) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
      const heads = status.heads.length > 3 ? `${status.heads.length} heads` : `${status.heads.length > 1 ? "heads" : "head"}: ${status.heads.join(", ")}`;
      if (status.migrations.length) lines.push([...counts].map(([s, n]) => `${n} ${s}`).join(", ") + (status.heads.length ? c.dim(` · ${heads}`) : ""));
      return lines.join("\n");
    });
  },
});

/** `2026-01-02T03:04:05.678Z` -> `2026-01-02 03:04:05Z`. */
function shortTime(iso: string): string {
  return iso.length >= 20 && iso[10] === "T" ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : iso;
}

function flat(text: string): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > 160 ? `${one.slice(0, 160)}…` : one;
}
