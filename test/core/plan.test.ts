import { describe, expect, it } from "vitest";
import type { MigrationSource } from "../../src/core/discover.ts";
import { buildGraph } from "../../src/core/graph.ts";
import { assertNoBlockers, computeStatus, planDown, planUp, type AppliedRecord } from "../../src/core/plan.ts";

const source = (id: string, deps: string[] = [], checksum = `sum-${id}`): MigrationSource => ({
  id, version: id.slice(0, 14), name: id.slice(15), file: `/p/${id}.sql`, displayFile: `${id}.sql`, kind: "sql", checksum, dependencies: deps, staticallyKnown: true,
});
const applied = (id: string, batch: number, sequence: number, checksum = `sum-${id}`): AppliedRecord => ({ id, version: id.slice(0, 14), name: id.slice(15), checksum, batch, sequence, appliedAt: "2026-01-01T00:00:00.000Z" });

const A = "20260101000000_a", B = "20260102000000_b", C = "20260103000000_c", D = "20260104000000_d";

describe("computeStatus", () => {
  it("lists applied in application order, then the rest in apply order, with every state", () => {
    const graph = buildGraph([source(A), source(B), source(C, [], "edited"), source(D)]);
    const status = computeStatus(graph, [applied(A, 1, 1), applied(C, 1, 2), applied("20251231000000_gone", 1, 3)], []);
    expect(status.entries.map((e) => [e.id, e.state])).toEqual([
      [A, "applied"],
      [C, "modified"],
      ["20251231000000_gone", "missing"],
      [B, "out-of-order"],
      [D, "pending"],
    ]);
  });

  it("reports a progress marker as failed with its statement", () => {
    const graph = buildGraph([source(A)]);
    const status = computeStatus(graph, [], [{ id: A, direction: "up", kind: "statements", state: "failed", statementsDone: 2, statement: "alter table x", startedAt: "2026-01-01T00:00:00.000Z" }]);
    expect(status.entries[0]).toMatchObject({ state: "failed", failure: { statementsDone: 2, statement: "alter table x" } });
    expect(() => assertNoBlockers(status)).toThrow(/failed part-way/);
  });

  it("refuses to go on past modified and missing migrations, naming them", () => {
    const graph = buildGraph([source(A, [], "changed")]);
    expect(() => assertNoBlockers(computeStatus(graph, [applied(A, 1, 1)], []))).toThrow(/20260101000000_a/);
    expect(() => assertNoBlockers(computeStatus(buildGraph([]), [applied(A, 1, 1)], []))).toThrow(/no longer exists/);
  });
});

describe("naming a migration by version", () => {
  it("a version two migrations share is ambiguous, and the error names both", () => {
    const X = "20260101000000_x";
    const graph = buildGraph([source(A), source(X)]);
    const status = computeStatus(graph, [], []);
    expect(() => planUp(graph, status, "20260101000000")).toThrow(/"20260101000000" is ambiguous: 2 migrations have this version \("20260101000000_a", "20260101000000_x"\)/);
    expect(() => planDown(graph, [applied(A, 1, 1), applied(X, 1, 2)], { to: "20260101000000" })).toThrow(/is ambiguous/);
    expect(() => planUp(graph, status, "20990101000000")).toThrow(/No migration matches "20990101000000"/);
  });
});

describe("planUp / planDown", () => {
  const graph = buildGraph([source(A), source(B, [A]), source(C), source(D, [C])]);

  it("applies pending migrations in graph order, up to --to inclusive", () => {
    const status = computeStatus(graph, [applied(A, 1, 1)], []);
    expect(planUp(graph, status).map((m) => m.id)).toEqual([B, C, D]);
    expect(planUp(graph, status, C).map((m) => m.id)).toEqual([B, C]);
    expect(() => planUp(graph, status, "nope")).toThrow(/No migration matches "nope"/);
  });

  it("rolls back the last batch by default, newest first; --steps, --to and --all", () => {
    const history = [applied(A, 1, 1), applied(B, 1, 2), applied(C, 2, 3), applied(D, 2, 4)];
    expect(planDown(graph, history).map((r) => r.id)).toEqual([D, C]);
    expect(planDown(graph, history, { steps: 3 }).map((r) => r.id)).toEqual([D, C, B]);
    expect(planDown(graph, history, { to: A }).map((r) => r.id)).toEqual([D, C, B]);
    expect(planDown(graph, history, { to: "20260102000000" }).map((r) => r.id)).toEqual([D, C]);
    expect(planDown(graph, history, { all: true }).map((r) => r.id)).toEqual([D, C, B, A]);
    expect(() => planDown(graph, history, { steps: 1, all: true })).toThrow(/only one of/);
    expect(() => planDown(graph, [applied(A, 1, 1)], { to: D })).toThrow(/not applied/);
  });
});
