import { KIND } from "../util/brand.ts";

/**
 * Column descriptors: one neutral, frozen data object per column. Each dialect's types.ts
 * maps `type` (and length/precision) to its native type.
 */
export type ColumnType =
  | "id"
  | "bigId"
  | "uuid"
  | "string"
  | "text"
  | "integer"
  | "bigInteger"
  | "smallInteger"
  | "boolean"
  | "decimal"
  | "float"
  | "double"
  | "date"
  | "time"
  | "timestamp"
  | "json"
  | "binary"
  | "enum";

export const COLUMN_TYPES: readonly ColumnType[] = [
  "id", "bigId", "uuid", "string", "text", "integer", "bigInteger", "smallInteger", "boolean",
  "decimal", "float", "double", "date", "time", "timestamp", "json", "binary", "enum",
];

export type ReferentialAction = "cascade" | "restrict" | "set null" | "set default" | "no action";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A literal default (rendered through the dialect's one escaper) or raw SQL. */
export type ColumnDefault = { readonly kind: "value"; readonly value: JsonValue } | { readonly kind: "raw"; readonly sql: string };

export interface ColumnReference {
  readonly table: string;
  readonly column: string;
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
  readonly name?: string;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly values?: readonly string[];
  readonly withTimezone?: boolean;
  readonly nullable: boolean;
  readonly default?: ColumnDefault;
  readonly unique: boolean;
  readonly index: boolean;
  readonly primary: boolean;
  readonly autoIncrement: boolean;
  readonly unsigned: boolean;
  readonly references?: ColumnReference;
  readonly comment?: string;
}

/** Modifiers every column factory accepts. */
export interface ColumnOptions {
  nullable?: boolean;
  /** A literal value, or `{ raw: "CURRENT_TIMESTAMP" }` for SQL. */
  default?: JsonValue | { raw: string };
  /** Raw SQL default, same as `default: { raw }`. */
  defaultRaw?: string;
  unique?: boolean;
  index?: boolean;
  primary?: boolean;
  autoIncrement?: boolean;
  unsigned?: boolean;
  /** `"users.id"`, or `{ table, column?, onDelete?, onUpdate? }`. */
  references?: string | { table: string; column?: string; onDelete?: ReferentialActionInput; onUpdate?: ReferentialActionInput; name?: string };
  onDelete?: ReferentialActionInput;
  onUpdate?: ReferentialActionInput;
  comment?: string;
  length?: number;
  precision?: number;
  scale?: number;
  /** Timestamp and time with time zone. `tz` is the short form. */
  withTimezone?: boolean;
  tz?: boolean;
}

/** Accepted spellings: "cascade", "CASCADE", "set null", "SET_NULL", "setNull", "no-action". */
export type ReferentialActionInput = string;

const ACTIONS: Record<string, ReferentialAction> = {
  cascade: "cascade",
  restrict: "restrict",
  setnull: "set null",
  setdefault: "set default",
  noaction: "no action",
};

export function parseReferentialAction(input: string | undefined, where: string): ReferentialAction | undefined {
  if (input === undefined) return undefined;
  const key = String(input).toLowerCase().replace(/[\s_-]+/g, "");
  const action = ACTIONS[key];
  if (!action) {
    throw new TypeError(`${where}: referential action "${input}" is not one of cascade, restrict, set null, set default, no action.`);
  }
  return action;
}

export function createColumn(name: string, type: ColumnType, options: ColumnOptions = {}, extra: Partial<ColumnDef> = {}): ColumnDef {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`Schema.${type}(): a column needs a non-empty name, got ${JSON.stringify(name)}.`);
  }
  const column: ColumnDef & { [KIND]: "column" } = {
    [KIND]: "column",
    name,
    type,
    nullable: options.nullable ?? false,
    unique: options.unique ?? false,
    index: options.index ?? false,
    primary: options.primary ?? false,
    autoIncrement: options.autoIncrement ?? false,
    unsigned: options.unsigned ?? false,
    ...pickDefined({
      length: options.length,
      precision: options.precision,
      scale: options.scale,
      withTimezone: options.withTimezone ?? options.tz,
      comment: options.comment,
      default: resolveDefault(options),
      references: resolveReference(name, options),
    }),
    ...extra,
  };
  return Object.freeze(column);
}

function resolveDefault(options: ColumnOptions): ColumnDefault | undefined {
  if (options.defaultRaw !== undefined) return { kind: "raw", sql: options.defaultRaw };
  const value = options.default;
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { raw?: unknown }).raw === "string" && Object.keys(value).length === 1) {
    return { kind: "raw", sql: (value as { raw: string }).raw };
  }
  return { kind: "value", value: value as JsonValue };
}

function resolveReference(column: string, options: ColumnOptions): ColumnReference | undefined {
  const ref = options.references;
  if (ref === undefined) return undefined;
  const where = `column "${column}"`;
  if (typeof ref === "string") {
    const dot = ref.lastIndexOf(".");
    const table = dot < 0 ? ref : ref.slice(0, dot);
    const refColumn = dot < 0 ? "id" : ref.slice(dot + 1);
    return pickDefined({
      table,
      column: refColumn,
      onDelete: parseReferentialAction(options.onDelete, where),
      onUpdate: parseReferentialAction(options.onUpdate, where),
    }) as ColumnReference;
  }
  return pickDefined({
    table: ref.table,
    column: ref.column ?? "id",
    onDelete: parseReferentialAction(ref.onDelete ?? options.onDelete, where),
    onUpdate: parseReferentialAction(ref.onUpdate ?? options.onUpdate, where),
    name: ref.name,
  }) as ColumnReference;
}

/** Copies only the keys whose value is defined, so descriptors compare and print cleanly. */
export function pickDefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(object) as (keyof T)[]) {
    if (object[key] !== undefined) out[key] = object[key];
  }
  return out;
}
