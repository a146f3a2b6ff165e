import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson, REPO_ROOT } from "../helpers/cli.ts";
import { writeProject } from "../helpers/project.ts";
import { expectExit, strata, tableMigration } from "./fixtures.ts";

const A = "20260101000000_create_alpha";
const B = "20260102000000_create_beta";
const ANSI = /\u001b\[/;

describe("--quiet", () => {
  it("prints only results and errors", async () => {
    const dir = await writeProject({ [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha"), [`migrations/${B}.ts`]: tableMigration("CreateBeta", "beta") });
    const loud = await strata(dir, ["up", "--dry-run"]);
    expect(loud.stdout.trim().split("\n").length).toBeGreaterThan(1);

    const up = await strata(dir, ["up", "--quiet"]);
    expectExit(up, 0);
    expect(up.stdout.trim().split("\n")).toEqual([expect.stringMatching(/^Applied 2 migration\(s\)/)]);
    expect(up.stderr).toBe("");

    const again = await strata(dir, ["up", "-q"]);
    expectExit(again, 0);
    expect(again.stdout + again.stderr).toBe("");

    // An error still gets through, on stderr.
    const failed = await strata(dir, ["up", "-q", "--to", "NoSuchMigration"]);
    expectExit(failed, 1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain("NoSuchMigration");
  });
});

describe("status, as text", () => {
  it("lists each migration with its state, the applied ones with time and batch, then the counts", async () => {
    const dir = await writeProject({ [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha"), [`migrations/${B}.ts`]: tableMigration("CreateBeta", "beta") });
    expectExit(await strata(dir, ["up", "--to", A]), 0);
    const status = await strata(dir, ["status"]);
    expectExit(status, 0);
    const lines = status.stdout.trimEnd().split("\n");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^  applied {6}${A}  \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z  batch 1$`)),
      `  pending      ${B}`,
      `1 applied, 1 pending · head: ${B}`,
    ]);
  });
});

describe("--no-color", () => {
  it("prints no ANSI escapes, even when colours are forced", async () => {
    const dir = await writeProject({ [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha") });
    const forced = { FORCE_COLOR: "1" };
    // The control: with colours forced and no flag, escapes are there.
    const coloured = await strata(dir, ["up", "--to", "NoSuchMigration"], forced);
    expect(coloured.stderr).toMatch(ANSI);
    for (const args of [["up"], ["status"], ["history"], ["up", "--to", "NoSuchMigration"]]) {
      const result = await strata(dir, [...args, "--no-color"], forced);
      expect(result.stdout + result.stderr).not.toMatch(ANSI);
    }
  });

  it("is listed in --help without a default that reads as the opposite", async () => {
    const dir = await writeProject({});
    for (const args of [["--help"], ["status", "--help"]]) {
      const help = await strata(dir, args);
      expectExit(help, 0);
      expect(help.stdout).toMatch(/^\s*--no-color\s+No colours$/m);
    }
  });
});

describe("the command named", () => {
  it("is the first argument that is not a global option's value, wherever the flags stand", async () => {
    const dir = await writeProject({ [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha"), [`migrations/${B}.ts`]: tableMigration("CreateBeta", "beta") });
    expectExit(await strata(dir, ["--env", "up", "up"]), 0);
    // "--env up down": the environment is "up", the command is down (of the one batch, in that environment).
    const down = await strata(dir, ["--env", "up", "--json", "down"]);
    expectExit(down, 0);
    expect(parseJson<{ rolledBack: string[] }>(down).rolledBack).toEqual([B, A]);
    // A command's own option before it: still that command.
    expectExit(await strata(dir, ["--env", "up", "up"]), 0);
    const steps = await strata(dir, ["--steps", "1", "--env", "up", "--json", "down"]);
    expectExit(steps, 0);
    expect(parseJson<{ rolledBack: string[] }>(steps).rolledBack).toEqual([B]);
  });
});

describe("--version and --json errors", () => {
  it("--version prints the version from package.json", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const dir = await writeProject({});
    const text = await strata(dir, ["--version"]);
    expectExit(text, 0);
    expect(text.stdout).toContain(version);
    const json = await strata(dir, ["--version", "--json"]);
    expectExit(json, 0);
    expect(parseJson(json)).toMatchObject({ version });
  });

  it("with --json an error is a JSON object on stdout with its code", async () => {
    const dir = await writeProject({ [`migrations/${A}.ts`]: tableMigration("CreateAlpha", "alpha") });
    const result = await strata(dir, ["up", "--json", "--to", "NoSuchMigration"]);
    expectExit(result, 1);
    expect(parseJson(result)).toMatchObject({ error: { code: "MIGRATION_NOT_FOUND", message: expect.stringContaining("NoSuchMigration") } });
  });
});
