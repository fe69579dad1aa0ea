/**
 * Credentials written into URLs, hidden wherever a URL is shown (config_dump, config
 * diagnostics, logs, explain): the userinfo (`user:password@`) and the values of query
 * parameters whose name ends in key, token, secret, password, passwd, pwd, sig, signature,
 * auth or credential(s), case-insensitively (`api_key`, `key`, `access_token`, `X-Amz-Signature`,
 * `client_secret`...), each replaced by "[redacted]". Text without "://" is returned as is.
 */
const MARK = "[redacted]";

/** scheme://[userinfo@]rest — the rest runs to whitespace, a quote or an angle bracket. */
const URL_IN_TEXT = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@"'<>\\]*@)?([^\s"'<>\\]*)/g;
const QUERY_PARAM = /([?&;])([^=&;#\s]+)=([^&;#\s]*)/g;
const SECRET_NAME = /(?:key|token|secret|password|passwd|pwd|sig|signature|auth|credentials?)$/i;

function redactQuery(rest: string): string {
  if (!rest.includes("=")) return rest;
  return rest.replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the name as written
    }
    return value !== "" && SECRET_NAME.test(decoded) ? `${sep}${name}=${MARK}` : whole;
  });
}

/** `text` with the credentials of every URL in it replaced by the marker. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_IN_TEXT, (_whole, scheme: string, userinfo: string | undefined, rest: string) => {
    const q = rest.search(/[?#]/);
    const tail = q === -1 ? rest : rest.slice(0, q) + redactQuery(rest.slice(q));
    return `${scheme}${userinfo === undefined ? "" : `${MARK}@`}${tail}`;
  });
}

/**
 * A config value that is (or should be) one URL, redacted as a whole: its userinfo, and the
 * secret query values anywhere after its first "?", even when the URL is malformed (a space
 * in it) and would not be found whole in free text.
 */
export function redactUrlValue(value: string): string {
  const scheme = value.indexOf("://");
  if (scheme === -1) return value;
  let out = value;
  const afterScheme = scheme + 3;
  const hostEnd = out.slice(afterScheme).search(/[/?#]/);
  const authority = hostEnd === -1 ? out.slice(afterScheme) : out.slice(afterScheme, afterScheme + hostEnd);
  const at = authority.lastIndexOf("@");
  if (at !== -1) out = `${out.slice(0, afterScheme)}${MARK}${out.slice(afterScheme + at)}`;
  const q = out.indexOf("?");
  return q === -1 ? out : out.slice(0, q) + redactQuery(out.slice(q));
}
