/**
 * What a client may cost a server before it has sent a whole request: how long it may take
 * over its headers and its body (slowloris), how large its head may be and how many headers
 * it may send. Applied to every node:http server agw opens (binds, readiness, admin, stats),
 * and the one answer for what node's parser rejects (431, 408, 400) before any handler runs.
 */
import type { Server, ServerOptions } from "node:http";
import type { Duplex } from "node:stream";

import type { ClientLimits } from "../runtime/client-limits.js";

const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export function serverOptions(limits: ClientLimits): ServerOptions {
  const request = limits.requestTimeoutMs;
  // node requires headersTimeout <= requestTimeout when the latter is on.
  const headers = request > 0 ? Math.min(limits.headersTimeoutMs, request) : limits.headersTimeoutMs;
  const shortest = request > 0 ? Math.min(headers, request) : headers;
  return {
    headersTimeout: headers,
    requestTimeout: request,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // node only checks those timeouts this often (30 s by default): keep the cut near the bound.
    connectionsCheckingInterval: Math.min(30_000, Math.max(25, Math.floor(shortest / 4))),
    maxHeaderSize: limits.maxHeaderSize,
  };
}

/**
 * Sets what createServer options cannot, and answers parser errors. node keeps only the first
 * maxHeadersCount headers; one more than the limit is kept so `tooManyHeaders` can see it.
 */
export function applyServerLimits(server: Server, limits: ClientLimits): void {
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.on("clientError", answerClientError);
}

export function tooManyHeaders(rawHeaders: readonly string[], limits: ClientLimits): boolean {
  return rawHeaders.length / 2 > limits.maxHeaders;
}

function statusFor(code: unknown): string {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return "431 Request Header Fields Too Large";
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return "408 Request Timeout";
    default:
      return "400 Bad Request";
  }
}

/** A request node could not parse (or that timed out) gets a bare status and a closed connection. */
export function answerClientError(err: Error & { code?: unknown }, socket: Duplex): void {
  if (socket.writable && (socket as Duplex & { _httpMessage?: unknown })._httpMessage === undefined) {
    socket.end(`HTTP/1.1 ${statusFor(err.code)}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  } else socket.destroy();
}
