import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "merge [name]",
  description: "Create a migration that depends on every head (after branches merged)",
  options: [{ flag: "--sql", description: "Write a .sql migration (the default when every migration is one)" }],
  examples: ["strata merge", "strata merge join_billing_and_profiles --sql"],
  async run(ctx) {
    const { out, args, options } = ctx;
    const created = await ctx.migrator().merge(args[0], { sql: Boolean(options.sql) });
    out.result({ created: created ?? null }, () => (created ? `Created ${created.file} depending on every head.` : "Nothing to merge: the graph has one head."));
  },
});
