import { formatDuration, nowMs } from "../../util/time.ts";
import { errors } from "../../errors.ts";
import { defineCommand } from "../command.ts";
import { planPrinter } from "./plan-printer.ts";
import { confirmApply } from "./up.ts";

export default defineCommand({
  name: "down",
  description: "Roll back migrations (default: the last batch)",
  options: [
    { flag: "--steps <n>", description: "Roll back the last n migrations" },
    { flag: "--to <id>", description: "Roll back everything applied after this migration" },
    { flag: "--all", description: "Roll back every applied migration" },
    { flag: "--dry-run", description: "Print the SQL that would run; change nothing" },
    { flag: "--single-transaction", description: "One transaction for the whole run: all or nothing (PostgreSQL, SQLite)" },
    { flag: "--apply", description: "Roll back in an environment configured with dryRun: true" },
  ],
  examples: ["strata down", "strata down --steps 2", "strata down --to 20261123120000_create_users"],
  async run(ctx) {
    const { options, out } = ctx;
    const config = await ctx.migrator().config();
    const dryRun = Boolean(options.dryRun) || (config.dryRun && !options.apply);
    if (config.dryRun && !options.apply && !options.dryRun) out.info(out.c.yellow(`Environment "${config.environment}" is plan-only (dryRun: true): printing the plan. Roll back with --apply${ctx.isInteractive() ? "" : " --yes"}.`));
    if (config.dryRun && options.apply && !options.dryRun) await confirmApply(ctx, "down", config.environment, config.database.described);
    let steps: number | undefined;
    if (options.steps !== undefined) {
      steps = Number(options.steps);
      if (!Number.isInteger(steps) || steps < 1) throw errors.usage(`--steps must be a positive whole number, got "${String(options.steps)}".`, "e.g. strata down --steps 2");
    }
    const printer = planPrinter(out, "down", dryRun, config.environment, config.database.described);
    const started = nowMs();
    const { rolledBack } = await ctx.migrator(printer.onEvent).down({
      ...(steps !== undefined ? { steps } : {}),
      ...(options.to !== undefined ? { to: String(options.to) } : {}),
      ...(options.all ? { all: true } : {}),
      dryRun,
      singleTransaction: Boolean(options.singleTransaction),
    });
    out.result({ rolledBack: dryRun ? [] : rolledBack, planned: printer.planned, dryRun }, () => {
      if (printer.planned.length === 0) return out.quiet ? "" : "Nothing to roll back.";
      if (dryRun) return out.quiet ? "" : out.c.dim(`-- ${printer.planned.length} migration(s) would be rolled back; nothing was changed.`);
      return `Rolled back ${rolledBack.length} migration(s) in ${formatDuration(nowMs() - started)}.`;
    });
  },
});
