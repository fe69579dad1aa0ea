/**
 * An upstream's address: parsed from a base URL once, when the config is compiled, and joined
 * with each request's path when it is forwarded.
 */
import type { UpstreamTarget } from "../runtime/upstream.js";

/**
 * Upstream path: the base path, then the incoming path, dropping a leading `/v1` segment of
 * the incoming path when the base path ends in `/v1`. The query string is kept as sent.
 */
export function upstreamPath(target: UpstreamTarget, url: string, queryIndex: number): string {
  if (target.stripV1) {
    const pathEnd = queryIndex === -1 ? url.length : queryIndex;
    if (url.startsWith("/v1") && (pathEnd === 3 || url.charCodeAt(3) === 47) /* / */) {
      return target.basePath + url.slice(3);
    }
  }
  return target.basePath === "" ? url : target.basePath + url;
}

/**
 * Upstream URL parts. The joining rule (README): the upstream URL is the base URL's origin,
 * then its path, then the incoming path — except that when the base path ends in `/v1` and
 * the incoming path starts with the `/v1` segment, that leading `/v1` is dropped, so
 * `/v1/chat/completions` on `https://api.openai.com/v1` reaches
 * `https://api.openai.com/v1/chat/completions`. The query string is kept as sent.
 */
export function upstreamTarget(baseUrl: string, hostOverride?: string): UpstreamTarget {
  const u = new URL(baseUrl);
  const basePath = u.pathname.replace(/\/+$/, "");
  const stripV1 = basePath.endsWith("/v1");
  const tls = u.protocol === "https:";
  const connectOrigin = hostOverride === undefined ? u.origin : `${u.protocol}//${hostOverride}`;
  // TLS to an overridden address still verifies the base URL's name.
  const servername = hostOverride !== undefined && tls ? u.hostname : undefined;
  return Object.freeze({
    poolKey: servername === undefined ? connectOrigin : `${connectOrigin}#${servername}`,
    connectOrigin,
    servername,
    hostHeader: u.host,
    basePath,
    stripV1,
  });
}
