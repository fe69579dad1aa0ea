/**
 * Google's error envelope `{"error": {"code", "message", "status", "details"}}` ↔ IR. Gemini
 * answers a wrong API key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID): that is an
 * authentication failure, and callers in other formats get it as a 401.
 */
import type { ErrorFromIrResult, IrError, IrErrorType } from "../ir.js";
import {
  asArray,
  asString,
  defaultStatusFor,
  errorTypeFromStatus,
  isRecord,
  parseRetryAfter,
} from "../util.js";

const STATUS_TO_IR: Readonly<Record<string, IrErrorType>> = {
  INVALID_ARGUMENT: "invalid_request",
  FAILED_PRECONDITION: "invalid_request",
  OUT_OF_RANGE: "invalid_request",
  UNAUTHENTICATED: "authentication",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  INTERNAL: "server",
  UNKNOWN: "server",
  UNAVAILABLE: "unavailable",
  DEADLINE_EXCEEDED: "timeout",
};

const IR_TO_STATUS: Readonly<Record<IrErrorType, string>> = {
  invalid_request: "INVALID_ARGUMENT",
  authentication: "UNAUTHENTICATED",
  permission: "PERMISSION_DENIED",
  billing: "FAILED_PRECONDITION",
  not_found: "NOT_FOUND",
  request_too_large: "INVALID_ARGUMENT",
  rate_limit: "RESOURCE_EXHAUSTED",
  overloaded: "UNAVAILABLE",
  server: "INTERNAL",
  timeout: "DEADLINE_EXCEEDED",
  unavailable: "UNAVAILABLE",
};

function keyInvalid(details: unknown): boolean {
  return asArray(details).some((d) => isRecord(d) && d.reason === "API_KEY_INVALID");
}

export function geminiErrorToIR(status: number, body: unknown, retryAfterHeader?: string): IrError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : {};
  const statusStr = asString(e.status);
  let type = (statusStr !== undefined ? STATUS_TO_IR[statusStr] : undefined) ?? errorTypeFromStatus(status);
  let httpStatus = status;
  if (keyInvalid(e.details)) {
    type = "authentication";
    httpStatus = 401;
  }
  const err: IrError = {
    status: httpStatus,
    type,
    message:
      asString(e.message) ?? (typeof body === "string" && body !== "" ? body : `upstream error ${status}`),
  };
  if (statusStr !== undefined) err.code = statusStr;
  const ra = parseRetryAfter(retryAfterHeader);
  if (ra !== undefined) err.retryAfter = ra;
  return err;
}

export function geminiErrorFromIR(err: IrError): ErrorFromIrResult {
  const status = err.status || defaultStatusFor(err.type);
  return { status, body: { error: { code: status, message: err.message, status: IR_TO_STATUS[err.type] } } };
}
