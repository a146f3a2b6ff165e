import { describe, expect, it } from "vitest";
import { MysqlCompiler } from "../../../src/dialects/mysql/compiler.ts";
import { parseConnectionConfig } from "../../../src/dialects/mysql/connection-config.ts";
import { createServerState, hasDropConstraint, hasSkipLocked, parseServerVersion, sessionSettings } from "../../../src/dialects/mysql/server.ts";
import type { Catalog, ConnectionOptions } from "../../../src/dialects/dialect.ts";

// Only MariaDB runs here: what MySQL 8 spells differently is checked on the compiled text.
const noCatalog: Catalog = { table: async () => undefined };
const options = (url: string, extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({ url, described: url.replace(/:[^:@/]*@/, ":***@"), ...extra });

describe("server flavour and version", () => {
  it("reads MySQL and MariaDB version strings", () => {
    expect(parseServerVersion("8.0.36")).toMatchObject({ flavour: "mysql", version: [8, 0, 36] });
    expect(parseServerVersion("10.11.6-MariaDB-0+deb12u1")).toMatchObject({ flavour: "mariadb", version: [10, 11, 6] });
    expect(parseServerVersion("5.5.5-10.5.2-MariaDB-log")).toMatchObject({ flavour: "mariadb", version: [10, 5, 2] });
  });

  it("knows SKIP LOCKED from MySQL 8.0.1 and MariaDB 10.6", () => {
    expect(hasSkipLocked(parseServerVersion("8.0.0"))).toBe(false);
    expect(hasSkipLocked(parseServerVersion("8.0.1"))).toBe(true);
    expect(hasSkipLocked(parseServerVersion("10.5.20-MariaDB"))).toBe(false);
    expect(hasSkipLocked(parseServerVersion("10.6.0-MariaDB"))).toBe(true);
    expect(hasSkipLocked(parseServerVersion("11.4.2-MariaDB"))).toBe(true);
  });

  it("drops a check with `drop check` only on MySQL before 8.0.19", async () => {
    const op = { kind: "DropCheck", table: "t", name: "c" } as const;
    const compile = async (version?: string) => {
      const state = createServerState();
      if (version) state.info = parseServerVersion(version);
      return (await new MysqlCompiler(state).compileOperation(op, noCatalog))[0].sql;
    };
    expect(await compile("8.0.18")).toBe("alter table `t` drop check `c`");
    expect(await compile("8.0.19")).toBe("alter table `t` drop constraint `c`");
    expect(await compile("10.11.6-MariaDB")).toBe("alter table `t` drop constraint `c`");
    // Before any session (a --dry-run plan): the spelling both current servers accept.
    expect(await compile()).toBe("alter table `t` drop constraint `c`");
    expect(hasDropConstraint(parseServerVersion("8.0.16"))).toBe(false);
  });

  it("sets MySQL's max_execution_time in ms and MariaDB's max_statement_time in seconds", () => {
    const baseline = { database: "app", sqlMode: "STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", foreignKeyChecks: 1 };
    const o = options("mysql://root@h/app", { statementTimeoutMs: 2500, ddlLockTimeoutMs: 1 });
    const mysql = sessionSettings(o, parseServerVersion("8.0.36"), baseline);
    expect(mysql.sql).toContain("session max_execution_time = ?");
    expect(mysql.params).toEqual([1, "STRICT_TRANS_TABLES", 1, 2500]);
    const maria = sessionSettings(o, parseServerVersion("10.11.6-MariaDB"), baseline);
    expect(maria.sql).toContain("session max_statement_time = ?");
    expect(maria.params.at(-1)).toBe(2.5);
    expect(sessionSettings(options("mysql://h/app"), parseServerVersion("8.0.36"), baseline).sql).not.toContain("max_execution_time");
  });
});

describe("connection URL", () => {
  it("reads mysql:// and mariadb:// URLs with an encoded password", () => {
    const config = parseConnectionConfig(options("mariadb://app:p%40ss%2Fword@db.example:3307/shop?connectTimeout=2000", { poolSize: 3 }));
    expect(config).toMatchObject({ host: "db.example", port: 3307, user: "app", password: "p@ss/word", database: "shop", poolSize: 3, connectTimeoutMs: 2000 });
    expect(config.tls).toBeUndefined();
    expect(parseConnectionConfig(options("mysql://localhost"))).toMatchObject({ host: "localhost", port: 3306, poolSize: 10 });
  });

  it("maps ssl and sslmode, and lets ConnectionOptions.tls win", () => {
    const tls = (url: string, extra: Partial<ConnectionOptions> = {}) => parseConnectionConfig(options(url, extra));
    expect(tls("mysql://h/db?ssl=true").tls).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
    expect(tls("mysql://h/db?sslmode=REQUIRED").tls).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(tls("mysql://h/db?sslmode=verify-ca").tls).toEqual({ rejectUnauthorized: true, verifyIdentity: false });
    expect(tls("mysql://h/db?ssl-mode=VERIFY_IDENTITY").tls).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
    expect(tls("mysql://h/db?sslmode=preferred")).toMatchObject({ tlsOptional: true });
    expect(tls("mysql://h/db?sslmode=disabled").tls).toBeUndefined();
    expect(tls("mysql://h/db?ssl=true", { tls: false }).tls).toBeUndefined();
    expect(tls("mysql://h/db", { tls: { ca: "CA", rejectUnauthorized: true } }).tls).toEqual({ rejectUnauthorized: true, verifyIdentity: true, ca: "CA" });
  });

  it("refuses other schemes and bad TLS modes with URL_INVALID and no password", () => {
    const bad = (url: string) => {
      try {
        parseConnectionConfig(options(url));
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error("expected a failure");
    };
    expect(bad("postgres://u:s3cret@h/db")).toMatchObject({ code: "URL_INVALID" });
    const mode = bad("mysql://u:s3cret@h/db?sslmode=sometimes");
    expect(mode).toMatchObject({ code: "URL_INVALID" });
    expect(mode.message).not.toContain("s3cret");
  });
});
