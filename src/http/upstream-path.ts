/** Where a request goes on an upstream: the target's base path joined with the incoming path. */
import type { UpstreamTarget } from "../runtime/snapshot.js";

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
