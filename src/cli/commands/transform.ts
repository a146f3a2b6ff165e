import { errors } from "../../errors.ts";
import { defineCommand } from "../command.ts";

const ACTIONS = ["status", "pause", "resume"] as const;

export default defineCommand({
  name: "transform <action> [id]",
  description: "Data transforms: status [--json], pause [id], resume [id] (joins a running one)",
  examples: ["strata transform status --json", "strata transform pause", "strata transform resume 20261201000000_backfill.users"],
  async run(ctx) {
    const { args, out } = ctx;
    const [action, id] = args;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw errors.usage(`Unknown transform action "${action}".`, `Use one of: ${ACTIONS.join(", ")}.`);
    const migrator = ctx.migrator();
    if (action === "status") {
      const transforms = (await migrator.transforms()).filter((t) => id === undefined || t.id === id);
      out.result({ transforms: transforms.map(({ migrationId: _m, ...t }) => t) }, () => {
        if (transforms.length === 0) return "No transforms.";
        return transforms
          .map((t) => {
            const pct = t.rowsTotal > 0 ? ` (${((t.rowsDone / t.rowsTotal) * 100).toFixed(1)}%)` : "";
            const color = t.state === "done" ? out.c.green : t.state === "paused" ? out.c.yellow : out.c.cyan;
            const lines = [`${color(t.state.padEnd(8))} ${t.id}  ${t.rowsDone}/${t.rowsTotal} rows${pct}`];
            if (t.lastError) lines.push(out.c.red(`         ${t.lastError}${t.keyRange ? ` (keys ${JSON.stringify(t.keyRange.from)}..${JSON.stringify(t.keyRange.to)})` : ""}`));
            return lines.join("\n");
          })
          .join("\n");
      });
      return;
    }
    if (action === "pause") {
      const paused = await migrator.pauseTransform(id);
      out.result({ paused }, () => (paused.length ? `Paused ${paused.join(", ")}: running processes stop after their chunks in flight.` : "No running transform to pause."));
      return;
    }
    const { resumed, joined } = await migrator.resumeTransform(id);
    out.result({ resumed, joined }, () => {
      if (resumed.length === 0) return "No paused or running transform to resume.";
      return joined ? `Joined ${resumed.join(", ")} alongside the running migration; its chunks are done.` : `Resumed ${resumed.join(", ")}.`;
    });
  },
});
