/** Shape details the SDK round-trips would not notice. */
import { describe, expect, it } from "vitest";
import { anthropicStreamEvents } from "./anthropic-messages.js";
import { makeWireContext, resolveReply } from "./context.js";
import { chatStreamEvents } from "./openai-chat.js";
import type { ReplySpec } from "./types.js";

const resolve = (spec: ReplySpec, prefix = "call_") =>
  resolveReply(spec, makeWireContext(), { model: "m", inputTokens: 1, toolIdPrefix: prefix });

type Chunk = { choices: { delta: { tool_calls?: Record<string, unknown>[] } }[] };

describe("chat stream tool calls", () => {
  it("id/type/name only on a call's first chunk; later chunks carry index and argument pieces", () => {
    const r = resolve({
      toolCalls: [
        { id: "call_a", name: "f", arguments: { long: "x".repeat(20) } },
        { id: "call_b", name: "g", arguments: { y: 1 } },
      ],
      interleaveToolCalls: true,
    });
    const events = chatStreamEvents(r, makeWireContext(), { includeUsage: false });
    const calls = events
      .filter((e) => typeof e.data === "object")
      .flatMap((e) => (e.data as Chunk).choices[0]?.delta.tool_calls ?? []);
    const firsts = calls.filter((c) => "id" in c);
    expect(firsts).toEqual([
      { index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } },
      { index: 1, id: "call_b", type: "function", function: { name: "g", arguments: "" } },
    ]);
    const rest = calls.filter((c) => !("id" in c));
    expect(rest.every((c) => Object.keys(c).join() === "index,function")).toBe(true);
    // Interleaved: the second call's pieces start before the first call's pieces end.
    const order = rest.map((c) => c.index);
    expect(order.indexOf(1)).toBeLessThan(order.lastIndexOf(0));
    for (const i of [0, 1]) {
      const args = rest
        .filter((c) => c.index === i)
        .map((c) => (c.function as { arguments: string }).arguments)
        .join("");
      expect(args).toBe(r.toolCalls[i]?.arguments);
    }
    expect(events.at(-1)).toEqual({ data: "[DONE]" });
  });
});

describe("anthropic stream", () => {
  it("usage: message_start has input and cache counts, message_delta the output count", () => {
    const r = resolve(
      { text: "hi", usage: { input: 9, output: 4, cachedInput: 2, cacheCreation: 3 } },
      "toolu_",
    );
    const events = anthropicStreamEvents(r, makeWireContext());
    const start = events[0]?.data as { message: { usage: Record<string, unknown> } };
    expect(start.message.usage).toMatchObject({
      input_tokens: 9,
      cache_read_input_tokens: 2,
      cache_creation_input_tokens: 3,
      output_tokens: 1,
    });
    const delta = events.find((e) => e.event === "message_delta")?.data;
    expect(delta).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 4 },
    });
  });

  it("tool_use starts with empty input and streams partial_json that concatenates to the arguments", () => {
    const r = resolve(
      { toolCalls: [{ id: "toolu_1", name: "f", arguments: { a: "ü".repeat(9) } }] },
      "toolu_",
    );
    const events = anthropicStreamEvents(r, makeWireContext());
    const start = events.find((e) => e.event === "content_block_start")?.data;
    expect(start).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} },
    });
    const json = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data as { delta: { partial_json: string } }).delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ a: "ü".repeat(9) });
  });
});
