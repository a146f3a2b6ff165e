import { errors } from "../../errors.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "restore <file>",
  description: "Restore a backup into the configured database (or --url); asks for confirmation",
  examples: ["strata restore backups/production-app-20261126T120000Z.dump.gz --yes"],
  async run(ctx) {
    const { args, out, global } = ctx;
    const migrator = ctx.migrator((e) => out.event(e));
    const { database, environment } = await migrator.config();
    if (!global.yes) {
      if (!ctx.isInteractive()) throw errors.confirmationRequired(`Restoring into ${database.described}`);
      if (!(await ctx.confirm(`Restore ${args[0]} into ${database.described} (environment ${environment})? Its current contents are replaced.`))) {
        throw errors.usage("Not confirmed; nothing was restored.", "Answer y to restore, or pass --yes.");
      }
    }
    await migrator.restore(args[0]);
    out.result({ restored: args[0], database: database.described }, () => `Restored ${args[0]} into ${database.described}.`);
  },
});
