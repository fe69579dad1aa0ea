/**
 * The one error shape of the gateway. Anything that ends a request early throws (or returns)
 * a GatewayError; the request boundary turns it into a response in the caller's API envelope
 * with the `x-agw-error-code` header.
 */
export type GatewayErrorCode =
  | "route_not_found"
  | "model_not_found"
  | "missing_model"
  | "model_too_long"
  | "invalid_request_body"
  | "duplicate_key"
  | "request_body_too_large"
  | "invalid_path"
  | "too_many_headers"
  | "client_aborted"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "budget_exceeded"
  | "budget_unavailable"
  | "rate_limit_unavailable"
  | "guardrail_rejected"
  | "upstream_unavailable"
  | "upstream_credential_unavailable"
  | "upstream_timeout"
  | "upstream_error"
  | "upstream_response_too_large"
  | "not_implemented"
  | "unsupported_feature"
  | "internal_error";

export class GatewayError extends Error {
  readonly status: number;
  readonly code: GatewayErrorCode;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: GatewayErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}
