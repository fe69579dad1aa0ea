/**
 * The client side of Converse, which agw does not serve: no route accepts a Converse request,
 * so a Converse body given to requestToIR is refused (named in `unsupported`, which the
 * pipeline answers with a 400) and no Converse stream is ever encoded for a client.
 */
import { GatewayError } from "../../../errors.js";
import type { RequestToIrResult, StreamEncoder } from "../ir.js";

export function converseRequestToIR(_body: unknown): RequestToIrResult {
  return {
    ir: { model: "", system: [], messages: [], stream: false },
    dropped: [],
    unsupported: ["a Bedrock Converse request (agw speaks Converse to Bedrock only, not to clients)"],
  };
}

export function createConverseStreamEncoder(): StreamEncoder {
  throw new GatewayError(
    500,
    "internal_error",
    "agw does not stream Bedrock Converse to clients: no client route speaks it",
  );
}
