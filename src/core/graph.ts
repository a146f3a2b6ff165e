import { errors } from "../errors.ts";
import { sortedCopy } from "../util/sort.ts";

/** What the graph needs of a migration: identity, aliases and declared dependencies. */
export interface GraphNode {
  readonly id: string;
  readonly version: string;
  readonly className?: string;
  readonly file?: string;
  /** As written: ids, class names or versions. */
  readonly dependencies: readonly string[];
}

export interface Graph<N extends GraphNode> {
  /** Topological order, ties broken by file name (the id): the version order for 14-digit versions. */
  readonly order: readonly N[];
  readonly byId: ReadonlyMap<string, N>;
  /** Resolved dependency ids per migration id. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** Migrations no other migration depends on. */
  readonly heads: readonly string[];
  /** Dependencies no file defines (see assertDependencies). */
  readonly unresolved: readonly { id: string; dependency: string }[];
  /** Resolves an id, class name or version to a migration id. */
  resolve(ref: string): string | undefined;
}

/**
 * Builds the dependency graph (pure, no database). Duplicate ids or class names and cycles
 * are errors naming every migration involved; a dependency no file defines is kept aside
 * for assertDependencies, which knows the history.
 */
export function buildGraph<N extends GraphNode>(nodes: readonly N[]): Graph<N> {
  const byId = new Map<string, N>();
  const aliases = new Map<string, string>();
  for (const node of nodes) {
    const existing = byId.get(node.id);
    if (existing) throw errors.duplicateId(node.id, [existing.file ?? existing.id, node.file ?? node.id]);
    byId.set(node.id, node);
  }
  const versions = new Map<string, string[]>();
  for (const node of nodes) {
    if (node.className) {
      const other = aliases.get(node.className);
      if (other !== undefined || (byId.has(node.className) && node.className !== node.id)) {
        const first = byId.get(other ?? node.className)!;
        throw errors.duplicateId(node.className, [first.file ?? first.id, node.file ?? node.id]);
      }
      aliases.set(node.className, node.id);
    }
    const sameVersion = versions.get(node.version);
    if (sameVersion) sameVersion.push(node.id);
    else versions.set(node.version, [node.id]);
  }
  const resolve = (ref: string): string | undefined => {
    if (byId.has(ref)) return ref;
    const alias = aliases.get(ref);
    if (alias) return alias;
    const byVersion = versions.get(ref);
    return byVersion && byVersion.length === 1 ? byVersion[0] : undefined;
  };

  const dependencies = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  // Every problem is collected, so one run names them all.
  const missing: { id: string; dependency: string }[] = [];
  const selfCycles: string[][] = [];
  for (const node of nodes) {
    const resolved: string[] = [];
    for (const ref of node.dependencies) {
      const id = resolve(ref);
      if (!id) missing.push({ id: node.id, dependency: ref });
      else if (id === node.id) selfCycles.push([node.id, node.id]);
      else if (!resolved.includes(id)) {
        resolved.push(id);
        dependents.set(id, [...(dependents.get(id) ?? []), node.id]);
      }
    }
    dependencies.set(node.id, resolved);
  }

  const sorted = sortedCopy(nodes, compareNodes);
  const order = topologicalOrder(sorted, dependencies, dependents, byId, selfCycles);
  const heads = sorted.filter((n) => !dependents.has(n.id)).map((n) => n.id);
  return { order, byId, dependencies, heads, unresolved: missing, resolve };
}

/**
 * A dependency no file defines is an error for a migration still to apply, unless the
 * history has it (applied, its file deleted since: status reports it missing). An applied
 * migration needs nothing more from its dependencies, even one forgotten since.
 */
export function assertDependencies(graph: Graph<GraphNode>, applied: readonly { id: string; version: string }[]): void {
  const done = new Set(applied.flatMap((r) => [r.id, r.version]));
  const missing = graph.unresolved.filter((u) => !done.has(u.id) && !done.has(u.dependency));
  if (missing.length > 0) throw errors.dependencyMissing(missing);
}

/**
 * Unrelated migrations run in file-name order, as dbmate runs them: for the usual 14-digit
 * versions that is the version order; where one version is a prefix of another
 * (`1_init`, `10_posts`) the name decides, as in a sorted directory listing.
 */
const compareNodes = (a: GraphNode, b: GraphNode) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Kahn's algorithm with a binary heap keyed by version: O(n log n) for 10,000 migrations.
 * When every dependency is older than its dependent (the usual folder), that order is
 * simply the version order, found without the heap.
 */
function topologicalOrder<N extends GraphNode>(sorted: N[], dependencies: Map<string, string[]>, dependents: Map<string, string[]>, byId: Map<string, N>, selfCycles: string[][]): N[] {
  if (selfCycles.length > 0) throw errors.dependencyCycle([...selfCycles, ...findCycles(sorted, dependencies, new Set())]);
  if (dependents.size === 0) return sorted;
  const position = new Map(sorted.map((node, i) => [node.id, i]));
  if (sorted.every((node, i) => dependencies.get(node.id)!.every((dep) => position.get(dep)! < i))) return sorted;
  const remaining = new Map<string, number>();
  const heap = new MinHeap<N>(compareNodes);
  for (const node of sorted) {
    const count = dependencies.get(node.id)!.length;
    remaining.set(node.id, count);
    if (count === 0) heap.push(node);
  }
  const order: N[] = [];
  while (heap.size > 0) {
    const node = heap.pop()!;
    order.push(node);
    for (const child of dependents.get(node.id) ?? []) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0) heap.push(byId.get(child)!);
    }
  }
  if (order.length < sorted.length) throw errors.dependencyCycle(findCycles(sorted, dependencies, new Set(order.map((n) => n.id))));
  return order;
}

/** Every cycle among the migrations not in `done`: one found, its migrations set aside, the next looked for. */
function findCycles(nodes: readonly GraphNode[], dependencies: Map<string, string[]>, done: Set<string>): string[][] {
  const cycles: string[][] = [];
  const excluded = new Set(done);
  for (let cycle = findCycle(nodes, dependencies, excluded); cycle; cycle = findCycle(nodes, dependencies, excluded)) {
    cycles.push(cycle);
    for (const id of cycle) excluded.add(id);
  }
  return cycles;
}

/** One cycle among the migrations not in `done`, as a closed path (a -> b -> a). */
function findCycle(nodes: readonly GraphNode[], dependencies: Map<string, string[]>, done: Set<string>): string[] | undefined {
  const stuck = nodes.filter((n) => !done.has(n.id)).sort(compareNodes);
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, "visiting");
    path.push(id);
    for (const dep of dependencies.get(id) ?? []) {
      if (done.has(dep)) continue;
      if (state.get(dep) === "visiting") return [...path.slice(path.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const node of stuck) {
    if (!state.has(node.id)) {
      const cycle = visit(node.id);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#compare(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && this.#compare(items[l], items[smallest]) < 0) smallest = l;
        if (r < items.length && this.#compare(items[r], items[smallest]) < 0) smallest = r;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }
}
