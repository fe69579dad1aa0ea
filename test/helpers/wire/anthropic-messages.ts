/**
 * Anthropic Messages wire bodies and SSE events, written from the API reference (not from
 * src/), so tests that use them are not circular.
 */
import { splitCodePoints, splitText } from "./context.js";
import { isRecord } from "./openai-chat.js";
import type { FinishReason, ResolvedReply, SseEvent, WireContext } from "./types.js";

export const ANTHROPIC_STOP_REASON: Record<FinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal",
};

export function anthropicUsage(r: ResolvedReply, outputTokens = r.usage.output): Record<string, unknown> {
  return {
    input_tokens: r.usage.input,
    cache_creation_input_tokens: r.usage.cacheCreation,
    cache_read_input_tokens: r.usage.cachedInput,
    cache_creation: { ephemeral_5m_input_tokens: r.usage.cacheCreation, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

function contentBlocks(r: ResolvedReply): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (r.thinking !== undefined)
    blocks.push({ type: "thinking", thinking: r.thinking, signature: r.signature });
  if (r.text !== "" || r.toolCalls.length === 0) blocks.push({ type: "text", text: r.text });
  for (const c of r.toolCalls) {
    blocks.push({ type: "tool_use", id: c.id, name: c.name, input: parseInput(c.arguments) });
  }
  return blocks;
}

/** Tool input must be an object on the Anthropic wire; unparsable arguments become `{}`. */
function parseInput(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args === "" ? "{}" : args);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

export function anthropicMessage(r: ResolvedReply, ctx: WireContext): Record<string, unknown> {
  return {
    id: ctx.id("msg_"),
    type: "message",
    role: "assistant",
    model: r.model,
    content: contentBlocks(r),
    stop_reason: ANTHROPIC_STOP_REASON[r.finish],
    stop_sequence: null,
    usage: anthropicUsage(r),
  };
}

const JSON_PIECE = 7;

/**
 * The event sequence of a streamed message, `event:` names included: message_start (usage with
 * input and cache counts, output_tokens 1), then per block content_block_start / deltas /
 * content_block_stop (a ping after the first block start, as the API does), message_delta with
 * stop_reason and cumulative output_tokens, message_stop.
 */
export function anthropicStreamEvents(r: ResolvedReply, ctx: WireContext): SseEvent[] {
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, ...body },
  });
  const events: SseEvent[] = [
    ev("message_start", {
      message: {
        id: ctx.id("msg_"),
        type: "message",
        role: "assistant",
        model: r.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: anthropicUsage(r, Math.min(1, r.usage.output)),
      },
    }),
  ];
  let index = 0;
  const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[]) => {
    events.push(ev("content_block_start", { index, content_block: start }));
    if (index === 0) events.push(ev("ping", {}));
    for (const d of deltas) events.push(ev("content_block_delta", { index, delta: d }));
    events.push(ev("content_block_stop", { index }));
    index += 1;
  };
  if (r.thinking !== undefined) {
    block({ type: "thinking", thinking: "", signature: "" }, [
      ...splitText(r.thinking).map((t) => ({ type: "thinking_delta", thinking: t })),
      { type: "signature_delta", signature: r.signature },
    ]);
  }
  if (r.text !== "" || r.toolCalls.length === 0) {
    block(
      { type: "text", text: "" },
      splitText(r.text).map((t) => ({ type: "text_delta", text: t })),
    );
  }
  for (const c of r.toolCalls) {
    const args = c.arguments;
    block({ type: "tool_use", id: c.id, name: c.name, input: {} }, [
      { type: "input_json_delta", partial_json: "" },
      ...splitCodePoints(args, JSON_PIECE).map((p) => ({ type: "input_json_delta", partial_json: p })),
    ]);
  }
  events.push(
    ev("message_delta", {
      delta: { stop_reason: ANTHROPIC_STOP_REASON[r.finish], stop_sequence: null },
      usage: { output_tokens: r.usage.output },
    }),
  );
  events.push(ev("message_stop", {}));
  return events;
}

/** A mid-stream error event, as Anthropic sends on overload after the stream has begun. */
export function anthropicStreamError(type: string, message: string): SseEvent {
  return { event: "error", data: { type: "error", error: { type, message } } };
}

export function anthropicLastUserText(body: unknown): string {
  if (!isRecord(body) || !Array.isArray(body.messages)) return "";
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m: unknown = body.messages[i];
    if (isRecord(m) && m.role === "user") return blocksText(m.content);
  }
  return "";
}

/** All text of a Messages request (system and every message), for token counts. */
export function anthropicAllText(body: unknown): string {
  if (!isRecord(body)) return "";
  const parts = [blocksText(body.system)];
  if (Array.isArray(body.messages)) {
    for (const m of body.messages as unknown[]) if (isRecord(m)) parts.push(blocksText(m.content));
  }
  return parts.filter((p) => p !== "").join(" ");
}

function blocksText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: unknown) => (isRecord(b) && b.type === "text" && typeof b.text === "string" ? b.text : ""))
    .filter((t) => t !== "")
    .join(" ");
}
