import { describe, expect, it } from "vitest";
import { MysqlCompiler } from "../../../src/dialects/mysql/compiler.ts";
import { createServerState } from "../../../src/dialects/mysql/server.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { openMysql } from "./setup.ts";

const SCRIPT = `
# a hash comment; with a semicolon
create table events (id int primary key, note varchar(100), n int default 0); -- trailing; comment
insert into events (id, note) values (1, 'it\\'s; escaped'), (2, "double; \\" quoted");

delimiter //
create procedure bump(in amount int)
begin
  declare i int default 0;
  while i < amount do
    update events set n = n + 1;
    set i = i + 1;
  end while;
end //

create trigger events_note before insert on events for each row
begin
  if new.note is null then
    set new.note = 'none;';
  elseif new.note = '' then
    set new.note = 'empty';
  end if;
end//
delimiter ;

insert into events (id) values (3);
call bump(2);
`;

/**
 * Shapes from real dbmate folders: trigger guards whose IF takes a parenthesised condition,
 * procedures with IF NOT EXISTS (subquery), and the IF() and REPEAT() functions and the
 * DROP ... IF EXISTS clause that share those words without opening a block.
 */
const BLOCKS = `
create table events (id int primary key, note varchar(100), n int default 0);

create trigger events_guard before insert on events for each row
begin
  if (new.note is null) and (new.n > 0) then
    signal sqlstate '45000' set message_text = 'note required; n > 0';
  end if;
end;

create procedure fill(in amount int)
begin
  drop temporary table if exists scratch;
  if not exists (select 1 from events where id = 100) then
    insert into events (id, note, n) values (100, repeat('-', 3), if(amount > 1, amount, 1));
  end if;
  set @kind = case when amount > 1 then if(amount > 5, 'many', 'some') else repeat('x', 2) end;
end;

call fill(2);
`;

describe("splitStatements", () => {
  it("honours DELIMITER, BEGIN...END bodies, hash comments and backslash escapes", () => {
    const statements = new MysqlCompiler(createServerState()).splitStatements(SCRIPT);
    expect(statements).toHaveLength(6);
    expect(statements[0]).toMatch(/^# a hash comment; with a semicolon\ncreate table events/);
    expect(statements[1]).toMatch(/insert into events \(id, note\) values .*"double; \\" quoted"\)$/);
    expect(statements[2]).toMatch(/^create procedure bump[\s\S]*end while;\nend$/);
    expect(statements[3]).toMatch(/^create trigger events_note[\s\S]*end if;\nend$/);
    expect(statements[4]).toBe("insert into events (id) values (3)");
    expect(statements[5]).toBe("call bump(2)");
  });

  it("keeps a trigger body together without DELIMITER", () => {
    const statements = new MysqlCompiler(createServerState()).splitStatements(
      "create trigger t before update on x for each row begin set new.a = 1; set new.b = 2; end; select 1",
    );
    expect(statements).toEqual(["create trigger t before update on x for each row begin set new.a = 1; set new.b = 2; end", "select 1"]);
  });

  it("opens a block for IF and REPEAT statements, not for the functions or IF EXISTS of the same names", () => {
    const statements = new MysqlCompiler(createServerState()).splitStatements(BLOCKS);
    expect(statements).toHaveLength(4);
    expect(statements[1]).toMatch(/^create trigger events_guard[\s\S]*end if;\nend$/);
    expect(statements[2]).toMatch(/^create procedure fill[\s\S]*repeat\('x', 2\) end;\nend$/);
    expect(statements[3]).toBe("call fill(2)");
  });

  it("opens a block for IF or CASE as the first statement of a body without BEGIN, and in a handler", () => {
    const split = (sql: string) => new MysqlCompiler(createServerState()).splitStatements(sql);
    const bodies = [
      "create trigger a before insert on t for each row if new.a is null then set new.a = 1; end if",
      "create trigger b before insert on t for each row case when new.a = 1 then set new.b = 1; else if new.a = 2 then set new.b = 2; end if; end case",
      "create procedure c() begin declare done int default 0; declare continue handler for not found if done = 0 then set done = 1; end if; select 1; end",
      "create procedure d() modifies sql data if 1 then select 1; end if",
      "create procedure e(x int) if x > 0 then select 1; end if",
      "create function f(a int) returns int deterministic return if(a > 0, 1, 2)",
    ];
    for (const body of bodies) expect(split(`${body};\nselect 2;`)).toEqual([body, "select 2"]);
  });
});

forEachDialect(() => {
  describe("scripts on the server", () => {
    it("runs the split statements: the procedure and the trigger work", async () => {
      const fx = await openMysql();
      for (const statement of fx.dialect.compiler.splitStatements(SCRIPT)) await fx.session.execute(statement);
      const { rows } = await fx.session.execute("select id, note, n from events order by id");
      expect(rows).toEqual([
        { id: 1, note: "it's; escaped", n: 2 },
        { id: 2, note: 'double; " quoted', n: 2 },
        { id: 3, note: "none;", n: 2 },
      ]);
      await fx.session.execute("insert into events (id, note) values (?, ?)", [4, ""]);
      expect((await fx.session.execute("select note from events where id = ?", [4])).rows).toEqual([{ note: "empty" }]);
    });

    it("runs IF (...) THEN guards and IF NOT EXISTS procedures split statement by statement", async () => {
      const fx = await openMysql();
      for (const statement of fx.dialect.compiler.splitStatements(BLOCKS)) await fx.session.execute(statement);
      expect((await fx.session.execute("select id, note, n from events")).rows).toEqual([{ id: 100, note: "---", n: 2 }]);
      await expect(fx.session.execute("insert into events (id, n) values (?, ?)", [1, 5])).rejects.toThrow(/note required; n > 0/);
    });

    it("runs the same script through executeScript", async () => {
      const fx = await openMysql();
      await fx.session.executeScript(SCRIPT);
      expect((await fx.session.execute("select count(*) as n, sum(n) as total from events")).rows).toEqual([{ n: 3, total: "6" }]);
    });
  });
}, ["mysql"]);
