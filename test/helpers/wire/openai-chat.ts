/**
 * OpenAI Chat Completions wire bodies, written from the API reference (not from src/), so
 * tests that use them are not circular.
 */
import { splitCodePoints, splitText } from "./context.js";
import type { ResolvedReply, SseEvent, WireContext } from "./types.js";

export function chatUsage(r: ResolvedReply): Record<string, unknown> {
  return {
    prompt_tokens: r.usage.input,
    completion_tokens: r.usage.output,
    total_tokens: r.usage.input + r.usage.output,
    prompt_tokens_details: { cached_tokens: r.usage.cachedInput, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: r.usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function chatCompletion(r: ResolvedReply, ctx: WireContext): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: r.text === "" && r.toolCalls.length > 0 ? null : r.text,
    refusal: null,
    annotations: [],
  };
  if (r.toolCalls.length > 0) {
    message.tool_calls = r.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id: ctx.id("chatcmpl-"),
    object: "chat.completion",
    created: ctx.created,
    model: r.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: r.finish }],
    usage: chatUsage(r),
    service_tier: "default",
    system_fingerprint: "fp_mock",
  };
}

/** Size (in code points) of each streamed `function.arguments` piece. */
const ARG_PIECE = 6;

/**
 * The `data:` payloads of a chat stream, in order, then `[DONE]`. As OpenAI does: the first
 * chunk carries the role, each tool call's first chunk carries `id`, `type`, `function.name`
 * and empty arguments, later chunks only `index` and argument pieces; the finish chunk has an
 * empty delta; with `include_usage` every chunk has `usage: null` and a final chunk has empty
 * `choices` and the usage.
 */
export function chatStreamEvents(
  r: ResolvedReply,
  ctx: WireContext,
  options: { includeUsage: boolean },
): SseEvent[] {
  const id = ctx.id("chatcmpl-");
  const chunk = (choices: unknown[], usage?: unknown): SseEvent => {
    const c: Record<string, unknown> = {
      id,
      object: "chat.completion.chunk",
      created: ctx.created,
      model: r.model,
      service_tier: "default",
      system_fingerprint: "fp_mock",
      choices,
    };
    if (options.includeUsage) c.usage = usage ?? null;
    return { data: c };
  };
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  const events: SseEvent[] = [];
  const onlyTools = r.text === "" && r.toolCalls.length > 0;
  events.push(delta({ role: "assistant", content: onlyTools ? null : "", refusal: null }));
  for (const piece of splitText(r.text)) events.push(delta({ content: piece }));

  const starts = r.toolCalls.map((c, index) =>
    delta({
      tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }],
    }),
  );
  const pieces = r.toolCalls.map((c, index) =>
    splitCodePoints(c.arguments, ARG_PIECE).map((p) =>
      delta({ tool_calls: [{ index, function: { arguments: p } }] }),
    ),
  );
  if (r.interleaveToolCalls) {
    events.push(...starts);
    const rounds = Math.max(0, ...pieces.map((p) => p.length));
    for (let i = 0; i < rounds; i++) for (const p of pieces) if (p[i] !== undefined) events.push(p[i]!);
  } else {
    starts.forEach((s, i) => {
      events.push(s, ...(pieces[i] ?? []));
    });
  }
  events.push(delta({}, r.finish));
  if (options.includeUsage) events.push(chunk([], chatUsage(r)));
  events.push({ data: "[DONE]" });
  return events;
}

/** The text of the last user message (string content, or the text parts of array content). */
export function chatLastUserText(body: unknown): string {
  if (!isRecord(body) || !Array.isArray(body.messages)) return "";
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m: unknown = body.messages[i];
    if (isRecord(m) && m.role === "user") return contentText(m.content);
  }
  return "";
}

/** All text of a chat request (every message), for the deterministic input token count. */
export function chatAllText(body: unknown): string {
  if (!isRecord(body) || !Array.isArray(body.messages)) return "";
  return body.messages.map((m: unknown) => (isRecord(m) ? contentText(m.content) : "")).join(" ");
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p: unknown) => (isRecord(p) && p.type === "text" && typeof p.text === "string" ? p.text : ""))
    .filter((t) => t !== "")
    .join(" ");
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
