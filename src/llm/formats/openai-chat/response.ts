import { GatewayError } from "../../../errors.js";
import type {
  IrOutputPart,
  IrRedactedThinkingPart,
  IrResponse,
  IrStopReason,
  IrThinkingPart,
  IrUsage,
  ResponseFromIrResult,
  ResponseToIrResult,
} from "../ir.js";
import { asArray, asNumber, asString, isRecord, type Json, makeUsage } from "../util.js";

export function chatFinishToIR(reason: unknown): IrStopReason {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "content_filter";
    default:
      return "end_turn";
  }
}

export function chatFinishFromIR(reason: IrStopReason): string {
  switch (reason) {
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "content_filter":
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * `thinking_blocks` on an assistant message (LiteLLM's field, which agw also writes): Anthropic
 * thinking with its signature, or redacted thinking, to hand back to an Anthropic upstream.
 */
export function thinkingBlocksToIR(v: unknown): Array<IrThinkingPart | IrRedactedThinkingPart> {
  const out: Array<IrThinkingPart | IrRedactedThinkingPart> = [];
  for (const b of asArray(v)) {
    if (!isRecord(b)) continue;
    if (b.type === "thinking" && typeof b.signature === "string" && b.signature !== "")
      out.push({ type: "thinking", thinking: asString(b.thinking) ?? "", signature: b.signature });
    else if (b.type === "redacted_thinking" && typeof b.data === "string")
      out.push({ type: "redacted_thinking", data: b.data });
  }
  return out;
}

export function chatUsageToIR(u: unknown): IrUsage | undefined {
  if (!isRecord(u)) return undefined;
  const input = asNumber(u.prompt_tokens) ?? 0;
  const output = asNumber(u.completion_tokens) ?? 0;
  const ptd = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const ctd = isRecord(u.completion_tokens_details) ? u.completion_tokens_details : {};
  // Several OpenAI-compatible providers (OpenRouter, ...) report prompt-cache writes, part of
  // prompt_tokens like cache reads. total_tokens is kept as sent: Gemini's counts thoughts that
  // completion_tokens leaves out.
  return makeUsage(input, output, {
    cacheRead: asNumber(ptd.cached_tokens),
    cacheCreation: asNumber(ptd.cache_write_tokens),
    reasoning: asNumber(ctd.reasoning_tokens),
    total: asNumber(u.total_tokens),
  });
}

export function chatUsageFromIR(u: IrUsage): Json {
  const out: Json = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.totalTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
  };
  if (u.cacheCreationTokens !== undefined && u.cacheCreationTokens > 0)
    (out.prompt_tokens_details as Json).cache_write_tokens = u.cacheCreationTokens;
  if (u.reasoningTokens !== undefined)
    out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return out;
}

export function chatResponseToIR(body: unknown): ResponseToIrResult {
  if (!isRecord(body))
    throw new GatewayError(502, "upstream_error", "upstream response is not a JSON object");
  const dropped: string[] = [];
  const choices = asArray(body.choices);
  if (choices.length > 1) dropped.push("choices[1..]");
  const choice = isRecord(choices[0]) ? choices[0] : {};
  const msg = isRecord(choice.message) ? choice.message : {};
  const content: IrOutputPart[] = [];
  const reasoning = asString(msg.reasoning_content) ?? asString(msg.reasoning);
  if (reasoning) content.push({ type: "thinking", thinking: reasoning });
  const text = asString(msg.content);
  if (text) content.push({ type: "text", text });
  const refusal = asString(msg.refusal);
  if (refusal) content.push({ type: "text", text: refusal });
  const signed = thinkingBlocksToIR(msg.thinking_blocks);
  if (signed.length > 0) content.splice(0, reasoning ? 1 : 0, ...signed);
  for (const tc of asArray(msg.tool_calls)) {
    if (!isRecord(tc) || !isRecord(tc.function)) continue;
    const args = asString(tc.function.arguments) ?? "";
    content.push({
      type: "tool_call",
      id: asString(tc.id) ?? "",
      name: asString(tc.function.name) ?? "",
      arguments: args === "" ? "{}" : args,
    });
  }
  const ir: IrResponse = {
    id: asString(body.id) ?? "",
    model: asString(body.model) ?? "",
    content,
    stopReason: refusal ? "refusal" : chatFinishToIR(choice.finish_reason),
    usage: chatUsageToIR(body.usage) ?? makeUsage(0, 0),
  };
  const created = asNumber(body.created);
  if (created !== undefined) ir.created = created;
  return { ir, dropped };
}

export function chatResponseFromIR(ir: IrResponse, now: () => number = Date.now): ResponseFromIrResult {
  const dropped: string[] = [];
  let text = "";
  let reasoning = "";
  const toolCalls: Json[] = [];
  const blocks: Json[] = [];
  for (const p of ir.content) {
    if (p.type === "text") text += p.text;
    else if (p.type === "thinking") {
      reasoning += p.thinking;
      if (p.signature) blocks.push({ type: "thinking", thinking: p.thinking, signature: p.signature });
    } else if (p.type === "redacted_thinking") blocks.push({ type: "redacted_thinking", data: p.data });
    else
      toolCalls.push({
        id: p.id,
        type: "function",
        function: { name: p.name, arguments: p.arguments === "" ? "{}" : p.arguments },
      });
  }
  const message: Json = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text };
  if (reasoning !== "") message.reasoning_content = reasoning;
  // Signed thinking, as LiteLLM spells it: a client that sends the message back as it came keeps
  // Anthropic's thinking on through a tool loop (see thinkingBlocksToIR).
  if (blocks.length > 0) message.thinking_blocks = blocks;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  message.refusal = null;
  const body: Json = {
    id: chatId(ir.id),
    object: "chat.completion",
    created: ir.created ?? Math.floor(now() / 1000),
    model: ir.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishFromIR(ir.stopReason) }],
    usage: chatUsageFromIR(ir.usage),
  };
  return { body, dropped };
}

/** Chat ids conventionally start with "chatcmpl-"; a foreign id is kept, just prefixed. */
export function chatId(id: string): string {
  return id.startsWith("chatcmpl") ? id : `chatcmpl-${id}`;
}
