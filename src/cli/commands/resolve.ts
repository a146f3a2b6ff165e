import { errors } from "../../errors.ts";
import { RESOLVE_ACTIONS, type ResolveAction } from "../../core/resolve.ts";
import { defineCommand } from "../command.ts";

const FLAGS: Record<ResolveAction, string> = {
  "accept-checksum": "acceptChecksum",
  forget: "forget",
  "mark-applied": "markApplied",
  "mark-rolled-back": "markRolledBack",
};

export default defineCommand({
  name: "resolve <id>",
  description: "Resolve a modified, missing or failed migration explicitly (recorded in the history)",
  options: [
    { flag: "--accept-checksum", description: "Accept the edited file: record its new checksum" },
    { flag: "--forget", description: "Drop an applied migration whose file is gone from the history" },
    { flag: "--mark-applied", description: "Record a failed or pending migration as applied (finished by hand)" },
    { flag: "--mark-rolled-back", description: "Record a failed or applied migration as not applied (undone by hand)" },
  ],
  async run(ctx) {
    const { args, options, out } = ctx;
    const chosen = RESOLVE_ACTIONS.filter((a) => options[FLAGS[a]]);
    if (chosen.length !== 1) throw errors.usage(`Pass exactly one of ${RESOLVE_ACTIONS.map((a) => `--${a}`).join(", ")}.`, `e.g. strata resolve ${args[0]} --mark-rolled-back`);
    const result = await ctx.migrator((e) => out.event(e)).resolve(args[0], chosen[0]);
    out.result(result, () => `Resolved ${result.id}: ${chosen[0]}.`);
  },
});
