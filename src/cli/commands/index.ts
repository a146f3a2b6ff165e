import type { CommandDefinition } from "../command.ts";
import backup from "./backup.ts";
import check from "./check.ts";
import down from "./down.ts";
import history from "./history.ts";
import init from "./init.ts";
import merge from "./merge.ts";
import newMigration from "./new.ts";
import plugins from "./plugins.ts";
import resolve from "./resolve.ts";
import restore from "./restore.ts";
import seed from "./seed.ts";
import status from "./status.ts";
import transform from "./transform.ts";
import up from "./up.ts";
import verify from "./verify.ts";

/** The commands of the CLI contract, in the order `--help` lists them. */
export const COMMANDS: readonly CommandDefinition[] = [init, newMigration, up, down, status, history, seed, check, merge, verify, resolve, backup, restore, plugins, transform];
