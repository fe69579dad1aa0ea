/**
 * Route match conditions compiled into the snapshot's matchers, and their precedence
 * (Gateway API): exact path > longest prefix > regex; then a method condition; then more
 * header conditions; then more query conditions; then the order written in the file.
 */

import type { CompiledMatch, PathKind, RouteRuntime, ValueMatcher } from "../runtime/snapshot.js";
import type { MatchConfig } from "./schema.js";

/** Anchors a user's regular expression to the whole value. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

function compileValue(name: string, v: { exact?: string; regex?: string }, lowerName: boolean): ValueMatcher {
  return Object.freeze({
    name: lowerName ? name.toLowerCase() : name,
    exact: v.exact,
    regex: v.regex === undefined ? undefined : anchoredRegex(v.regex),
  });
}

/** One match condition of a route; `undefined` (a route without matches) is prefix "/". */
export function compileMatch(m: MatchConfig | undefined, route: RouteRuntime): CompiledMatch {
  let pathKind: PathKind = "prefix";
  let path = "";
  let pathRegex: RegExp | undefined;
  const p = m?.path;
  if (p?.exact !== undefined) {
    pathKind = "exact";
    path = p.exact;
  } else if (p?.regex !== undefined) {
    pathKind = "regex";
    pathRegex = anchoredRegex(p.regex);
  } else if (p?.pathPrefix !== undefined) {
    // A trailing slash does not change a prefix: "/v1/" and "/v1" both match "/v1" and "/v1/x".
    path = p.pathPrefix.replace(/\/+$/, "");
  }
  return Object.freeze({
    pathKind,
    path,
    pathSlash: `${path}/`,
    pathRegex,
    method: m?.method,
    headers: Object.freeze((m?.headers ?? []).map((h) => compileValue(h.name, h.value, true))),
    query: Object.freeze((m?.query ?? []).map((q) => compileValue(q.name, q.value, false))),
    route,
  });
}

const PATH_RANK: Readonly<Record<PathKind, number>> = { exact: 0, prefix: 1, regex: 2 };

/**
 * Precedence order of two matches; `a` and `b` carry their position in the file so the sort
 * is total. Negative: `a` wins.
 */
export function compareMatches(
  a: { m: CompiledMatch; order: number },
  b: { m: CompiledMatch; order: number },
): number {
  const ma = a.m;
  const mb = b.m;
  const rank = PATH_RANK[ma.pathKind] - PATH_RANK[mb.pathKind];
  if (rank !== 0) return rank;
  if (ma.pathKind !== "regex") {
    const len = mb.path.length - ma.path.length;
    if (len !== 0) return len;
  }
  const method = (mb.method === undefined ? 0 : 1) - (ma.method === undefined ? 0 : 1);
  if (method !== 0) return method;
  const headers = mb.headers.length - ma.headers.length;
  if (headers !== 0) return headers;
  const query = mb.query.length - ma.query.length;
  if (query !== 0) return query;
  return a.order - b.order;
}

/** Sorts (match, file order) pairs by precedence and returns the matches. */
export function sortMatches(list: Array<{ m: CompiledMatch; order: number }>): CompiledMatch[] {
  return list.sort(compareMatches).map((e) => e.m);
}
