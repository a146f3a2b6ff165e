import type { MigratorEvent } from "../../core/migrator.ts";
import type { Output } from "../render.ts";

/** Prints a run as it goes: a header from the plan, one line per migration, SQL in dry runs. */
export function planPrinter(out: Output, direction: "up" | "down", dryRun: boolean, environment: string, database: string) {
  const planned: string[] = [];
  const onEvent = (event: MigratorEvent) => {
    if (event.event === "plan") {
      planned.push(...event.ids);
      if (event.ids.length === 0) return;
      const verb = direction === "up" ? "Applying" : "Rolling back";
      if (dryRun) out.heading(`Plan (dry run) for environment ${environment} on ${database}: ${event.ids.length} migration(s) ${direction === "up" ? "to apply" : "to roll back"}; nothing is changed.`);
      else out.info(`${verb} ${event.ids.length} migration(s) on ${database} (environment ${environment})`);
      return;
    }
    if (event.event === "migrating" && dryRun) {
      out.heading(`${event.id} (${event.direction})`);
      return;
    }
    if (event.event === "migrated" && dryRun) return;
    out.event(event);
  };
  return { planned, onEvent };
}
