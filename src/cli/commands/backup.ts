import { errors } from "../../errors.ts";
import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "backup [action]",
  description: "Take a full backup now; `backup list` lists the backups",
  examples: ["strata backup", "strata backup list --json"],
  async run(ctx) {
    const { args, out } = ctx;
    const action = args[0];
    // The result line says what the backup event would: printed once.
    const migrator = ctx.migrator((e) => (e.event === "backup" ? undefined : out.event(e)));
    if (action === "list") {
      const backups = await migrator.backups();
      out.result({ backups }, () =>
        backups.length === 0
          ? "No backups."
          : backups.map((b) => `${b.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z")}  ${formatBytes(b.sizeBytes).padStart(9)}  ${b.file}${b.head ? out.c.dim(`  head ${b.head}`) : ""}`).join("\n"),
      );
      return;
    }
    if (action !== undefined) throw errors.usage(`Unknown backup action "${action}".`, "Run strata backup (take one) or strata backup list.");
    const result = await migrator.backup();
    out.result(result, () => `Backup written: ${result.file} (${formatBytes(result.sizeBytes)})`);
  },
});

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

