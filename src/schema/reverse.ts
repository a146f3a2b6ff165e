import { assertNever, type Operation } from "./operations.ts";

export type ReverseResult = { ok: true; operations: Operation[] } | { ok: false; reason: string };

/**
 * Derives down() from up(): the inverse of each recorded operation, newest first.
 * An operation whose inverse needs information it does not carry (a dropped table's
 * columns, a column's previous type) makes the whole migration irreversible.
 */
export function reverseOperations(ops: readonly Operation[]): ReverseResult {
  const reversed: Operation[] = [];
  for (let i = ops.length - 1; i >= 0; i--) {
    const inverse = reverseOne(ops[i]);
    if (typeof inverse === "string") return { ok: false, reason: inverse };
    reversed.push(inverse);
  }
  return { ok: true, operations: reversed };
}

function reverseOne(op: Operation): Operation | string {
  switch (op.kind) {
    case "CreateTable":
      return { kind: "DropTable", table: op.table, ifExists: false };
    case "RenameTable":
      return { kind: "RenameTable", from: op.to, to: op.from };
    case "AddColumn":
      return { kind: "DropColumn", table: op.table, column: op.column.name };
    case "RenameColumn":
      return { kind: "RenameColumn", table: op.table, from: op.to, to: op.from };
    case "CreateIndex":
      return { kind: "DropIndex", table: op.table, name: op.name, concurrently: op.concurrently };
    case "AddForeignKey":
      return { kind: "DropForeignKey", table: op.table, name: op.name };
    case "AddUnique":
      return { kind: "DropUnique", table: op.table, name: op.name };
    case "AddCheck":
      return { kind: "DropCheck", table: op.table, name: op.name };
    case "Raw":
      return op.downSql ? { kind: "Raw", sql: op.downSql, downSql: op.sql } : `raw SQL without a down statement (${preview(op.sql)}); pass Schema.raw(sql, downSql).`;
    case "DropTable":
      return `dropTable("${op.table}") does not know the table's columns.`;
    case "DropColumn":
      return `dropColumn("${op.table}", "${op.column}") does not know the column's definition.`;
    case "AlterColumn":
      return `alterColumn("${op.table}", "${op.column.name}") does not know the column's previous definition.`;
    case "DropIndex":
      return `dropIndex("${op.table}", "${op.name}") does not know the index's columns.`;
    case "DropForeignKey":
      return `dropForeignKey("${op.table}", "${op.name}") does not know the key's columns.`;
    case "DropUnique":
      return `dropUnique("${op.table}", "${op.name}") does not know the constraint's columns.`;
    case "DropCheck":
      return `dropCheck("${op.table}", "${op.name}") does not know the check's expression.`;
    default:
      return assertNever(op);
  }
}

function preview(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}
