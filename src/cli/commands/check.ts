import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "check",
  description: "Static checks: graph, heads, conflicts, drift of the history; exit 1 on errors",
  async run(ctx) {
    const { out } = ctx;
    const result = await ctx.migrator().check();
    out.result(result, () => {
      const c = out.c;
      const lines = result.problems.map((p) => `${p.level === "error" ? c.red("error  ") : c.yellow("warning")} ${c.dim(`[${p.code}]`)} ${p.message}${p.hint ? `\n        ${c.cyan("hint")} ${p.hint}` : ""}`);
      lines.push(result.ok ? c.green(`OK${result.problems.length ? " (with warnings)" : ""}: ${result.heads.length} head(s).`) : c.red("Problems found."));
      return lines.join("\n");
    });
    return result.ok ? 0 : 1;
  },
});
