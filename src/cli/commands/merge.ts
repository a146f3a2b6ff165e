import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "merge [name]",
  description: "Create a migration that depends on every head (after branches merged)",
  examples: ["strata merge", "strata merge join_billing_and_profiles"],
  async run(ctx) {
    const { out, args } = ctx;
    const created = await ctx.migrator().merge(args[0]);
    out.result({ created: created ?? null }, () => (created ? `Created ${created.file} depending on every head.` : "Nothing to merge: the graph has one head."));
  },
});
