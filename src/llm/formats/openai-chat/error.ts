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
  not_found_error: "not_found",
  rate_limit_error: "rate_limit",
  insufficient_quota: "rate_limit",
  server_error: "server",
  api_error: "server",
  timeout_error: "timeout",
  service_unavailable_error: "unavailable",
  overloaded_error: "overloaded",
  request_too_large: "request_too_large",
  billing_error: "billing",
};

/** OpenAI has no distinct types for some IR types; the status keeps the distinction. */
const IR_TO_TYPE: Readonly<Record<IrErrorType, string>> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  billing: "insufficient_quota",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  overloaded: "server_error",
  server: "server_error",
  timeout: "timeout_error",
  unavailable: "server_error",
};

/** `{"error":{"message","type","param","code"}}` with its HTTP status → IR. */
export function openAiErrorToIR(status: number, body: unknown, retryAfterHeader?: string): IrError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : isRecord(body) ? body : {};
  const typeStr = asString(e.type);
  let type = (typeStr !== undefined ? TYPE_TO_IR[typeStr] : undefined) ?? errorTypeFromStatus(status);
  // OpenAI answers a bad key with 401 + invalid_request_error: the status is the better signal.
  if (type === "invalid_request" && status !== 400 && status !== 422 && status >= 400)
    type = errorTypeFromStatus(status);
  const err: IrError = {
    status,
    type,
    message:
      asString(e.message) ?? (typeof body === "string" && body !== "" ? body : `upstream error ${status}`),
  };
  const code = e.code;
  if (typeof code === "string") err.code = code;
  else if (typeof code === "number") err.code = String(code);
  const param = asString(e.param);
  if (param !== undefined) err.param = param;
  const ra = parseRetryAfter(retryAfterHeader);
  if (ra !== undefined) err.retryAfter = ra;
  return err;
}

export function openAiErrorObject(err: IrError): Json {
  return {
    message: err.message,
    type: IR_TO_TYPE[err.type],
    param: err.param ?? null,
    code: err.code ?? null,
  };
}

export function openAiErrorFromIR(err: IrError): ErrorFromIrResult {
  // OpenAI has no 529; clients and their retry logic know 503.
  const status = err.status === 529 ? 503 : err.status || defaultStatusFor(err.type);
  return { status, body: { error: openAiErrorObject(err) } };
}
