/**
 * Secrets never reach output: a URL is shown only through describeUrl(), and the CLI's
 * last print runs redactSecrets() over everything as a safety net.
 */

/** Replaces the password of a database URL (and secrets in its query) by `***`. Never throws, never echoes a malformed input. */
export function describeUrl(url: string): string {
  return maskQuerySecrets(describeAuthority(url));
}

function describeAuthority(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return redactSecrets(url);
  // A password may itself contain "@", ":" or "%40": the userinfo ends at the last "@"
  // before the path starts, so split by hand instead of trusting new URL().
  const rest = url.slice(scheme[0].length);
  if (!rest.startsWith("//")) {
    // Malformed (`postgres:user:pass@host`, `mysql:/user:pass@host`): whatever precedes the
    // last "@" may be a password.
    const at = rest.lastIndexOf("@");
    return at < 0 || /^file:$/i.test(scheme[0]) ? url : `${scheme[0]}***${rest.slice(at)}`;
  }
  const afterSlashes = rest.slice(2);
  const pathStart = findPathStart(afterSlashes);
  const authority = afterSlashes.slice(0, pathStart);
  const at = authority.lastIndexOf("@");
  if (at < 0) return url;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return url;
  const user = userinfo.slice(0, colon);
  return `${scheme[0]}//${user}:***@${authority.slice(at + 1)}${afterSlashes.slice(pathStart)}`;
}

function findPathStart(s: string): number {
  // The host part cannot contain "/", "?" or "#"; the password may, but only before the
  // last "@". Find the last "@" first, then the first delimiter after it.
  const lastAt = s.lastIndexOf("@");
  const from = lastAt < 0 ? 0 : lastAt;
  const m = /[/?#]/.exec(s.slice(from));
  return m ? from + m.index : s.length;
}

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s"'@]*:)([^\s"']*)@(?=[^\s"'@]*(?:[\s"'/?#]|$))/gi;

/** Masks anything shaped like `scheme://user:pass@` and known secret-bearing query parameters. */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = maskQuerySecrets(text.replace(URL_CREDENTIALS, "$1***@"));
  for (const secret of extraSecrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

/** `?password=…` and the like; a value stops before `": "`, the separator of a message that follows it. */
function maskQuerySecrets(text: string): string {
  return text.replace(/([?&](?:password|pass|token|secret|authToken|auth_token|api_key|apikey)=)[^&\s"']+?(?=[&\s"']|:\s|$)/gi, "$1***");
}

const registeredSecrets = new Set<string>();

/** Remembers a secret (a password read from a URL or a token) so the output safety net masks it. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 3) return;
  registeredSecrets.add(secret);
  try {
    const decoded = decodeURIComponent(secret);
    if (decoded !== secret && decoded.length >= 3) registeredSecrets.add(decoded);
  } catch {
    // a malformed escape is still masked in its raw form
  }
}

export function knownSecrets(): readonly string[] {
  return [...registeredSecrets];
}
