import { describe, expect, it } from "vitest";
import { PostgresCompiler } from "../../../src/dialects/postgres/compiler.ts";
import { Schema } from "../../../src/schema/schema.ts";
import { forEachDialect } from "../../helpers/databases.ts";
import { postgresHarness } from "./harness.ts";

const SCRIPT = `
create table counters (name text primary key, n int not null default 0);

-- a function whose body has semicolons, in a tagged dollar quote
create function bump(key text) returns int language plpgsql as $fn$
declare
  result int;
begin
  insert into counters (name) values (key) on conflict (name) do nothing;
  update counters set n = n + 1 where name = key returning n into result;
  return result; -- ; in a comment
end;
$fn$;

do $$
begin
  perform bump('a');
  perform bump('a');
  raise notice 'done; really';
end
$$;

/* a block comment; with a semicolon */
insert into counters (name, n) values ('quote;d', 1), ('it''s', 2);
`;

// A transaction:false section runs statement by statement: the split must respect E'' strings.
describe("splitStatements", () => {
  it("keeps an E'' string whose backslash escapes a quote whole, and ends a standard string at its quote", () => {
    const statements = new PostgresCompiler().splitStatements("insert into notes values (E'it\\'s; fine', 'C:\\');\nselect 1;");
    expect(statements).toEqual(["insert into notes values (E'it\\'s; fine', 'C:\\')", "select 1"]);
  });

  it("does not split inside parentheses (a rule's action list) or nested block comments", () => {
    const rule = "create rule v_ins as on insert to v do instead (insert into a values (new.id); insert into b values (new.id))";
    expect(new PostgresCompiler().splitStatements(`${rule};\n/* outer /* inner; */ still a comment; really */\nselect 1;`)).toEqual([rule, "/* outer /* inner; */ still a comment; really */\nselect 1"]);
  });
});

forEachDialect(() => {
  it("splits a script at semicolons outside dollar quotes, strings and comments, and runs it", async () => {
    const h = await postgresHarness();
    const statements = h.dialect.compiler.splitStatements(SCRIPT);
    expect(statements).toHaveLength(4);
    expect(statements[1]).toMatch(/^-- a function[^\n]*\ncreate function bump[\s\S]*\$fn\$$/);
    expect(statements[2]).toMatch(/^do \$\$[\s\S]*\$\$$/);

    await h.apply(() => Schema.raw(SCRIPT, "drop function bump(text); drop table counters"));
    expect(await h.rows(`select name, n from counters order by name`)).toEqual([
      { name: "a", n: 2 },
      { name: "it's", n: 2 },
      { name: "quote;d", n: 1 },
    ]);
    expect(await h.rows(`select bump('a') as n`)).toEqual([{ n: 3 }]);
  });
}, ["postgres"]);
