import type { ErrorFromIrResult, IrError, IrErrorType } from "../ir.js";
import {
  asString,
  defaultStatusFor,
  errorTypeFromStatus,
  isRecord,
  type Json,
  parseRetryAfter,
} from "../util.js";

const TYPE_TO_IR: Readonly<Record<string, IrErrorType>> = {
  invalid_request_error: "invalid_request",
  authentication_error: "authentication",
  permission_error: "permission",
  billing_error: "billing",
  not_found_error: "not_found",
  request_too_large: "request_too_large",
  rate_limit_error: "rate_limit",
  api_error: "server",
  overloaded_error: "overloaded",
  timeout_error: "timeout",
};

const IR_TO_TYPE: Readonly<Record<IrErrorType, string>> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  billing: "billing_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  overloaded: "overloaded_error",
  server: "api_error",
  timeout: "timeout_error",
  unavailable: "api_error",
};

/** `{"type":"error","error":{"type","message"}}` with its HTTP status → IR. */
export function anthropicErrorToIR(status: number, body: unknown, retryAfterHeader?: string): IrError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : {};
  const typeStr = asString(e.type);
  const type = (typeStr !== undefined ? TYPE_TO_IR[typeStr] : undefined) ?? errorTypeFromStatus(status);
  const err: IrError = {
    status,
    type,
    message:
      asString(e.message) ?? (typeof body === "string" && body !== "" ? body : `upstream error ${status}`),
  };
  const ra = parseRetryAfter(retryAfterHeader);
  if (ra !== undefined) err.retryAfter = ra;
  return err;
}

export function anthropicErrorObject(err: IrError): Json {
  return { type: "error", error: { type: IR_TO_TYPE[err.type], message: err.message } };
}

export function anthropicErrorFromIR(err: IrError): ErrorFromIrResult {
  const status = err.type === "overloaded" ? 529 : err.status || defaultStatusFor(err.type);
  return { status, body: anthropicErrorObject(err) };
}
