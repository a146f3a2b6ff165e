import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "verify",
  description: "Round trip (up, down, up) of the pending migrations on a scratch database",
  async run(ctx) {
    const { out } = ctx;
    const result = await ctx.migrator((e) => (e.event === "warning" ? out.event(e) : undefined)).verify();
    out.result(result, () => {
      if (result.verified.length === 0) return "Nothing to verify: no pending migrations.";
      if (result.ok) return out.c.green(`Verified ${result.verified.length} pending migration(s): up, down and up again leave the schema as expected.`);
      return [out.c.red(`Verification failed for ${result.verified.join(", ")}:`), ...result.differences.map((d) => `  - ${d}`)].join("\n");
    });
    return result.ok ? 0 : 1;
  },
});
