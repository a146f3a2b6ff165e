/**
 * Dialect-neutral data statements built by `this.db.table(...)`; each dialect's compiler
 * turns them into SQL with bound parameters.
 */
export type ComparisonOperator = "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" | "like" | "not like" | "in" | "not in" | "is null" | "is not null";

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ["=", "<>", "!=", "<", "<=", ">", ">=", "like", "not like", "in", "not in", "is null", "is not null"];

export interface Condition {
  readonly column: string;
  readonly op: ComparisonOperator;
  readonly value?: unknown;
}

export interface OrderBy {
  readonly column: string;
  readonly direction: "asc" | "desc";
}

export interface SelectQuery {
  /** One of strata's own tables (Compiler.quoteOwnTable). */
  readonly own?: boolean;
  readonly kind: "select";
  readonly table: string;
  readonly columns: readonly string[] | "*";
  readonly where: readonly Condition[];
  readonly orderBy: readonly OrderBy[];
  readonly limit?: number;
  readonly offset?: number;
  readonly count?: boolean;
}

export interface InsertQuery {
  /** One of strata's own tables (Compiler.quoteOwnTable). */
  readonly own?: boolean;
  readonly kind: "insert";
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  /** A row whose values in these key columns (the primary key) are already there is replaced. */
  readonly replace?: readonly string[];
}

export interface UpdateQuery {
  /** One of strata's own tables (Compiler.quoteOwnTable). */
  readonly own?: boolean;
  readonly kind: "update";
  readonly table: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly where: readonly Condition[];
}

export interface DeleteQuery {
  /** One of strata's own tables (Compiler.quoteOwnTable). */
  readonly own?: boolean;
  readonly kind: "delete";
  readonly table: string;
  readonly where: readonly Condition[];
}

export type Query = SelectQuery | InsertQuery | UpdateQuery | DeleteQuery;
