/**
 * Listener and route matching at request time. The matchers are built and sorted by
 * precedence when the config is compiled (config/compile-match.ts), so a request walks one
 * ordered list and takes the first hit.
 *
 * Listener: exact Host, then `*.suffix` (longest suffix first), then the listener with no
 * hostname. Route precedence (Gateway API): exact path > longest prefix > regex; then a
 * method condition; then more header conditions; then more query conditions; then the order
 * written in the file.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { BindRuntime, ListenerRuntime, RouteRuntime, ValueMatcher } from "../runtime/snapshot.js";

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
