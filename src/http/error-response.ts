/**
 * The one error boundary: a GatewayError (or anything thrown) becomes a JSON response in the
 * caller's API envelope, with `x-agw-error-code` and `x-agw-request-id`. If the response has
 * already started, the only honest signal left is to cut the connection.
 */
import { ServerResponse } from "node:http";
import { GatewayError, isGatewayError } from "../errors.js";

export type ErrorEnvelope = "openai" | "anthropic";

/** The envelope a route type's clients expect: Anthropic's on the Messages routes, OpenAI's elsewhere. */
export function envelopeOf(routeType: string | undefined): ErrorEnvelope {
  return routeType === "messages" || routeType === "anthropicTokenCount" ? "anthropic" : "openai";
}

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "api_error",
};

export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError(500, "internal_error", "The gateway failed to handle the request.");
}

export function errorBody(err: GatewayError, envelope: ErrorEnvelope): string {
  if (envelope === "anthropic") {
    return JSON.stringify({
      type: "error",
      error: { type: ANTHROPIC_TYPES[err.status] ?? "api_error", message: err.message },
    });
  }
  return JSON.stringify({ error: { message: err.message, type: err.code, code: err.code } });
}

const HEADER_FAILURE = new GatewayError(
  500,
  "internal_error",
  "The gateway could not write this response's headers (a header value it was given is invalid).",
);

/**
 * Writes the error. Returns the error actually written — `err`, or a bare 500 when a header
 * of the answer cannot be written (an invalid value from a policy hook or an upstream: the
 * process must not die of it) — or false when the response had already started (connection cut).
 */
export function writeGatewayError(
  res: ServerResponse,
  err: GatewayError,
  requestId: string,
  envelope: ErrorEnvelope = "openai",
): GatewayError | false {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return false;
  }
  try {
    writeError(res, res.writeHead, err, requestId, envelope);
    return err;
  } catch {
    // A hooked writeHead (response header policies) may have thrown: write past it, with
    // only the headers below and any valid ones already set on the response.
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return false;
    }
    try {
      writeError(res, ServerResponse.prototype.writeHead, HEADER_FAILURE, requestId, envelope);
      return HEADER_FAILURE;
    } catch {
      res.destroy();
      return false;
    }
  }
}

function writeError(
  res: ServerResponse,
  writeHead: ServerResponse["writeHead"],
  err: GatewayError,
  requestId: string,
  envelope: ErrorEnvelope,
): void {
  // A failed writeHead of a bodiless status (204 preflight, HEAD) leaves the response bodiless.
  const body = (res as unknown as { _hasBody?: boolean })._hasBody === false ? "" : errorBody(err, envelope);
  const headers: Record<string, string | number> = {
    ...err.headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-agw-error-code": err.code,
    "x-agw-request-id": requestId,
  };
  writeHead.call(res, err.status, headers);
  res.end(body);
}
