import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "plugins",
  description: "Loaded plugins, the hooks they use and the commands they add",
  async run(ctx) {
    const { out } = ctx;
    const plugins = await ctx.migrator().plugins();
    const { COMMANDS } = await import("./index.ts");
    const builtins = new Set(COMMANDS.map((c) => c.name.split(" ")[0]));
    for (const p of plugins) {
      for (const name of p.commands.filter((c) => builtins.has(c))) out.warn(`Plugin "${p.name}" adds a command "${name}", which the built-in "strata ${name}" hides: rename it.`);
    }
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
