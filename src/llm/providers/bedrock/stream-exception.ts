/**
 * What an exception frame in a Bedrock stream becomes, by the wire format the stream is read in.
 * Converse streams are decoded by formats/bedrock-converse, which reads the exception's type from
 * `__type` (as AWS's JSON errors name it). InvokeModel streams carry Anthropic's own events, and
 * pass to an Anthropic client as they are: an exception there becomes Anthropic's `error` event,
 * with the error type Anthropic would have used.
 */
import type { IrFormat, WireEvent } from "../../formats/ir.js";

function payloadOf(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // A payload that is not JSON is the message itself.
  }
  return { message: text };
}

/** Anthropic's error type for a Bedrock stream exception (`throttlingException` → rate_limit_error). */
export function anthropicErrorType(exceptionType: string): string {
  switch (exceptionType.replace(/^./, (c) => c.toLowerCase())) {
    case "throttlingException":
    case "modelNotReadyException":
      return "rate_limit_error";
    case "validationException":
      return "invalid_request_error";
    case "accessDeniedException":
      return "permission_error";
    case "resourceNotFoundException":
      return "not_found_error";
    case "serviceUnavailableException":
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** An exception frame: its `:exception-type` and payload text (aws-event-stream.ts). */
interface StreamException {
  readonly type: string;
  readonly payload: string;
}

export function bedrockStreamException(wire: IrFormat): (e: StreamException) => WireEvent {
  if (wire === "anthropic-messages") {
    return (e) => {
      const p = payloadOf(e.payload);
      const message =
        typeof p.message === "string" ? p.message : typeof p.Message === "string" ? p.Message : e.type;
      return {
        event: "error",
        data: JSON.stringify({ type: "error", error: { type: anthropicErrorType(e.type), message } }),
      };
    };
  }
  return (e) => ({ event: "exception", data: JSON.stringify({ ...payloadOf(e.payload), __type: e.type }) });
}
