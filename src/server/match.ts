/**
 * Listener and route matching. Matchers are built once per config (compile time) and sorted
 * by precedence, so a request walks one ordered list and takes the first hit.
 *
 * Listener: exact Host, then `*.suffix` (longest suffix first), then the listener with no
 * hostname. Route precedence (Gateway API): exact path > longest prefix > regex; then a
 * method condition; then more header conditions; then more query conditions; then the order
 * written in the file.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { MatchConfig } from "../config/schema.js";
import type {
  BindRuntime,
  CompiledMatch,
  ListenerRuntime,
  PathKind,
  RouteRuntime,
  ValueMatcher,
} from "../runtime/snapshot.js";

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

/** The Host header's name part, lower-cased, without port. */
export function hostOf(hostHeader: string | undefined): string {
  if (hostHeader === undefined || hostHeader === "") return "";
  if (hostHeader.charCodeAt(0) === 91 /* [ */) {
    const end = hostHeader.indexOf("]");
    return (end === -1 ? hostHeader : hostHeader.slice(0, end + 1)).toLowerCase();
  }
  const colon = hostHeader.indexOf(":");
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

export function selectListener(
  bind: BindRuntime,
  hostHeader: string | undefined,
): ListenerRuntime | undefined {
  const host = hostOf(hostHeader);
  const exact = bind.exact.get(host);
  if (exact !== undefined) return exact;
  const sfx = bind.suffixes;
  for (let i = 0; i < sfx.length; i++) {
    const l = sfx[i]!;
    // ".example.com" matches "a.example.com" (and deeper names), never "example.com" itself.
    if (host.length > l.host.length && host.endsWith(l.host)) return l;
  }
  return bind.any;
}

function valueMatches(v: ValueMatcher, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (v.exact !== undefined) return actual === v.exact;
  return v.regex?.test(actual) === true;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined || typeof v === "string") return v;
  return v.join(", ");
}

/**
 * The first match (in precedence order) that the request satisfies. `path` is without the
 * query string; `rawQuery` is what follows "?" (or "").
 */
export function selectRoute(
  listener: ListenerRuntime,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  rawQuery: string,
): RouteRuntime | undefined {
  const list = listener.matches;
  let query: URLSearchParams | undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    switch (m.pathKind) {
      case "exact":
        if (path !== m.path) continue;
        break;
      case "prefix":
        if (m.path !== "" && path !== m.path && !path.startsWith(m.pathSlash)) continue;
        break;
      case "regex":
        if (!m.pathRegex!.test(path)) continue;
        break;
    }
    if (m.method !== undefined && m.method !== method) continue;
    let ok = true;
    for (let h = 0; h < m.headers.length; h++) {
      const hm = m.headers[h]!;
      if (!valueMatches(hm, headerValue(headers, hm.name))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (m.query.length > 0) {
      if (query === undefined) query = new URLSearchParams(rawQuery);
      for (let q = 0; q < m.query.length; q++) {
        const qm = m.query[q]!;
        if (!valueMatches(qm, query.get(qm.name) ?? undefined)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
    }
    return m.route;
  }
  return undefined;
}
