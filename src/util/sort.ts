/**
 * A sorted copy of `items`. Migrations arrive in order almost always (files listed by name,
 * history read in sequence), and one linear check is far cheaper at start-up than a
 * comparator sort of 1000 items in code not yet compiled.
 */
export function sortedCopy<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1], items[i]) > 0) return [...items].sort(compare);
  return [...items];
}
