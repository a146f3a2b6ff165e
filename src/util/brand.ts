/**
 * A user's file may load a second copy of strata (another node_modules, the binary's
 * virtual module), so classes are recognised by a global symbol brand, as Drizzle's is()
 * does, and not by instanceof alone.
 */
export const KIND = Symbol.for("strata.kind");

export type Kind = "migration" | "seeder" | "plugin" | "config" | "column";

export function hasKind(value: unknown, kind: Kind): boolean {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  return (value as Record<symbol, unknown>)[KIND] === kind;
}
