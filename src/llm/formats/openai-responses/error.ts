import type { ErrorFromIrResult, IrError } from "../ir.js";
import { openAiErrorFromIR, openAiErrorObject } from "../openai-chat/error.js";
import type { Json } from "../util.js";

/** Non-streamed Responses errors use the OpenAI envelope. */
export function responsesErrorFromIR(err: IrError): ErrorFromIrResult {
  return openAiErrorFromIR(err);
}

/**
 * The `error` stream event (ResponseErrorEvent: code, message, param at top level). The same
 * details are repeated as a nested OpenAI `error` object: the OpenAI SDKs throw an APIError on
 * any event carrying one, so a client that only awaits the final response cannot mistake a
 * failed stream for a finished one.
 */
export function responsesErrorEvent(err: IrError, sequenceNumber: number): Json {
  const o = openAiErrorObject(err);
  return {
    type: "error",
    code: err.code ?? (o.type as string),
    message: err.message,
    param: err.param ?? null,
    sequence_number: sequenceNumber,
    error: o,
  };
}
