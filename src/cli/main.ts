import { cac } from "cac";
import { errors, isStrataError, StrataError } from "../errors.ts";
import type { PluginCommand } from "../hooks/define-plugin.ts";
import type { MigratorEvent } from "../core/migrator.ts";
import { getRuntime, type Runtime } from "../runtime/runtime.ts";
import { buildInfo } from "../util/version.ts";
import type { CommandContext, CommandDefinition, GlobalFlags } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { NO_COLORS, Output } from "./render.ts";

const GLOBAL_OPTIONS: [string, string][] = [
  ["--config <file>", "Config file (default: strata.config.* in the working directory)"],
  ["--env <name>", "Environment (default: STRATA_ENV, NODE_ENV when configured, development)"],
  ["--url <url>", "Database URL (default: DATABASE_URL, the environment's database, ./data/<env>.db)"],
  ["--json", "Machine-readable output"],
  ["-y, --yes", "Confirm without asking (required when not interactive)"],
  ["-q, --quiet", "Print only results and errors"],
  ["--no-color", "No colours"],
  ["--lock-timeout <ms>", "How long to wait for another runner's migration lock"],
];

/** Flags whose values stay text even when they look like numbers (`--to 0001` keeps its zeros). */
const TEXT_FLAGS = ["to", "env", "url", "config", "only"];

export interface CliIo {
  write(stream: "stdout" | "stderr", text: string): void;
  cwd?: string;
}

/**
 * Parses with cac, runs the matched command in its own try/catch (cac's advice for async
 * actions) and maps errors to exit codes: ConfigError/UsageError 2, other failures 1.
 */
export async function runCli(argv: string[], io?: CliIo, runtime: Runtime = getRuntime(), signal?: AbortSignal): Promise<number> {
  const write = io?.write ?? runtime.write;
  const global = globalFlags(argv, runtime);
  // picocolors is loaded only for colour: it reads process.stdout, which Bun builds slowly.
  const colors = global.color ? (await import("picocolors")).default.createColors(true) : NO_COLORS;
  const out = new Output({ json: global.json, quiet: global.quiet, colors, write, tty: io ? false : runtime.isTTY("stderr") });
  const cli = cac("strata");
  for (const [flag, description] of GLOBAL_OPTIONS) cli.option(flag, description);
  let matched: CommandDefinition | undefined;
  let matchedArgs: string[] = [];
  // Only the command named, when it is plain which: cac's set-up of all of them costs start-up time.
  const named = namedCommand(argv);
  for (const def of named ? [named] : COMMANDS) {
    const command = cli.command(def.name, def.description);
    for (const option of def.options ?? []) command.option(option.flag, option.description);
    for (const example of def.examples ?? []) command.example(example);
    command.action((...args: unknown[]) => {
      matched = def;
      matchedArgs = args.slice(0, -1).filter((a) => a !== undefined).map(String);
    });
  }
  // cac shows a negated flag's implied default ("--no-color ... (default: true)"), which reads as the
  // opposite; and a command's own help leaves out what the command does.
  cli.help((sections) => {
    const shown = sections.map((s) => ({ ...s, body: s.body.replace(/^(\s*--no-color\b.*?) \(default: true\)$/m, "$1") }));
    const description = matchedDescription(cli.matchedCommand?.name);
    if (description) shown.splice(1, 0, { body: description });
    else shown.push({ title: "Plugin commands", body: '  "strata plugins" lists the commands plugins add; "strata <command> --help" describes one.' });
    return shown;
  });
  try {
    // Validated here, inside the try: a bad value is a usage error (exit 2), not a crash.
    const lockTimeout = rawFlagValue(argv, "lock-timeout");
    if (lockTimeout !== undefined) global.lockTimeout = parseMs(lockTimeout, "--lock-timeout");
    if (argv.length === 0) {
      cli.outputHelp();
      return 2;
    }
    if (!argv.some((a) => !a.startsWith("-")) && (argv.includes("--version") || argv.includes("-v"))) {
      const info = buildInfo(runtime.name);
      out.result(info, () => `strata ${info.version}${info.commit ? ` (${info.commit.slice(0, 12)})` : ""} ${info.target}`);
      return 0;
    }
    const asked = firstPositional(argv);
    if (!named && asked !== undefined && asked !== "help" && (argv.includes("--help") || argv.includes("-h"))) {
      const ctx = await createContext([], {}, global, out, runtime, io?.cwd ?? runtime.cwd(), signal);
      const found = await ctx.migrator().pluginCommand(asked).catch(() => undefined);
      if (found) {
        write("stdout", pluginCommandHelp(found.plugin, found.command));
        return 0;
      }
    }
    const parsed = cli.parse(["strata", "strata", ...argv], { run: false });
    if (parsed.options.help) return 0;
    // strata help [command]: the same as strata [command] --help.
    if (!cli.matchedCommand && parsed.args[0] === "help") return runCli([...parsed.args.slice(1, 2).map(String), "--help"], io, runtime).then(() => 0);
    if (!cli.matchedCommand) {
      const name = String(parsed.args[0] ?? argv[0]);
      if (name.startsWith("-")) throw errors.usage(`Unknown option \`${name.replace(/=.*$/, "")}\`.`, `Run "strata --help" for the commands and options.`);
      const ctx = await createContext(parsed.args.slice(1).map(String), { ...parsed.options }, global, out, runtime, io?.cwd ?? runtime.cwd(), signal);
      const found = parsed.args[0] === undefined ? undefined : await ctx.migrator().pluginCommand(name);
      if (!found) throw errors.usage(`Unknown command "${name}".`, `Commands: ${COMMANDS.map((c) => c.name.split(" ")[0]).join(", ")}, and those plugins add ("strata plugins"). Run "strata --help".`);
      const unknown = unknownFlag(ctx.options, found.command);
      if (unknown) throw errors.usage(`${asTyped(`Unknown option \`--${unknown}\``, argv)} for "${name}".`);
      return (await runPluginCommand(ctx, found.plugin, found.command)) ?? 0;
    }
    await cli.runMatchedCommand();
    if (!matched) return 0;
    const options = { ...parsed.options };
    for (const name of TEXT_FLAGS) if (typeof options[name] === "number") options[name] = rawFlagValue(argv, name) ?? String(options[name]);
    const code = await matched.run(await createContext(matchedArgs, options, global, out, runtime, io?.cwd ?? runtime.cwd(), signal));
    return code ?? 0;
  } catch (error) {
    const normalized = error instanceof Error && error.name === "CACError" ? errors.usage(`${asTyped(error.message, argv)}.`) : error;
    out.error(normalized);
    return normalized instanceof StrataError ? normalized.exitCode : 1;
  }
}

function globalFlags(argv: string[], runtime: Runtime): GlobalFlags {
  const has = (...flags: string[]) => argv.some((a) => flags.includes(a));
  const noColor = has("--no-color") || runtime.env("NO_COLOR") !== undefined || (!runtime.isTTY("stdout") && runtime.env("FORCE_COLOR") === undefined);
  return {
    ...(rawFlagValue(argv, "config") !== undefined ? { config: rawFlagValue(argv, "config") } : {}),
    ...(rawFlagValue(argv, "env") !== undefined ? { env: rawFlagValue(argv, "env") } : {}),
    ...(rawFlagValue(argv, "url") !== undefined ? { url: rawFlagValue(argv, "url") } : {}),
    json: has("--json"),
    yes: has("--yes", "-y"),
    quiet: has("--quiet", "-q"),
    color: !noColor,
  };
}

/** Global options whose value is the next argument (`--env prod`). */
const VALUE_FLAGS = new Set(GLOBAL_OPTIONS.map(([flag]) => /--([\w-]+) </.exec(flag)?.[1]).filter(Boolean).map((name) => `--${name}`));

/** The built-in command whose name is the first argument that is neither a flag nor a global option's value. */
/** What a command does, for its own help page. */
function matchedDescription(name: string | undefined): string | undefined {
  return name ? COMMANDS.find((def) => def.name === name)?.description : undefined;
}

function namedCommand(argv: string[]): CommandDefinition | undefined {
  const name = firstPositional(argv);
  return name === undefined ? undefined : COMMANDS.find((def) => def.name.split(" ")[0] === name);
}

function firstPositional(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_FLAGS.has(argv[i])) i++;
    else if (!argv[i].startsWith("-")) return argv[i];
  }
  return undefined;
}

/** `strata <plugin command> --help`: what cac prints for a built-in one. */
function pluginCommandHelp(plugin: string, command: PluginCommand): string {
  const options = [...(command.options ?? []).map((o) => [o.flag, o.description]), ...GLOBAL_OPTIONS];
  const width = Math.max(...options.map(([flag]) => flag.length));
  return [
    `strata ${command.name} (from plugin "${plugin}")`,
    "",
    command.description,
    "",
    "Usage:",
    `  $ strata ${command.name} [args] [options]`,
    "",
    "Options:",
    ...options.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
    "",
  ].join("\n");
}

function parseMs(value: string, flag: string): number {
  const n = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) throw errors.usage(`${flag} must be a number of milliseconds ≥ 0, got "${value}".`);
  return Math.round(n);
}

/** The first option cac parsed that neither strata nor the plugin's command declares. */
function unknownFlag(options: Record<string, unknown>, command: PluginCommand): string | undefined {
  const declared = [...GLOBAL_OPTIONS.map(([flag]) => flag), ...(command.options ?? []).map((o) => o.flag), "-h, --help"];
  const names = declared.flatMap((flag) => [...flag.matchAll(/(?:^|[\s,])--?(?:no-)?([\w-]+)/g)].map((m) => camelCase(m[1])));
  return Object.keys(options).find((key) => key !== "--" && !names.includes(key));
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** cac names an unknown flag in camelCase (`--dryRun`): name it as the user typed it. */
function asTyped(message: string, argv: string[]): string {
  const camel = (flag: string) => camelCase(flag.replace(/^-+/, "").split("=")[0]);
  return message.replace(/`--([^`]+)`/g, (whole, name: string) => {
    const typed = argv.find((a) => a.startsWith("-") && camel(a) === name);
    return typed ? `\`${typed.split("=")[0]}\`` : whole;
  });
}

/** The raw text after `--name` or in `--name=value`. */
function rawFlagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

async function createContext(args: string[], options: Record<string, unknown>, global: GlobalFlags, out: Output, runtime: Runtime, cwd: string, signal?: AbortSignal): Promise<CommandContext> {
  // Loaded only when a command runs, so --help loads no engine, config or driver.
  const { Migrator } = await import("../core/migrator.ts");
  const interactive = () => runtime.isTTY("stdin") && runtime.isTTY("stdout");
  const defaultHandler = (event: MigratorEvent) => out.event(event);
  let handler = defaultHandler;
  const migrator = new Migrator({
    cwd,
    ...(global.config !== undefined ? { configFile: global.config } : {}),
    ...(global.env !== undefined ? { env: global.env } : {}),
    ...(global.url !== undefined ? { url: global.url } : {}),
    ...(global.lockTimeout !== undefined ? { lockTimeout: global.lockTimeout } : {}),
    ...(signal ? { signal } : {}),
    onEvent: (event) => handler(event),
  });
  return {
    args,
    options,
    global,
    out,
    runtime,
    cwd,
    migrator(onEvent?: (event: MigratorEvent) => void) {
      if (onEvent) handler = onEvent;
      return migrator;
    },
    isInteractive: interactive,
    async confirm(question: string) {
      if (!interactive()) return false;
      // Loaded only to ask: node:readline costs milliseconds at start-up.
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** Runs a command a plugin added, with the environment and database it needs. */
async function runPluginCommand(ctx: CommandContext, plugin: string, command: PluginCommand): Promise<number | void> {
  const config = await ctx.migrator().config();
  // `color` is cac's default for the global --no-color (always there), not the command's.
  const { "--": _rest, color: _color, ...options } = ctx.options;
  try {
    await command.run({
      args: ctx.args,
      options,
      environment: config.environment,
      url: config.database.url,
      database: config.database.described,
      cwd: config.root,
      log: (message) => ctx.out.info(`${ctx.out.c.dim(`[${plugin}]`)} ${message}`),
    });
  } catch (error) {
    throw isStrataError(error) ? error : errors.pluginFailed(plugin, `command "${command.name}"`, error);
  }
}

/** The process entry: runs the CLI on the process arguments and exits with its code. */
export async function main(runtime: Runtime = getRuntime()): Promise<never> {
  // Ctrl-C or SIGTERM: stop after the migration in progress, with what completed recorded
  // (and hooks told); a second one stops at once.
  const stop = new AbortController();
  runtime.ignoreBrokenPipes();
  runtime.onStopSignals((signal) => {
    if (stop.signal.aborted) {
      runtime.write("stderr", `\n${signal} again: stopping now.\n`);
      void runtime.exit(1);
      return;
    }
    runtime.write("stderr", `\n${signal}: stopping after the migration in progress (a transform after its chunks in flight). ${signal === "SIGINT" ? "Ctrl-C" : "Send it"} again to stop now.\n`);
    stop.abort(signal);
  });
  const code = await runCli(runtime.argv(), undefined, runtime, stop.signal);
  return runtime.exit(code);
}
