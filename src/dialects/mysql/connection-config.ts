import { errors } from "../../errors.ts";
import type { ConnectionOptions, TlsOption } from "../dialect.ts";

const DEFAULT_POOL_SIZE = 10;
const URL_SHAPE = "mysql://user:password@host:3306/database (or mariadb://...)";

export interface MysqlTls {
  rejectUnauthorized: boolean;
  /** Host name checked against the certificate (mysql2 checks only the chain without it). */
  verifyIdentity: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** Where and how to connect, read from the URL and the options; mysql2's pool options are built from it in driver.ts. */
export interface MysqlConnectionConfig {
  host: string;
  port: number;
  socketPath?: string;
  user?: string;
  password?: string;
  /** The database named in the URL: every session starts there, and resetSession returns there. */
  database?: string;
  tls?: MysqlTls;
  /** TLS when the server offers it, plain otherwise (sslmode=prefer). */
  tlsOptional: boolean;
  poolSize: number;
  connectTimeoutMs: number;
}

/**
 * `mysql://user:pass@host:3306/db?ssl=true`, `mariadb://...` too. Query parameters:
 * `ssl` (true/false), `sslmode` (disable, prefer, require, verify-ca, verify-full, or the
 * mysql client's DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY), `socket`
 * (a Unix socket path) and `connectTimeout` (ms). ConnectionOptions.tls wins over the URL.
 */
export function parseConnectionConfig(options: ConnectionOptions): MysqlConnectionConfig {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw errors.urlInvalid(options.described, URL_SHAPE);
  }
  if (url.protocol !== "mysql:" && url.protocol !== "mariadb:") throw errors.urlInvalid(options.described, URL_SHAPE);
  const query = url.searchParams;
  const port = url.port === "" ? 3306 : Number(url.port);
  const connectTimeout = Number(query.get("connectTimeout") ?? 10_000);
  const tlsMode = options.tls !== undefined ? options.tls : tlsFromQuery(query, options.described);
  const socketPath = query.get("socket") ?? query.get("socketPath") ?? undefined;
  const database = decode(url.pathname.replace(/^\//, ""), options.described);
  return {
    host: url.hostname ? decode(url.hostname, options.described).replace(/^\[|\]$/g, "") : "localhost",
    port,
    ...(socketPath ? { socketPath } : {}),
    ...(url.username ? { user: decode(url.username, options.described) } : {}),
    ...(url.password ? { password: decode(url.password, options.described) } : {}),
    ...(database ? { database } : {}),
    ...tlsConfig(tlsMode),
    poolSize: options.poolSize !== undefined && options.poolSize > 0 ? Math.floor(options.poolSize) : DEFAULT_POOL_SIZE,
    connectTimeoutMs: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout : 10_000,
  };
}

function decode(text: string, described: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw errors.urlInvalid(described, URL_SHAPE);
  }
}

type TlsMode = TlsOption | "verify-ca";

function tlsFromQuery(query: URLSearchParams, described: string): TlsMode | undefined {
  const mode = query.get("sslmode") ?? query.get("ssl-mode") ?? query.get("ssl_mode");
  if (mode !== null) {
    switch (mode.toLowerCase().replace(/_/g, "-")) {
      case "disable":
      case "disabled":
        return false;
      case "prefer":
      case "preferred":
        return "prefer";
      case "require":
      case "required":
        return "require";
      case "verify-ca":
        return "verify-ca";
      case "verify-full":
      case "verify-identity":
        return "verify-full";
      default:
        throw errors.urlInvalid(described, "sslmode one of disable, prefer, require, verify-ca, verify-full");
    }
  }
  const ssl = query.get("ssl");
  if (ssl === null) return undefined;
  if (/^(true|1|on|yes)$/i.test(ssl)) return true;
  if (/^(false|0|off|no)$/i.test(ssl)) return false;
  throw errors.urlInvalid(described, "ssl=true or ssl=false");
}

/** `true` and verify-full check the chain and the host name, verify-ca the chain only, require nothing (encryption only). */
function tlsConfig(mode: TlsMode | undefined): { tls?: MysqlTls; tlsOptional: boolean } {
  if (mode === undefined || mode === false) return { tlsOptional: false };
  if (mode === true || mode === "verify-full") return { tls: { rejectUnauthorized: true, verifyIdentity: true }, tlsOptional: false };
  if (mode === "require") return { tls: { rejectUnauthorized: false, verifyIdentity: false }, tlsOptional: false };
  if (mode === "verify-ca") return { tls: { rejectUnauthorized: true, verifyIdentity: false }, tlsOptional: false };
  if (mode === "prefer") return { tls: { rejectUnauthorized: false, verifyIdentity: false }, tlsOptional: true };
  const verify = mode.rejectUnauthorized !== false;
  return {
    tls: {
      rejectUnauthorized: verify,
      verifyIdentity: verify,
      ...(mode.ca !== undefined ? { ca: mode.ca } : {}),
      ...(mode.cert !== undefined ? { cert: mode.cert } : {}),
      ...(mode.key !== undefined ? { key: mode.key } : {}),
    },
    tlsOptional: false,
  };
}
