import { describe, expect, it } from "vitest";
import { assertDependencies, buildGraph, type GraphNode } from "../../src/core/graph.ts";
import { StrataError } from "../../src/errors.ts";

const node = (id: string, dependencies: string[] = [], className?: string): GraphNode => ({ id, version: id.slice(0, 14), dependencies, ...(className ? { className } : {}) });

function errorOf(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (error) {
    return error as StrataError;
  }
  throw new Error("expected an error");
}

describe("buildGraph", () => {
  it("orders by version when there are no dependencies", () => {
    const g = buildGraph([node("20260103000000_c"), node("20260101000000_a"), node("20260102000000_b")]);
    expect(g.order.map((n) => n.id)).toEqual(["20260101000000_a", "20260102000000_b", "20260103000000_c"]);
  });

  it("orders loose versions by file name, as dbmate lists them: 10_posts before 1_init, 0002 before 001", () => {
    const loose = (id: string): GraphNode => ({ id, version: /^\d+/.exec(id)![0], dependencies: [] });
    const graph = buildGraph([loose("1_init"), loose("10_posts"), loose("001_base"), loose("0002-users"), loose("2_tags")]);
    expect(graph.order.map((n) => n.id)).toEqual(["0002-users", "001_base", "10_posts", "1_init", "2_tags"]);
  });

  it("puts a dependency first even when its version is later, ties broken by version", () => {
    const g = buildGraph([node("20260101000000_a", ["20260104000000_d"]), node("20260102000000_b"), node("20260103000000_c"), node("20260104000000_d")]);
    expect(g.order.map((n) => n.id)).toEqual(["20260102000000_b", "20260103000000_c", "20260104000000_d", "20260101000000_a"]);
  });

  it("resolves dependencies by class name, id and version", () => {
    const g = buildGraph([node("20260101000000_users", [], "CreateUsers"), node("20260102000000_profiles", ["CreateUsers"]), node("20260103000000_x", ["20260102000000_profiles", "20260101000000"])]);
    expect(g.dependencies.get("20260102000000_profiles")).toEqual(["20260101000000_users"]);
    expect(g.dependencies.get("20260103000000_x")).toEqual(["20260102000000_profiles", "20260101000000_users"]);
    expect(g.heads).toEqual(["20260103000000_x"]);
  });

  it("names the migration and the missing dependency", () => {
    const error = errorOf(() => assertDependencies(buildGraph([node("20260101000000_a", ["CreateUsers"])]), []));
    expect(error.code).toBe("DEPENDENCY_MISSING");
    expect(error.message).toContain('"20260101000000_a" depends on "CreateUsers"');
    expect(error.hint).toContain("strata status");
  });

  it("a dependency only the history has (its file deleted) or of an applied migration is no error", () => {
    const graph = buildGraph([node("20260102000000_b", ["20260101000000_a"]), node("20260103000000_c", ["20260101000000"]), node("20260104000000_d", ["Gone"])]);
    expect(graph.unresolved.map((u) => u.id)).toEqual(["20260102000000_b", "20260103000000_c", "20260104000000_d"]);
    // a applied (file deleted since): b and c may depend on it; d is applied itself.
    const applied = [{ id: "20260101000000_a", version: "20260101000000" }, { id: "20260104000000_d", version: "20260104000000" }];
    expect(() => assertDependencies(graph, applied)).not.toThrow();
    // Without a in the history, b and c still to apply depend on nothing that exists.
    const error = errorOf(() => assertDependencies(graph, [applied[1]]));
    expect(error.code).toBe("DEPENDENCY_MISSING");
    expect(error.message).toContain('"20260102000000_b" depends on "20260101000000_a"');
    expect(error.message).toContain('"20260103000000_c" depends on "20260101000000"');
    expect(error.message).not.toContain("_d");
  });

  it("names every migration of a cycle", () => {
    const error = errorOf(() => buildGraph([node("20260101000000_a", ["20260103000000_c"]), node("20260102000000_b", ["20260101000000_a"]), node("20260103000000_c", ["20260102000000_b"]), node("20260104000000_free")]));
    expect(error.code).toBe("DEPENDENCY_CYCLE");
    for (const id of ["20260101000000_a", "20260102000000_b", "20260103000000_c"]) expect(error.message).toContain(id);
    expect(error.message).not.toContain("free");
  });

  it("names every missing dependency and every cycle in one error", () => {
    const missing = errorOf(() => assertDependencies(buildGraph([node("20260101000000_x", ["Nope", "20991231000000_nothere"]), node("20260102000000_y", ["Missing2"])]), []));
    expect(missing.code).toBe("DEPENDENCY_MISSING");
    for (const text of ['"20260101000000_x" depends on "Nope"', '"20260101000000_x" depends on "20991231000000_nothere"', '"20260102000000_y" depends on "Missing2"']) expect(missing.message).toContain(text);

    const cycles = errorOf(() =>
      buildGraph([
        node("20260101000000_p", ["20260102000000_q"]), node("20260102000000_q", ["20260101000000_p"]),
        node("20260103000000_r", ["20260104000000_s"]), node("20260104000000_s", ["20260103000000_r"]),
        node("20260105000000_t", ["20260101000000_p"]), node("20260106000000_u", ["20260106000000_u"]),
      ]),
    );
    expect(cycles.code).toBe("DEPENDENCY_CYCLE");
    expect(cycles.message).toContain("3 cycles");
    expect(cycles.message).toContain("20260106000000_u -> 20260106000000_u");
    expect(cycles.message).toMatch(/20260101000000_p -> 20260102000000_q -> 20260101000000_p|20260102000000_q -> 20260101000000_p -> 20260102000000_q/);
    expect(cycles.message).toMatch(/20260103000000_r -> 20260104000000_s -> 20260103000000_r|20260104000000_s -> 20260103000000_r -> 20260104000000_s/);
    // t depends on a cycle without being in one.
    expect(cycles.message).not.toContain("_t");
  });

  it("rejects a migration depending on itself and duplicate class names", () => {
    expect(errorOf(() => buildGraph([node("20260101000000_a", ["20260101000000_a"])])).code).toBe("DEPENDENCY_CYCLE");
    const dup = errorOf(() => buildGraph([node("20260101000000_a", [], "Same"), node("20260102000000_b", [], "Same")]));
    expect(dup.code).toBe("DUPLICATE_ID");
    expect(dup.message).toContain("Same");
  });

  it("orders 10,000 migrations with chained dependencies quickly enough to be linear-ish", () => {
    const nodes: GraphNode[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = `${String(20260101000000 + i)}_m${i}`;
      nodes.push({ id, version: id.slice(0, 14), dependencies: i > 0 && i % 3 === 0 ? [nodes[i - 1].id] : [] });
    }
    const g = buildGraph([...nodes].reverse());
    expect(g.order).toHaveLength(10_000);
    expect(g.order[0].id).toBe(nodes[0].id);
    expect(g.order[9_999].id).toBe(nodes[9_999].id);
  });
});
