import type { ColumnDef, ReferentialAction } from "./columns.ts";

/**
 * Operations are data: Schema calls append frozen nodes, dialect compilers turn them into
 * SQL. A new kind fails to compile until every dialect's switch handles it.
 */
export interface CreateTable {
  readonly kind: "CreateTable";
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  readonly ifNotExists: boolean;
  readonly comment?: string;
  /**
   * strata's progress markers: writes that need no transaction and no log flush of their
   * own (MySQL: a non-transactional engine). Other databases ignore it.
   */
  readonly nonTransactional?: boolean;
}

export interface DropTable {
  readonly kind: "DropTable";
  readonly table: string;
  readonly ifExists: boolean;
}

export interface RenameTable {
  readonly kind: "RenameTable";
  readonly from: string;
  readonly to: string;
}

export interface AddColumn {
  readonly kind: "AddColumn";
  readonly table: string;
  readonly column: ColumnDef;
}

export interface DropColumn {
  readonly kind: "DropColumn";
  readonly table: string;
  readonly column: string;
}

export interface RenameColumn {
  readonly kind: "RenameColumn";
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

/** The column's complete new definition (type, nullability, default). */
export interface AlterColumn {
  readonly kind: "AlterColumn";
  readonly table: string;
  readonly column: ColumnDef;
}

export interface CreateIndex {
  readonly kind: "CreateIndex";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly where?: string;
  readonly concurrently: boolean;
}

export interface DropIndex {
  readonly kind: "DropIndex";
  readonly table: string;
  readonly name: string;
  readonly concurrently: boolean;
  /** Given by columns: `name` is the generated one, and the index on exactly these columns is dropped when no index has that name. */
  readonly columns?: readonly string[];
}

export interface AddForeignKey {
  readonly kind: "AddForeignKey";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
}

export interface DropForeignKey {
  readonly kind: "DropForeignKey";
  readonly table: string;
  readonly name: string;
  /** Given by columns (see DropIndex). */
  readonly columns?: readonly string[];
}

export interface AddUnique {
  readonly kind: "AddUnique";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
}

export interface DropUnique {
  readonly kind: "DropUnique";
  readonly table: string;
  readonly name: string;
  /** Given by columns (see DropIndex). */
  readonly columns?: readonly string[];
}

export interface AddCheck {
  readonly kind: "AddCheck";
  readonly table: string;
  readonly name: string;
  readonly expression: string;
}

export interface DropCheck {
  readonly kind: "DropCheck";
  readonly table: string;
  readonly name: string;
}

/** Raw SQL, passed as written; `downSql` makes it reversible. */
export interface Raw {
  readonly kind: "Raw";
  readonly sql: string;
  readonly downSql?: string;
}

export type Operation =
  | CreateTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumn
  | CreateIndex
  | DropIndex
  | AddForeignKey
  | DropForeignKey
  | AddUnique
  | DropUnique
  | AddCheck
  | DropCheck
  | Raw;

export type OperationKind = Operation["kind"];

/** Closes a `kind` switch: a new operation kind is a type error until handled. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled operation: ${JSON.stringify(value)}`);
}

/** Whether the operation must run outside a transaction (PostgreSQL CONCURRENTLY). */
export function requiresNoTransaction(op: Operation): boolean {
  return (op.kind === "CreateIndex" || op.kind === "DropIndex") && op.concurrently;
}
