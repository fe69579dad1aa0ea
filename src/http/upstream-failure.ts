/** How an upstream that did not answer is reported, the same for the opaque proxy and the LLM pipeline. */
import { GatewayError } from "../errors.js";

/** undici gave up connecting or waiting for the head (as opposed to a refused or broken connection). */
export function isUpstreamTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
}

export const UPSTREAM_TIMEOUT_MESSAGE = "The upstream did not answer in time.";
export const UPSTREAM_UNREACHABLE_MESSAGE = "The upstream could not be reached.";

/** The gateway error a failed upstream call becomes: 504 when it timed out, 502 otherwise. */
export function upstreamError(err: unknown): GatewayError {
  return isUpstreamTimeout(err)
    ? new GatewayError(504, "upstream_timeout", UPSTREAM_TIMEOUT_MESSAGE)
    : new GatewayError(502, "upstream_unavailable", UPSTREAM_UNREACHABLE_MESSAGE);
}
