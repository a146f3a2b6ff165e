/**
 * The project the end-to-end and runtime tests run: a config with environments, TypeScript
 * migrations importing "strata" (one checking that an error the engine throws is the
 * StrataError the file imported: one set of classes, not a second copy), a .sql migration,
 * a migration running a data transform in two worker threads, a seeder and a project plugin
 * in plugins/ that records its hook calls into hook-calls.log.
 */
export const IDS = {
  users: "20260101000000_create_users",
  tags: "20260101000100_create_tags",
  events: "20260101000200_events_transform",
  nickname: "20260101000300_add_nickname",
} as const;

export const ALL_IDS = [IDS.users, IDS.tags, IDS.events, IDS.nickname] as const;

/** The user tables the migrations create. */
export const USER_TABLES = ["users", "e2e_checks", "tags", "events"] as const;

/** Rows the transform migration inserts and transforms. */
export const EVENT_ROWS = 600;

export const TRANSFORM_ID = `${IDS.events}.events`;

export const HOOK_LOG = "hook-calls.log";

export function e2eProject(url: string): Record<string, string> {
  return {
    "strata.config.ts": `import { defineConfig } from "strata";
import { batching } from "strata/plugins";

export default defineConfig({
  path: "migrations",
  table: "e2e_migrations",
  environments: {
    development: { database: ${JSON.stringify(url)}, backup: false },
    testing: { database: "app_test", backup: false },
  },
  seeder: { path: "seeders", environments: ["development"] },
  backup: { enabled: false, path: "backups", compress: true, retentionDays: 30 },
  plugins: [batching()],
});
`,
    [`migrations/${IDS.users}.ts`]: `import { Migration, Schema, StrataError } from "strata";

export default class CreateUsers extends Migration {
  async up() {
    Schema.createTable("users", [Schema.id(), Schema.string("name"), Schema.string("email", { unique: true }), Schema.integer("score", { default: 0 })]);
    Schema.createTable("e2e_checks", [Schema.string("name", { primary: true }), Schema.string("value")]);
    // An invalid transform is refused by the engine before it touches the database: the
    // error it throws must be an instance of the StrataError this file imported.
    let refused: unknown;
    try {
      await this.transform("", {}, "none");
    } catch (error) {
      refused = error;
    }
    // Bytes come back as a Buffer on every runtime and database (bun:sqlite gives Uint8Array).
    const [blob] = await this.db.sql\`select \${Buffer.from("hello")} as bytes\`;
    await this.db.table("e2e_checks").insertMany([
      { name: "bytes read back", value: Buffer.isBuffer(blob.bytes) ? blob.bytes.toString("hex") : String(blob.bytes) },
      { name: "this instanceof Migration", value: String(this instanceof Migration) },
      { name: "engine error instanceof StrataError", value: String(refused instanceof StrataError) },
      { name: "engine error code", value: String((refused as { code?: unknown } | undefined)?.code) },
    ]);
  }

  down() {
    Schema.dropTable("e2e_checks");
    Schema.dropTable("users");
  }
}
`,
    [`migrations/${IDS.tags}.sql`]: `-- migrate:up
create table tags (id integer primary key, label varchar(50) not null);
insert into tags (id, label) values (1, 'red'), (2, 'green');

-- migrate:down
drop table tags;
`,
    [`migrations/${IDS.events}.ts`]: `import { threadId } from "node:worker_threads";
import { Migration, Schema } from "strata";

const pause = new Int32Array(new SharedArrayBuffer(4));

export default class EventsTransform extends Migration {
  dependencies = ["CreateUsers"];

  async up() {
    Schema.createTable("events", [Schema.id(), Schema.string("payload"), Schema.integer("thread", { nullable: true })]);
    await this.db.table("events").insertMany(Array.from({ length: ${EVENT_ROWS} }, (_, i) => ({ payload: \`event \${i + 1}\` })));
    await this.transform("events", { columns: ["payload"], batchSize: 50, workers: 2, targetChunkMs: 0 }, "mark");
  }

  // Runs in a worker thread: records which one. The 2 ms per row keeps a chunk busy long
  // enough for the next one to go to the other thread.
  mark(row: { payload: string }) {
    Atomics.wait(pause, 0, 0, 2);
    return { payload: row.payload.toUpperCase(), thread: threadId };
  }

  down() {
    Schema.dropTable("events");
  }
}
`,
    [`migrations/${IDS.nickname}.ts`]: `import { Migration, Schema } from "strata";

export default class AddNickname extends Migration {
  dependencies = ["${IDS.users}"];

  up() {
    Schema.addColumn("users", Schema.string("nickname", { nullable: true }));
  }
}
`,
    "seeders/user_seeder.ts": `import { Seeder } from "strata";

export default class UserSeeder extends Seeder {
  async run() {
    await this.db.table("users").insertMany([
      { name: "Ada", email: "ada@example.com", score: 3 },
      { name: "Linus", email: "linus@example.com", score: 5 },
    ]);
  }
}
`,
    "plugins/audit.ts": `import { appendFileSync } from "node:fs";
import { definePlugin } from "strata";

const record = (line: string) => appendFileSync(${JSON.stringify(HOOK_LOG)}, \`\${line}\\n\`);

export default definePlugin({
  name: "audit",
  hooks: {
    "run:start": ({ command, plan }) => record(\`run:start \${command} \${plan.map((m) => m.id).join(",")}\`),
    "migration:after": ({ id, direction }) => record(\`migration:after \${direction} \${id}\`),
    "seed:after": ({ success }) => record(\`seed:after \${success}\`),
    "transform:end": ({ id, state }) => record(\`transform:end \${id} \${state}\`),
  },
});
`,
  };
}
