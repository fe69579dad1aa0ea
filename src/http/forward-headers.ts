/**
 * The headers the gateway forwards both ways: hop-by-hop ones (RFC 9110 §7.6.1, and any the
 * Connection header names) dropped, Host rewritten, X-Forwarded-For/-Proto added, the
 * gateway's own key never sent on, the backend credential applied, and the request id added
 * to the answer. One rule (`forwardedRequestHeaders`) for the opaque proxy and the LLM
 * pipeline alike, same-format and translated.
 */

import type { IncomingMessage } from "node:http";
import type { ProviderSpec } from "../llm/providers/spec.js";
import { appendRequiredHeaders } from "../llm/providers/spec.js";
import type { BackendAuthRuntime } from "../runtime/snapshot.js";
import type { UpstreamTarget } from "../runtime/upstream.js";
import { util } from "./undici.js";

/** Hop-by-hop headers (RFC 9110 §7.6.1): never forwarded either way. */
function isHopByHop(lower: string): boolean {
  switch (lower) {
    case "connection":
    case "keep-alive":
    case "te":
    case "trailer":
    case "transfer-encoding":
    case "upgrade":
      return true;
    default:
      return lower.startsWith("proxy-");
  }
}

/** Request headers not copied upstream: hop-by-hop ones and those the proxy sets itself. */
export function isDroppedRequestHeader(lower: string): boolean {
  return isHopByHop(lower) || lower === "host" || lower === "expect" || lower === "x-agw-authorization";
}

/** Header names listed in a Connection header, lower-cased (also hop-by-hop). */
function connectionTokens(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  // The usual values name no other header; skipping the split/map/filter for them saved
  // ~4 µs/request (profiled) since both the request and the response carry one.
  if (value === "keep-alive" || value === "close" || value === "Keep-Alive") return undefined;
  const text = typeof value === "string" ? value : value.join(",");
  return text
    .toLowerCase()
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "" && t !== "close" && t !== "keep-alive");
}

/** What one path copies of the caller's headers; the rest of the rule is the same everywhere. */
export interface CallerHeaderRule {
  /** Copy the caller's end-to-end headers; false: none (a translated request builds its own). */
  readonly copy: boolean;
  /** Further caller headers not copied (lower-case names): those the path sets itself. */
  readonly drop?: (lower: string) => boolean;
}

/**
 * The one header-forwarding rule of every path (opaque proxy, same-format and translated LLM
 * requests): the caller's headers without the hop-by-hop ones and those its Connection header
 * names, without the gateway's key and without `rule.drop`; then Host set to the upstream's,
 * X-Forwarded-For with the peer appended to the caller's list, and X-Forwarded-Proto (the
 * caller's, from a proxy in front, else http). Returns a new flat list the caller appends to.
 */
export function forwardedRequestHeaders(
  req: IncomingMessage,
  hostHeader: string,
  rule: CallerHeaderRule,
): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let xff: string | undefined;
  let proto: string | undefined;
  const extra = rule.copy ? connectionTokens(req.headers.connection) : undefined;
  const drop = rule.drop;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === "x-forwarded-for") {
      xff = xff === undefined ? value : `${xff}, ${value}`;
      continue;
    }
    if (lower === "x-forwarded-proto") {
      proto ??= value;
      continue;
    }
    if (!rule.copy || isDroppedRequestHeader(lower)) continue;
    if (drop?.(lower) === true) continue;
    if (extra?.includes(lower) === true) continue;
    out.push(name, value);
  }
  const client = req.socket.remoteAddress ?? "unknown";
  out.push("host", hostHeader);
  out.push("x-forwarded-for", xff === undefined ? client : `${xff}, ${client}`);
  // A proxy in front (TLS terminator) knows the original scheme better than we do.
  out.push("x-forwarded-proto", proto ?? "http");
  return out;
}

const isCredentialHeader = (lower: string): boolean =>
  lower === "authorization" || lower === "x-api-key" || lower === "api-key";

/** The opaque proxy's request headers: the one rule, then the backend credential when one is set. */
export function buildRequestHeaders(
  req: IncomingMessage,
  target: UpstreamTarget,
  auth: BackendAuthRuntime,
  provider: ProviderSpec | undefined,
): string[] {
  const out = forwardedRequestHeaders(
    req,
    target.hostHeader,
    auth === undefined ? COPY_ALL : COPY_BUT_CREDENTIALS,
  );
  if (auth !== undefined) {
    if (provider === undefined) out.push("authorization", `Bearer ${auth.key}`);
    else {
      provider.appendKey(out, auth.key);
      appendRequiredHeaders(out, provider);
    }
  }
  return out;
}

const COPY_ALL: CallerHeaderRule = Object.freeze({ copy: true });
const COPY_BUT_CREDENTIALS: CallerHeaderRule = Object.freeze({ copy: true, drop: isCredentialHeader });

/**
 * undici's raw head (name, value, ... as bytes) as a flat list of lower-cased names and
 * values, repeats kept in order. Decoded once per answer; both the client's head
 * (responseHead) and header lookups work on it, without the object undici would build.
 */
export function decodeRawHead(raw: readonly Buffer[]): string[] {
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i += 2) {
    // undici's lookup gives the lower-cased name of a known header without decoding or
    // lower-casing it (a byte tree); other names are decoded and lower-cased as before.
    out[i] = util.headerNameToString(raw[i]!);
    out[i + 1] = raw[i + 1]!.toString("latin1");
  }
  return out;
}

/** The first value of `lower` in a decoded head, or undefined. */
export function headValue(head: readonly string[], lower: string): string | undefined {
  for (let i = 0; i < head.length; i += 2) if (head[i] === lower) return head[i + 1];
  return undefined;
}

/**
 * The client's response head from the upstream's decoded head: hop-by-hop headers and those
 * the Connection header names dropped, repeated headers kept in order, the request id added.
 */
export function responseHead(head: readonly string[], requestId: string): string[] {
  const out: string[] = [];
  let extra: string[] | undefined;
  for (let i = 0; i < head.length; i += 2) {
    const lower = head[i]!;
    const value = head[i + 1]!;
    if (lower === "connection") {
      const tokens = connectionTokens(value);
      if (tokens !== undefined) extra = extra === undefined ? tokens : extra.concat(tokens);
      continue;
    }
    if (isHopByHop(lower)) continue;
    out.push(lower, value);
  }
  if (extra !== undefined) {
    const kept: string[] = [];
    for (let i = 0; i < out.length; i += 2) if (!extra.includes(out[i]!)) kept.push(out[i]!, out[i + 1]!);
    kept.push("x-agw-request-id", requestId);
    return kept;
  }
  out.push("x-agw-request-id", requestId);
  return out;
}
