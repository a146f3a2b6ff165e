import { describe, expect, it } from "vitest";
import { parseSqlMigration } from "../../src/core/sql-file.ts";

describe("parseSqlMigration (dbmate format)", () => {
  it("splits up and down sections and reads strata:depends lines", () => {
    const result = parseSqlMigration("-- strata:depends 20260101000000_users CreateRoles\n-- migrate:up\ncreate table a (id int);\n\n-- migrate:down\ndrop table a;\n");
    expect(result).toEqual({
      ok: true,
      value: {
        up: { sql: "create table a (id int);", transaction: true, line: 2 },
        down: { sql: "drop table a;", transaction: true, line: 5 },
        dependencies: ["20260101000000_users", "CreateRoles"],
      },
    });
  });

  it("leaves depends lines out of the section they stand in and accepts indented markers", () => {
    const result = parseSqlMigration("  -- migrate:up\ncreate table a (id int);\n-- strata:depends base\ninsert into a values (1);\n\t--  migrate:down\ndrop table a;");
    expect(result).toEqual({
      ok: true,
      value: {
        up: { sql: "create table a (id int);\ninsert into a values (1);", transaction: true, line: 1 },
        down: { sql: "drop table a;", transaction: true, line: 5 },
        dependencies: ["base"],
      },
    });
    expect(parseSqlMigration("-- migrate:up\nselect 1;\n-- migrate:down\n\n-- migrate:up\n")).toMatchObject({ ok: false, problem: expect.stringContaining("lines 1 and 5") });
  });

  it("honours transaction:false and a down section before the up section", () => {
    const result = parseSqlMigration("-- migrate:down\ndrop index i;\n-- migrate:up transaction:false\ncreate index concurrently i on t (a);\n");
    if (!result.ok) throw new Error(result.problem);
    expect(result.value.up).toMatchObject({ sql: "create index concurrently i on t (a);", transaction: false });
    expect(result.value.down).toMatchObject({ sql: "drop index i;", transaction: true });
  });

  it("runs a section with an index built or dropped CONCURRENTLY outside a transaction unless told otherwise", () => {
    const result = parseSqlMigration("-- migrate:up\ncreate unique index\n  concurrently users_email on users (email);\n-- migrate:down\ndrop index concurrently users_email;\n");
    if (!result.ok) throw new Error(result.problem);
    expect(result.value.up.transaction).toBe(false);
    expect(result.value.down!.transaction).toBe(false);
    const told = parseSqlMigration("-- migrate:up transaction:true\ncreate index concurrently i on t (a);\n");
    expect(told.ok && told.value.up.transaction).toBe(true);
    const plain = parseSqlMigration("-- migrate:up\ncreate index i on t (a);\nselect 'concurrently';\n");
    expect(plain.ok && plain.value.up.transaction).toBe(true);
  });

  it("treats a missing down section as irreversible and an empty one as a no-op", () => {
    const noDown = parseSqlMigration("-- migrate:up\nselect 1;\n");
    const emptyDown = parseSqlMigration("-- migrate:up\nselect 1;\n-- migrate:down\n");
    expect(noDown.ok && noDown.value.down).toBe(undefined);
    expect(emptyDown.ok && emptyDown.value.down).toEqual({ sql: "", transaction: true, line: 3 });
  });

  it("reports a file without an up marker, a repeated marker and an unknown option", () => {
    expect(parseSqlMigration("create table a (id int);")).toMatchObject({ ok: false, problem: expect.stringContaining("-- migrate:up") });
    expect(parseSqlMigration("-- migrate:up\n-- migrate:up\n")).toMatchObject({ ok: false, problem: expect.stringContaining("twice") });
    expect(parseSqlMigration("-- migrate:up transactions:false\n")).toMatchObject({ ok: false, problem: expect.stringContaining("transactions:false") });
  });

  it("runs a section with its own COMMIT or BEGIN outside a transaction, and refuses transaction:true on one", () => {
    const up = (sql: string, marker = "-- migrate:up") => parseSqlMigration(`${marker}\n${sql}\n-- migrate:down\n`);
    expect(up("alter type mood add value 'meh';\ncommit;\nupdate t set m = 'meh';")).toMatchObject({ ok: true, value: { up: { transaction: false } } });
    expect(up("begin;\nupdate t set a = 1;\ncommit;")).toMatchObject({ ok: true, value: { up: { transaction: false } } });
    // A PL/pgSQL or MySQL body's BEGIN and END are not transaction control.
    expect(up("create function f() returns int as $$\nbegin\n  return 1;\nend;\n$$ language plpgsql;")).toMatchObject({ ok: true, value: { up: { transaction: true } } });
    expect(up("begin;\ncommit;", "-- migrate:up transaction:true")).toMatchObject({ ok: false, problem: expect.stringContaining("transaction:true but commits or begins a transaction itself") });
  });

  it("reads words in comments as comments: a CONCURRENTLY there keeps the transaction", () => {
    const parsed = parseSqlMigration("-- migrate:up\n-- no need for CREATE INDEX CONCURRENTLY here\n/* nor commit; */\ncreate index i on t (a);\n-- migrate:down\n");
    expect(parsed).toMatchObject({ ok: true, value: { up: { transaction: true } } });
  });

  it("refuses a statement above the first marker; comments there are fine, and so is a comment after a marker", () => {
    expect(parseSqlMigration("create table z (id int);\n-- migrate:up\ncreate table a (id int);\n")).toMatchObject({ ok: false, problem: expect.stringContaining("a statement stands before the first") });
    expect(parseSqlMigration("-- a note\n/* another */\n-- migrate:up  -- create things\ncreate table a (id int);\n-- migrate:down -- and drop them\ndrop table a;\n")).toMatchObject({
      ok: true,
      value: { up: { sql: "create table a (id int);", transaction: true }, down: { sql: "drop table a;" } },
    });
  });
});

