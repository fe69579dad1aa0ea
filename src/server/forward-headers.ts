/**
 * The headers the gateway forwards both ways: hop-by-hop ones (RFC 9110 §7.6.1, and any the
 * Connection header names) dropped, Host rewritten, X-Forwarded-For/-Proto added, the
 * gateway's own key never sent on, the backend credential applied, and the request id added
 * to the answer. Used by the opaque proxy and the LLM pipeline alike.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { ProviderSpec } from "../llm/providers/catalog.js";
import type { BackendAuthRuntime, UpstreamTarget } from "./runtime.js";

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the proxy sets itself. */
export function isDroppedRequestHeader(lower: string): boolean {
  switch (lower) {
    case "connection":
    case "keep-alive":
    case "te":
    case "trailer":
    case "transfer-encoding":
    case "upgrade":
    case "host":
    case "expect":
    case "x-agw-authorization":
      return true;
    default:
      return lower.startsWith("proxy-");
  }
}

function isDroppedResponseHeader(lower: string): boolean {
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

export function buildRequestHeaders(
  req: IncomingMessage,
  target: UpstreamTarget,
  auth: BackendAuthRuntime,
  provider: ProviderSpec | undefined,
): string[] {
  const raw = req.rawHeaders;
  const extra = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let xff: string | undefined;
  let proto: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (isDroppedRequestHeader(lower)) continue;
    if (lower === "x-forwarded-for") {
      xff = xff === undefined ? value : `${xff}, ${value}`;
      continue;
    }
    if (lower === "x-forwarded-proto") {
      proto ??= value;
      continue;
    }
    if (auth !== undefined && (lower === "authorization" || lower === "x-api-key")) continue;
    if (extra?.includes(lower) === true) continue;
    out.push(name, value);
  }
  const client = req.socket.remoteAddress ?? "unknown";
  out.push("host", target.hostHeader);
  out.push("x-forwarded-for", xff === undefined ? client : `${xff}, ${client}`);
  // A proxy in front (TLS terminator) knows the original scheme better than we do.
  out.push("x-forwarded-proto", proto ?? "http");
  if (auth !== undefined) {
    if (provider === undefined) out.push("authorization", `Bearer ${auth.key}`);
    else provider.appendKey(out, auth.key, req.headers);
  }
  return out;
}

export function buildResponseHeaders(headers: IncomingHttpHeaders, requestId: string): string[] {
  const extra = connectionTokens(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    if (isDroppedResponseHeader(name)) continue;
    if (extra?.includes(name) === true) continue;
    const v = headers[name];
    if (v === undefined) continue;
    if (typeof v === "string") out.push(name, v);
    else for (const one of v) out.push(name, one);
  }
  out.push("x-agw-request-id", requestId);
  return out;
}

/** What the proxy reads from the upstream's head besides passing it on. */
export interface HeadFacts {
  hasLength: boolean;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

/**
 * The client's response head from undici's raw upstream head (name, value, ... as bytes):
 * hop-by-hop headers and those the Connection header names are dropped, names lower-cased,
 * repeated headers kept in order, the request id added. Built straight from the raw list:
 * the object undici would make first cost ~3 µs/request (profiled).
 */
export function responseHeadOf(raw: Buffer[], requestId: string, facts: HeadFacts): string[] {
  const out: string[] = [];
  let extra: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toString("latin1").toLowerCase();
    const value = raw[i + 1]!.toString("latin1");
    if (lower === "connection") {
      const tokens = connectionTokens(value);
      if (tokens !== undefined) extra = extra === undefined ? tokens : extra.concat(tokens);
      continue;
    }
    if (isDroppedResponseHeader(lower)) continue;
    if (lower === "content-length") facts.hasLength = true;
    else if (lower === "content-type") facts.contentType ??= value;
    else if (lower === "content-encoding") facts.contentEncoding ??= value;
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
