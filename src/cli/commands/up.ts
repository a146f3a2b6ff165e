import { existsSync } from "node:fs";
import { errors } from "../../errors.ts";
import { formatDuration, nowMs } from "../../util/time.ts";
import { defineCommand, type CommandContext } from "../command.ts";
import { planPrinter } from "./plan-printer.ts";

export default defineCommand({
  name: "up",
  description: "Apply pending migrations",
  options: [
    { flag: "--to <id>", description: "Apply up to and including this migration (id, version or class name)" },
    { flag: "--dry-run", description: "Print the SQL that would run; change nothing" },
    { flag: "--single-transaction", description: "One transaction for the whole run: all or nothing (PostgreSQL, SQLite)" },
    { flag: "--apply", description: "Apply in an environment configured with dryRun: true" },
  ],
  examples: ["strata up", "strata up --to 20261123120000_create_users --dry-run", "strata up --env production --apply --yes"],
  async run(ctx) {
    const { options, out } = ctx;
    const config = await ctx.migrator().config();
    const dryRun = Boolean(options.dryRun) || (config.dryRun && !options.apply);
    if (config.dryRun && !options.apply && !options.dryRun) out.info(out.c.yellow(`Environment "${config.environment}" is plan-only (dryRun: true): printing the plan. Apply it with --apply${ctx.isInteractive() ? "" : " --yes"}.`));
    if (config.dryRun && options.apply && !options.dryRun) await confirmApply(ctx, "up", config.environment, config.database.described);
    const to = options.to === undefined ? undefined : String(options.to);
    const printer = planPrinter(out, "up", dryRun, config.environment, config.database.described);
    const started = nowMs();
    const { applied } = await ctx.migrator(printer.onEvent).run({ ...(to ? { to } : {}), dryRun, singleTransaction: Boolean(options.singleTransaction) });
    out.result({ applied: dryRun ? [] : applied, planned: printer.planned, dryRun }, () => {
      if (printer.planned.length === 0) return out.quiet ? "" : to ? `Nothing to apply: ${to} and the migrations before it are applied.` : existsSync(config.migrationsDir) ? "Nothing to apply: the database is up to date." : `Nothing to apply: there is no migrations folder ${config.migrationsDir} (set "path" in the config).`;
      if (dryRun) return out.quiet ? "" : out.c.dim(`-- ${printer.planned.length} migration(s) would be applied; nothing was changed.`);
      return `Applied ${applied.length} migration(s) in ${formatDuration(nowMs() - started)}.`;
    });
  },
});

/** In a plan-only environment applying needs confirmation: a prompt, or --yes when not interactive. */
export async function confirmApply(ctx: CommandContext, direction: "up" | "down", environment: string, database: string): Promise<void> {
  if (ctx.global.yes) return;
  const action = direction === "up" ? "Applying migrations" : "Rolling back migrations";
  if (!ctx.isInteractive()) throw errors.confirmationRequired(`${action} in environment "${environment}"`);
  if (!(await ctx.confirm(`${action} on ${database} (environment "${environment}", plan-only by config). Go on?`))) {
    throw errors.usage(`Not confirmed; nothing was ${direction === "up" ? "applied" : "rolled back"}.`, `Answer y to go on, or run "strata ${direction} --dry-run" to see the plan.`);
  }
}
