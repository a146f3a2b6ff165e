import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "history",
  description: "Every apply, rollback, failure and resolve, oldest first",
  async run(ctx) {
    const { out } = ctx;
    const { events } = await ctx.migrator().history();
    const json = {
      events: events.map((e) => ({
        id: e.id, action: e.action, environment: e.environment, at: e.at, by: e.by,
        ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
        ...(e.details ? { details: e.details } : {}),
      })),
    };
    out.result(json, () => {
      if (events.length === 0) return "No history yet.";
      const c = out.c;
      return events
        .map((e) => {
          const color = e.action === "fail" ? c.red : e.action === "rollback" ? c.yellow : e.action === "resolve" ? c.cyan : c.green;
          const extra = e.action === "fail" && typeof e.details?.error === "string" ? c.dim(`  ${e.details.error}`) : e.action === "resolve" && e.details?.kind ? c.dim(`  ${String(e.details.kind)}`) : "";
          return `${c.dim(e.at.replace("T", " ").replace(/\.\d+Z$/, "Z"))}  ${color(e.action.padEnd(8))} ${e.id}  ${c.dim(`${e.environment} · ${e.by}${e.durationMs !== undefined ? ` · ${e.durationMs} ms` : ""}`)}${extra}`;
        })
        .join("\n");
    });
  },
});
