import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson } from "../helpers/cli.ts";
import { snapshot } from "../helpers/dump.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, historyJson, states, statusJson, strata } from "../cli/fixtures.ts";
import { failingSecond, FIRST, SECOND, twoMigrations } from "./notify-fixtures.ts";

const sqliteUrl = (dir: string) => `file:${join(dir, "data", "development.db")}`;

/** strata.config.ts whose plugins are the given TypeScript source, with definePlugin and abort in scope. */
function pluginsConfig(plugins: string, prelude = ""): string {
  return `import { abort, defineConfig, definePlugin } from "strata";
${prelude}
export default defineConfig({ plugins: ${plugins} });
`;
}

/** A TS plugin file: logs each migration and adds the `hello` command, which prints what it receives as JSON. */
const AUDIT_TS = `import { definePlugin } from "strata";

export default definePlugin({
  name: "audit",
  hooks: {
    "migration:after": ({ id, direction }, { log }) => log(\`\${direction} \${id}\`),
  },
  commands: [
    {
      name: "hello",
      description: "Prints what a plugin command receives",
      options: [{ flag: "--flag <value>", description: "a flag" }],
      run(ctx) {
        ctx.log(JSON.stringify({ args: ctx.args, options: ctx.options, environment: ctx.environment, database: ctx.database }));
      },
    },
  ],
});
`;

/** A JS plugin file with enforce and a { handler, order } hook. */
const METRICS_JS = `import { definePlugin } from "strata";

export default definePlugin({
  name: "metrics",
  enforce: "pre",
  hooks: {
    "run:end": { order: "post", handler: (p, { log }) => log(\`run \${p.command} success=\${p.success} applied=\${p.applied.length}\`) },
    "run:start": (p, { log }) => log(\`plan \${p.plan.map((m) => m.id).join(",")}\`),
  },
});
`;

/** A file without a default export: a helper, not a plugin. */
const HELPER_TS = `export const shared = 1;\n`;

describe("plugins from the project's plugins/ folder", () => {
  it("TS and JS plugins load, their hooks run, strata plugins --json lists them with hooks and commands", async () => {
    const dir = await writeProject({ ...twoMigrations(), "plugins/audit.ts": AUDIT_TS, "plugins/metrics.mjs": METRICS_JS, "plugins/shared.ts": HELPER_TS });
    const listed = await strata(dir, ["plugins", "--json"]);
    expectExit(listed, 0);
    const { plugins } = parseJson<{ plugins: { name: string; hooks: string[]; commands: string[]; backup: boolean }[] }>(listed);
    expect(plugins).toEqual([
      { name: "audit", hooks: ["migration:after"], commands: ["hello"], backup: false },
      { name: "metrics", hooks: expect.arrayContaining(["run:start", "run:end"]), commands: [], backup: false },
    ]);
    const human = await strata(dir, ["plugins"]);
    expectExit(human, 0);
    expect(human.stdout).toContain("audit");
    expect(human.stdout).toContain("hooks: migration:after");
    expect(human.stdout).toContain("commands: hello");

    const up = await strata(dir, ["up"]);
    expectExit(up, 0);
    expect(up.stdout).toContain(`[metrics] plan ${FIRST},${SECOND}`);
    expect(up.stdout).toContain(`[audit] up ${FIRST}`);
    expect(up.stdout).toContain(`[audit] up ${SECOND}`);
    expect(up.stdout).toContain("[metrics] run up success=true applied=2");
  });

  it("a .js plugin loads in a project without package.json \"type\": \"module\"", async () => {
    const dir = await writeProject({ ...twoMigrations(), "plugins/metrics.js": METRICS_JS });
    const result = await strata(dir, ["plugins", "--json"]);
    expectExit(result, 0);
    expect(parseJson(result).plugins.map((p: { name: string }) => p.name)).toEqual(["metrics"]);
  });

  it("a plugin command runs as strata <name> with its args, options and environment", async () => {
    const dir = await writeProject({ "plugins/audit.ts": AUDIT_TS, "strata.config.ts": `export default { environments: { development: {}, staging: {} } };\n` });
    const result = await strata(dir, ["hello", "first", "second", "--flag", "x", "--env", "staging"]);
    expectExit(result, 0);
    const line = result.stdout.split("\n").find((l) => l.startsWith("[audit] "));
    expect(line, result.stdout).toBeDefined();
    const received = JSON.parse(line!.slice("[audit] ".length));
    expect(received).toMatchObject({ args: ["first", "second"], options: { flag: "x" }, environment: "staging" });
    // The options the user passed; no default of strata's own global flags.
    expect(received.options).not.toHaveProperty("color");
    expect(received.database).toContain("staging");

    const unknown = await strata(dir, ["helo"]);
    expectExit(unknown, 2);
    expect(unknown.stderr).toContain('Unknown command "helo"');

    const flag = await strata(dir, ["hello", "--bogus-flag", "--flag", "x"]);
    expectExit(flag, 2);
    expect(flag.stderr).toContain('Unknown option `--bogus-flag` for "hello"');
    expect(flag.stdout).not.toContain("[audit]");

    // Its own help: what it does and its options, without running it.
    const help = await strata(dir, ["hello", "--help"]);
    expectExit(help, 0);
    expect(help.stdout).toContain('strata hello (from plugin "audit")');
    expect(help.stdout).toContain("Prints what a plugin command receives");
    expect(help.stdout).toMatch(/--flag <value>\s+a flag/);
    expect(help.stdout).not.toContain("[audit]");
  });
});

describe("abort and errors through the CLI", () => {
  it("a before hook's abort: exit 1, the reason printed, nothing applied, the database unchanged", async () => {
    const dir = await writeProject({
      ...twoMigrations(),
      "strata.config.ts": pluginsConfig(`[definePlugin({ name: "freeze", hooks: { "run:start": ({ environment }) => abort(\`change freeze in \${environment}\`) } })]`),
    });
    const result = await strata(dir, ["up"]);
    expectExit(result, 1);
    expect(result.stderr).toContain("PLUGIN_ABORTED");
    expect(result.stderr).toContain('Plugin "freeze" aborted the run in run:start: change freeze in development');
    // Nothing was written: the embedded database's file is not left behind empty.
    expect(existsSync(join(dir, "data"))).toBe(false);
    const json = await strata(dir, ["up", "--json"]);
    expectExit(json, 1);
    expect(parseJson(json).error).toMatchObject({ code: "PLUGIN_ABORTED", message: expect.stringContaining("change freeze in development") });
    expect(Object.values(states(await statusJson(dir)))).toEqual(["pending", "pending"]);
    // The run stopped before strata created even its own tables.
    expect((await snapshot(sqliteUrl(dir))).schema.tables).toEqual([]);
  });

  it("an after hook that throws: a warning naming plugin and hook, exit 0, the migrations stay applied", async () => {
    const dir = await writeProject({
      ...twoMigrations(),
      "strata.config.ts": pluginsConfig(`[definePlugin({ name: "flaky", hooks: { "migration:after": ({ id }) => { throw new Error(\`cannot record \${id}\`); } } })]`),
    });
    const result = await strata(dir, ["up"]);
    expectExit(result, 0);
    expect(result.stderr).toContain(`Plugin "flaky" failed in migration:after: cannot record ${FIRST}`);
    expect(result.stderr).toContain(`Plugin "flaky" failed in migration:after: cannot record ${SECOND}`);
    expect(Object.values(states(await statusJson(dir)))).toEqual(["applied", "applied"]);
    expect((await historyJson(dir)).events.map((e) => [e.action, e.id])).toEqual([["apply", FIRST], ["apply", SECOND]]);
  });

  it("a throwing migration:error hook does not mask the migration's error: exit 1, MIGRATION_FAILED", async () => {
    const dir = await writeProject({
      ...failingSecond(),
      "strata.config.ts": pluginsConfig(`[definePlugin({ name: "oops", hooks: { "migration:error": () => { throw new Error("handler broke"); } } })]`),
    });
    const result = await strata(dir, ["up"]);
    expectExit(result, 1);
    expect(result.stderr).toContain("MIGRATION_FAILED");
    expect(result.stderr).toContain(SECOND);
    expect(result.stderr).toContain('Plugin "oops" failed in migration:error: handler broke');
    expect(states(await statusJson(dir))).toEqual({ [FIRST]: "applied", [SECOND]: "pending" });
  });
});

describe("invalid plugins are configuration errors (exit 2)", () => {
  const cases = [
    { label: "an unknown hook name", plugins: `[{ name: "typo", hooks: { "migration:beforee": () => {} } }]`, message: 'hook "migration:beforee" does not exist' },
    { label: "a missing name", plugins: `[{ hooks: { "run:end": () => {} } }]`, message: 'has no "name"' },
    { label: "a factory passed uncalled", plugins: `[makePlugin]`, message: "call the plugin factory" },
    { label: "a hook that is not a function", plugins: `[{ name: "nofn", hooks: { "run:end": 42 } }]`, message: 'hook "run:end" must be a function' },
    { label: "two plugins with one name", plugins: `[{ name: "twin", hooks: {} }, [{ name: "twin", hooks: {} }]]`, message: '"twin"' },
    { label: "a hook order that is neither pre nor post", plugins: `[{ name: "mid", hooks: { "run:end": { handler: () => {}, order: "middle" } } }]`, message: 'order must be "pre" or "post"' },
    { label: "a command name with a space", plugins: `[{ name: "cmd", hooks: {}, commands: [{ name: "bad name!", description: "x", run() {} }] }]`, message: 'command name "bad name!"' },
    { label: "a command without run()", plugins: `[{ name: "cmd", hooks: {}, commands: [{ name: "ticket", description: "x" }] }]`, message: 'command "ticket" has no run()' },
  ];
  for (const { label, plugins, message } of cases) {
    it(label, async () => {
      const dir = await writeProject({
        ...twoMigrations(),
        "strata.config.ts": `import { definePlugin } from "strata";\nconst makePlugin = () => definePlugin({ name: "made", hooks: {} });\nexport default { plugins: ${plugins} };\n`,
      });
      for (const args of [["up"], ["plugins"]]) {
        const result = await strata(dir, args);
        expectExit(result, 2);
        expect(result.stderr).toContain("PLUGIN_INVALID");
        expect(result.stderr).toContain(message);
      }
      expect(existsSync(join(dir, "data"))).toBe(false);
    });
  }

  it("an invalid plugin file in plugins/ names the file", async () => {
    const dir = await writeProject({ ...twoMigrations(), "plugins/broken.ts": `export default { hooks: {} };\n` });
    const result = await strata(dir, ["plugins"]);
    expectExit(result, 2);
    expect(result.stderr).toContain("plugins/broken.ts");
    expect(result.stderr).toContain('has no "name"');
  });

  it("a plugin file with an unknown hook, and two files with one plugin name, are named", async () => {
    const typo = await writeProject({ ...twoMigrations(), "plugins/typo.ts": `export default { name: "typo", hooks: { "migration:beforee": () => {} } };\n` });
    const unknown = await strata(typo, ["plugins"]);
    expectExit(unknown, 2);
    expect(unknown.stderr).toContain('"typo" (plugins/typo.ts');
    const twins = await writeProject({ ...twoMigrations(), "plugins/a.ts": `export default { name: "dup", hooks: {} };\n`, "plugins/b.ts": `export default { name: "dup", hooks: {} };\n` });
    const dup = await strata(twins, ["up"]);
    expectExit(dup, 2);
    expect(dup.stderr).toMatch(/"dup" \(plugins\/a\.ts[^)]* and plugins\/b\.ts[^)]*\)/);
  });

  it("falsy entries and nested arrays in plugins are accepted", async () => {
    const dir = await writeProject({
      ...twoMigrations(),
      "strata.config.ts": pluginsConfig(`[false, null, undefined, process.env.NO_SUCH_FLAG && definePlugin({ name: "off", hooks: {} }), [definePlugin({ name: "one", hooks: {} }), [definePlugin({ name: "two", hooks: { "run:end": () => {} } })]]]`),
    });
    const result = await strata(dir, ["plugins", "--json"]);
    expectExit(result, 0);
    expect(parseJson(result).plugins.map((p: { name: string }) => p.name)).toEqual(["one", "two"]);
    expectExit(await strata(dir, ["up"]), 0);
  });
});
