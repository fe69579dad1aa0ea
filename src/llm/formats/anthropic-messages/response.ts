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

/**
 * Whether Bedrock's InvokeModel marks a guardrail's intervention on this object (the body, or a
 * stream's message_start message): its stop_reason stays end_turn, the guardrail's message
 * standing in for the answer, so only this field says the answer was refused.
 */
export function bedrockGuardrailIntervened(o: Json): boolean {
  return o["amazon-bedrock-guardrailAction"] === "INTERVENED";
}

export function anthropicStopToIR(reason: unknown): IrStopReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "max_tokens";
    case "stop_sequence":
      return "stop_sequence";
    case "tool_use":
      return "tool_use";
    case "pause_turn":
      return "pause_turn";
    case "refusal":
      return "refusal";
    default:
      return "end_turn";
  }
}

export function anthropicStopFromIR(reason: IrStopReason): string {
  switch (reason) {
    case "max_tokens":
    case "stop_sequence":
    case "tool_use":
    case "pause_turn":
    case "refusal":
      return reason;
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}

/** Anthropic's input_tokens excludes cache reads and writes; the IR's inputTokens includes them. */
export function anthropicUsageToIR(u: unknown): IrUsage | undefined {
  if (!isRecord(u)) return undefined;
  return usageFromUncached(
    asNumber(u.input_tokens),
    asNumber(u.output_tokens),
    asNumber(u.cache_read_input_tokens),
    asNumber(u.cache_creation_input_tokens),
  );
}

export function anthropicUsageFromIR(u: IrUsage): Json {
  const { uncached, cacheRead, cacheWrite } = uncachedSplit(u);
  return {
    input_tokens: uncached,
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

export function anthropicResponseToIR(body: unknown): ResponseToIrResult {
  if (!isRecord(body))
    throw new GatewayError(502, "upstream_error", "upstream response is not a JSON object");
  const dropped: string[] = [];
  const content: IrOutputPart[] = [];
  for (const b of asArray(body.content)) {
    if (!isRecord(b)) continue;
    if (b.type === "text") content.push({ type: "text", text: asString(b.text) ?? "" });
    else if (b.type === "thinking")
      content.push({
        type: "thinking",
        thinking: asString(b.thinking) ?? "",
        signature: asString(b.signature) ?? "",
      });
    else if (b.type === "redacted_thinking")
      content.push({ type: "redacted_thinking", data: asString(b.data) ?? "" });
    else if (b.type === "tool_use")
      content.push({
        type: "tool_call",
        id: asString(b.id) ?? "",
        name: asString(b.name) ?? "",
        arguments: objectToArguments(b.input),
      });
    else dropped.push(`content[${String(b.type)}]`);
  }
  const ir: IrResponse = {
    id: asString(body.id) ?? "",
    model: asString(body.model) ?? "",
    content,
    stopReason: bedrockGuardrailIntervened(body) ? "content_filter" : anthropicStopToIR(body.stop_reason),
    usage: anthropicUsageToIR(body.usage) ?? makeUsage(0, 0),
  };
  const seq = asString(body.stop_sequence);
  if (seq !== undefined) ir.stopSequence = seq;
  return { ir, dropped };
}

export function anthropicResponseFromIR(ir: IrResponse): ResponseFromIrResult {
  const content: Json[] = [];
  for (const p of ir.content) {
    if (p.type === "text") content.push({ type: "text", text: p.text });
    else if (p.type === "thinking")
      content.push({ type: "thinking", thinking: p.thinking, signature: p.signature ?? "" });
    else if (p.type === "redacted_thinking") content.push({ type: "redacted_thinking", data: p.data });
    else content.push({ type: "tool_use", id: p.id, name: p.name, input: argumentsToObject(p.arguments) });
  }
  return {
    body: {
      id: ir.id,
      type: "message",
      role: "assistant",
      model: ir.model,
      content,
      stop_reason: anthropicStopFromIR(ir.stopReason),
      stop_sequence: ir.stopSequence ?? null,
      usage: anthropicUsageFromIR(ir.usage),
    },
    dropped: [],
  };
}
