import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "plugins",
  description: "Loaded plugins, the hooks they use and the commands they add",
  async run(ctx) {
    const { out } = ctx;
    const plugins = await ctx.migrator().plugins();
    out.result({ plugins }, () => {
      if (plugins.length === 0) return "No plugins loaded.";
      return plugins
        .map((p) => {
          const lines = [`${out.c.bold(p.name)}${p.builtin ? " (built-in)" : ""}`];
          lines.push(`  hooks: ${p.hooks.length ? p.hooks.join(", ") : "none"}`);
          if (p.commands.length) lines.push(`  commands: ${p.commands.join(", ")}`);
          if (p.backup) lines.push("  provides backups");
          return lines.join("\n");
        })
        .join("\n");
    });
  },
});
