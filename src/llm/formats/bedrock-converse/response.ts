/**
 * A Bedrock Converse response → IR. The body names neither the response nor the model (they are
 * in the URL and headers): both are "" here. A guardrail intervention or a content filter is a
 * `content_filter` stop, which each client format expresses as its refusal.
 */
import { GatewayError } from "../../../errors.js";
import type {
  IrOutputPart,
  IrResponse,
  IrStopReason,
  IrUsage,
  ResponseFromIrResult,
  ResponseToIrResult,
} from "../ir.js";
import {
  argumentsToObject,
  asArray,
  asNumber,
  asString,
  isRecord,
  type Json,
  makeUsage,
  objectToArguments,
  uncachedSplit,
  usageFromUncached,
} from "../util.js";

export function converseStopToIR(reason: unknown): IrStopReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "max_tokens";
    case "stop_sequence":
      return "stop_sequence";
    case "tool_use":
      return "tool_use";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    case "malformed_model_output":
    case "malformed_tool_use":
      return "error";
    default:
      return "end_turn";
  }
}

export function converseStopFromIR(reason: IrStopReason): string {
  switch (reason) {
    case "max_tokens":
    case "stop_sequence":
    case "tool_use":
      return reason;
    case "content_filter":
    case "refusal":
      return "content_filtered";
    default:
      return "end_turn";
  }
}

/**
 * TokenUsage → IR. Bedrock's `inputTokens` counts only the prompt tokens neither read from nor
 * written to the cache (as Anthropic's input_tokens does; AWS's prompt-caching guide gives the
 * whole prompt as inputTokens + cacheReadInputTokens + cacheWriteInputTokens), so the IR's
 * inputTokens adds them back. The total is recomputed from the whole prompt rather than taken
 * from `totalTokens`, whose treatment of cache tokens AWS does not document.
 */
export function converseUsageToIR(u: unknown): IrUsage | undefined {
  if (!isRecord(u)) return undefined;
  return usageFromUncached(
    asNumber(u.inputTokens),
    asNumber(u.outputTokens),
    asNumber(u.cacheReadInputTokens),
    asNumber(u.cacheWriteInputTokens),
  );
}

export function converseUsageFromIR(u: IrUsage): Json {
  const { uncached, cacheRead, cacheWrite } = uncachedSplit(u);
  return {
    inputTokens: uncached,
    outputTokens: u.outputTokens,
    totalTokens: u.inputTokens + u.outputTokens,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
  };
}

/** The stop sequence Claude models report in additionalModelResponseFields (Converse has no field for it). */
export function converseStopSequence(fields: unknown): string | undefined {
  return isRecord(fields) ? asString(fields.stop_sequence) : undefined;
}

/** One output content block → an IR part, or undefined for a block the IR cannot carry. */
function partOf(b: Json): IrOutputPart | undefined {
  if (typeof b.text === "string") return { type: "text", text: b.text };
  if (isRecord(b.toolUse)) {
    const t = b.toolUse;
    return {
      type: "tool_call",
      id: asString(t.toolUseId) ?? "",
      name: asString(t.name) ?? "",
      arguments: objectToArguments(t.input),
    };
  }
  if (isRecord(b.reasoningContent)) {
    const r = b.reasoningContent;
    if (isRecord(r.reasoningText)) {
      const part: IrOutputPart = { type: "thinking", thinking: asString(r.reasoningText.text) ?? "" };
      const sig = asString(r.reasoningText.signature);
      if (sig !== undefined) part.signature = sig;
      return part;
    }
    const redacted = asString(r.redactedContent);
    if (redacted !== undefined) return { type: "redacted_thinking", data: redacted };
  }
  return undefined;
}

export function converseResponseToIR(body: unknown): ResponseToIrResult {
  if (!isRecord(body))
    throw new GatewayError(502, "upstream_error", "upstream response is not a JSON object");
  const dropped: string[] = [];
  const content: IrOutputPart[] = [];
  const message = isRecord(body.output) && isRecord(body.output.message) ? body.output.message : {};
  for (const b of asArray(message.content)) {
    if (!isRecord(b)) continue;
    const part = partOf(b);
    if (part !== undefined) content.push(part);
    else dropped.push(`content[${Object.keys(b).join(",")}]`);
  }
  const ir: IrResponse = {
    id: "",
    model: "",
    content,
    stopReason: converseStopToIR(body.stopReason),
    usage: converseUsageToIR(body.usage) ?? makeUsage(0, 0),
  };
  const seq = converseStopSequence(body.additionalModelResponseFields);
  if (seq !== undefined) ir.stopSequence = seq;
  return { ir, dropped };
}

/** IR → a Converse response body. No client route speaks Converse; kept for the converter contract. */
export function converseResponseFromIR(ir: IrResponse): ResponseFromIrResult {
  const content: Json[] = ir.content.map((p) => {
    if (p.type === "text") return { text: p.text };
    if (p.type === "thinking") {
      const rt: Json = { text: p.thinking };
      if (p.signature) rt.signature = p.signature;
      return { reasoningContent: { reasoningText: rt } };
    }
    if (p.type === "redacted_thinking") return { reasoningContent: { redactedContent: p.data } };
    return { toolUse: { toolUseId: p.id, name: p.name, input: argumentsToObject(p.arguments) } };
  });
  return {
    body: {
      output: { message: { role: "assistant", content } },
      stopReason: converseStopFromIR(ir.stopReason),
      usage: converseUsageFromIR(ir.usage),
    },
    dropped: [],
  };
}
