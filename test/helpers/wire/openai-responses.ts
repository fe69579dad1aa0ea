/**
 * OpenAI Responses API bodies and SSE events, written from the API reference (not from src/),
 * so tests that use them are not circular.
 */
import { splitCodePoints, splitText } from "./context.js";
import { isRecord } from "./openai-chat.js";
import type { ResolvedReply, SseEvent, WireContext } from "./types.js";

export function responsesUsage(r: ResolvedReply): Record<string, unknown> {
  return {
    input_tokens: r.usage.input,
    input_tokens_details: { cached_tokens: r.usage.cachedInput },
    output_tokens: r.usage.output,
    output_tokens_details: { reasoning_tokens: r.usage.reasoning },
    total_tokens: r.usage.input + r.usage.output,
  };
}

interface Items {
  reasoning?: { id: string; text: string };
  message?: { id: string; text: string };
  calls: { id: string; callId: string; name: string; arguments: string }[];
}

function planItems(r: ResolvedReply, ctx: WireContext): Items {
  const items: Items = { calls: [] };
  if (r.thinking !== undefined) items.reasoning = { id: ctx.id("rs_"), text: r.thinking };
  if (r.text !== "" || r.toolCalls.length === 0) items.message = { id: ctx.id("msg_"), text: r.text };
  items.calls = r.toolCalls.map((c) => ({
    id: ctx.id("fc_"),
    callId: c.id,
    name: c.name,
    arguments: c.arguments,
  }));
  return items;
}

const outputText = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text });
const reasoningItem = (id: string, summary: string | undefined) => ({
  id,
  type: "reasoning",
  summary: summary === undefined ? [] : [{ type: "summary_text", text: summary }],
});
const messageItem = (id: string, status: string, content: unknown[]) => ({
  id,
  type: "message",
  status,
  content,
  role: "assistant",
});
const callItem = (c: Items["calls"][number], status: string, args: string) => ({
  id: c.id,
  type: "function_call",
  status,
  arguments: args,
  call_id: c.callId,
  name: c.name,
});

function completedOutput(items: Items): unknown[] {
  const out: unknown[] = [];
  if (items.reasoning) out.push(reasoningItem(items.reasoning.id, items.reasoning.text));
  if (items.message) out.push(messageItem(items.message.id, "completed", [outputText(items.message.text)]));
  for (const c of items.calls) out.push(callItem(c, "completed", c.arguments));
  return out;
}

/** Request parameters the API echoes back on the response object. */
function echoed(request: unknown): Record<string, unknown> {
  const b = isRecord(request) ? request : {};
  const pick = (k: string, d: unknown) => (b[k] === undefined ? d : b[k]);
  return {
    instructions: pick("instructions", null),
    max_output_tokens: pick("max_output_tokens", null),
    parallel_tool_calls: pick("parallel_tool_calls", true),
    previous_response_id: pick("previous_response_id", null),
    reasoning: pick("reasoning", { effort: null, summary: null }),
    store: pick("store", true),
    temperature: pick("temperature", 1),
    text: pick("text", { format: { type: "text" } }),
    tool_choice: pick("tool_choice", "auto"),
    tools: pick("tools", []),
    top_p: pick("top_p", 1),
    truncation: pick("truncation", "disabled"),
    user: pick("user", null),
    metadata: pick("metadata", {}),
  };
}

function responseShell(
  r: ResolvedReply,
  ctx: WireContext,
  id: string,
  request: unknown,
): (status: string, output: unknown[], usage: unknown) => Record<string, unknown> {
  const incomplete =
    r.finish === "length"
      ? { reason: "max_output_tokens" }
      : r.finish === "content_filter"
        ? { reason: "content_filter" }
        : null;
  return (status, output, usage) => ({
    id,
    object: "response",
    created_at: ctx.created,
    status,
    background: false,
    error: null,
    incomplete_details: status === "in_progress" ? null : incomplete,
    model: r.model,
    output,
    ...echoed(request),
    usage,
  });
}

function finalStatus(r: ResolvedReply): string {
  return r.finish === "length" || r.finish === "content_filter" ? "incomplete" : "completed";
}

export function responsesObject(
  r: ResolvedReply,
  ctx: WireContext,
  request: unknown,
): Record<string, unknown> {
  const shell = responseShell(r, ctx, ctx.id("resp_"), request);
  return shell(finalStatus(r), completedOutput(planItems(r, ctx)), responsesUsage(r));
}

const ARG_PIECE = 6;

/**
 * The event sequence of a streamed response (`event:` lines and `sequence_number`s from 0):
 * response.created, response.in_progress, then per output item: output_item.added, its parts
 * and deltas, output_item.done; finally response.completed (or response.incomplete).
 */
export function responsesStreamEvents(r: ResolvedReply, ctx: WireContext, request: unknown): SseEvent[] {
  const shell = responseShell(r, ctx, ctx.id("resp_"), request);
  const items = planItems(r, ctx);
  const events: SseEvent[] = [];
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>) => {
    events.push({ event: type, data: { type, sequence_number: seq, ...body } });
    seq += 1;
  };
  ev("response.created", { response: shell("in_progress", [], null) });
  ev("response.in_progress", { response: shell("in_progress", [], null) });
  let outputIndex = 0;

  if (items.reasoning) {
    const { id, text } = items.reasoning;
    const at = { item_id: id, output_index: outputIndex };
    ev("response.output_item.added", { output_index: outputIndex, item: reasoningItem(id, undefined) });
    ev("response.reasoning_summary_part.added", {
      ...at,
      summary_index: 0,
      part: { type: "summary_text", text: "" },
    });
    for (const d of splitText(text))
      ev("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta: d });
    ev("response.reasoning_summary_text.done", { ...at, summary_index: 0, text });
    ev("response.reasoning_summary_part.done", {
      ...at,
      summary_index: 0,
      part: { type: "summary_text", text },
    });
    ev("response.output_item.done", { output_index: outputIndex, item: reasoningItem(id, text) });
    outputIndex += 1;
  }
  if (items.message) {
    const { id, text } = items.message;
    const at = { item_id: id, output_index: outputIndex, content_index: 0 };
    ev("response.output_item.added", { output_index: outputIndex, item: messageItem(id, "in_progress", []) });
    ev("response.content_part.added", { ...at, part: outputText("") });
    for (const d of splitText(text)) ev("response.output_text.delta", { ...at, delta: d, logprobs: [] });
    ev("response.output_text.done", { ...at, text, logprobs: [] });
    ev("response.content_part.done", { ...at, part: outputText(text) });
    ev("response.output_item.done", {
      output_index: outputIndex,
      item: messageItem(id, "completed", [outputText(text)]),
    });
    outputIndex += 1;
  }
  for (const c of items.calls) {
    const at = { item_id: c.id, output_index: outputIndex };
    ev("response.output_item.added", { output_index: outputIndex, item: callItem(c, "in_progress", "") });
    for (const d of splitCodePoints(c.arguments, ARG_PIECE))
      ev("response.function_call_arguments.delta", { ...at, delta: d });
    ev("response.function_call_arguments.done", { ...at, name: c.name, arguments: c.arguments });
    ev("response.output_item.done", {
      output_index: outputIndex,
      item: callItem(c, "completed", c.arguments),
    });
    outputIndex += 1;
  }
  const status = finalStatus(r);
  ev(status === "completed" ? "response.completed" : "response.incomplete", {
    response: shell(status, completedOutput(items), responsesUsage(r)),
  });
  return events;
}

/** The text of the last user input (string input, or the last user message item). */
export function responsesLastUserText(body: unknown): string {
  if (!isRecord(body)) return "";
  if (typeof body.input === "string") return body.input;
  if (!Array.isArray(body.input)) return "";
  for (let i = body.input.length - 1; i >= 0; i--) {
    const item: unknown = body.input[i];
    if (isRecord(item) && item.role === "user") return partsText(item.content);
  }
  return "";
}

export function responsesAllText(body: unknown): string {
  if (!isRecord(body)) return "";
  const parts: string[] = [typeof body.instructions === "string" ? body.instructions : ""];
  if (typeof body.input === "string") parts.push(body.input);
  else if (Array.isArray(body.input)) {
    for (const item of body.input as unknown[]) if (isRecord(item)) parts.push(partsText(item.content));
  }
  return parts.filter((p) => p !== "").join(" ");
}

function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p: unknown) =>
      isRecord(p) && (p.type === "input_text" || p.type === "output_text") && typeof p.text === "string"
        ? p.text
        : "",
    )
    .filter((t) => t !== "")
    .join(" ");
}
