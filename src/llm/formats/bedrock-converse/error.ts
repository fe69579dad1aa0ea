/**
 * Bedrock's errors ↔ IR. An HTTP error is `{"message": "..."}` (some services spell it
 * `Message`); its kind is the `x-amzn-ErrorType` header, which agw copies into the body as
 * `__type`. A stream's exception frame arrives the same way, its kind in lowerCamel
 * (`throttlingException`). Kinds are matched case-insensitively, without any namespace
 * (`com.amazon.coral...#`) or suffix (`:http://...`), and give the status AWS documents for
 * them. AWS answers a bad or unknown credential with 403; agw reports it as the authentication
 * failure it is (401), as gemini/error.ts does for a wrong key.
 */
import type { ErrorFromIrResult, IrError, IrErrorType } from "../ir.js";
import { asString, defaultStatusFor, errorTypeFromStatus, isRecord, parseRetryAfter } from "../util.js";

interface Kind {
  readonly status: number;
  readonly type: IrErrorType;
}

const KINDS: Readonly<Record<string, Kind>> = {
  validationexception: { status: 400, type: "invalid_request" },
  conflictexception: { status: 400, type: "invalid_request" },
  accessdeniedexception: { status: 403, type: "permission" },
  resourcenotfoundexception: { status: 404, type: "not_found" },
  throttlingexception: { status: 429, type: "rate_limit" },
  // "Not ready to serve inference requests": the AWS SDKs retry it, so it is reported as a 429.
  modelnotreadyexception: { status: 429, type: "rate_limit" },
  // AWS sends 400 but documents it as "resubmit your request later": a quota, retried like one.
  servicequotaexceededexception: { status: 429, type: "rate_limit" },
  modeltimeoutexception: { status: 408, type: "timeout" },
  modelerrorexception: { status: 424, type: "server" },
  modelstreamerrorexception: { status: 424, type: "server" },
  serviceunavailableexception: { status: 503, type: "unavailable" },
  internalserverexception: { status: 500, type: "server" },
  internalfailure: { status: 500, type: "server" },
  unrecognizedclientexception: { status: 401, type: "authentication" },
  invalidsignatureexception: { status: 401, type: "authentication" },
  incompletesignatureexception: { status: 401, type: "authentication" },
  invalidclienttokenid: { status: 401, type: "authentication" },
  missingauthenticationtokenexception: { status: 401, type: "authentication" },
  expiredtokenexception: { status: 401, type: "authentication" },
};

/** The exception's name as AWS spells it in the header ("ThrottlingException"), without namespace or suffix. */
export function converseErrorName(raw: string): string {
  const afterHash = raw.slice(raw.lastIndexOf("#") + 1);
  const colon = afterHash.indexOf(":");
  const name = (colon === -1 ? afterHash : afterHash.slice(0, colon)).trim();
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The status an AWS error kind (an x-amzn-ErrorType value) is reported with, undefined for a
 * kind not known here. Routing goes by it too, so a quota AWS answers with 400 falls back as
 * the 429 the client is told.
 */
export function converseErrorStatus(type: string): number | undefined {
  return KINDS[converseErrorName(type).toLowerCase()]?.status;
}

/** A Bedrock error body (HTTP or an exception frame's payload, `__type` carrying its kind) with its HTTP status → IR. */
export function converseErrorToIR(status: number, body: unknown, retryAfterHeader?: string): IrError {
  const b = isRecord(body) ? body : {};
  const rawType = asString(b.__type);
  const name = rawType !== undefined && rawType !== "" ? converseErrorName(rawType) : undefined;
  const kind = name !== undefined ? KINDS[name.toLowerCase()] : undefined;
  let message =
    asString(b.message) ??
    asString(b.Message) ??
    (typeof body === "string" && body !== "" ? body : `upstream error ${status}`);
  // A model's stream error says what the model itself answered.
  const original = asString(b.originalMessage);
  if (original !== undefined && original !== "" && !message.includes(original))
    message = `${message} (${original})`;
  const err: IrError = {
    status: kind?.status ?? status,
    type: kind?.type ?? errorTypeFromStatus(status),
    message,
  };
  if (name !== undefined) err.code = name;
  const ra = parseRetryAfter(retryAfterHeader);
  if (ra !== undefined) err.retryAfter = ra;
  return err;
}

const IR_TO_NAME: Readonly<Record<IrErrorType, string>> = {
  invalid_request: "ValidationException",
  authentication: "UnrecognizedClientException",
  permission: "AccessDeniedException",
  billing: "AccessDeniedException",
  not_found: "ResourceNotFoundException",
  request_too_large: "ValidationException",
  rate_limit: "ThrottlingException",
  overloaded: "ServiceUnavailableException",
  server: "InternalServerException",
  timeout: "ModelTimeoutException",
  unavailable: "ServiceUnavailableException",
};

/** IR → a Bedrock-shaped error body. No client route speaks Converse; kept for the converter contract. */
export function converseErrorFromIR(err: IrError): ErrorFromIrResult {
  const status = err.status || defaultStatusFor(err.type);
  return { status, body: { __type: IR_TO_NAME[err.type], message: err.message } };
}
