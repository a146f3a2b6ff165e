import { defineCommand } from "../command.ts";

export default defineCommand({
  name: "seed",
  description: "Run the seeders (in environments the config allows)",
  options: [{ flag: "--only <name>", description: "Run only this seeder (class or file name)" }],
  async run(ctx) {
    const { out, options } = ctx;
    const migrator = ctx.migrator((e) => out.event(e));
    const { seeded } = await migrator.seed(options.only !== undefined ? { only: String(options.only) } : {});
    out.result({ seeded }, () => (seeded.length ? `Seeded ${seeded.length} seeder(s).` : "No seeders found."));
  },
});
