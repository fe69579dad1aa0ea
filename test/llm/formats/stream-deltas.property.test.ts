/**
 * The stream encoders write their most frequent events (Anthropic content_block_delta, chat
 * content chunks) as text directly: byte for byte what JSON.stringify gives for the event.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  anthropicStopFromIR,
  anthropicUsageFromIR,
} from "../../../src/llm/formats/anthropic-messages/response.js";
import { FORMATS } from "../../../src/llm/formats/index.js";
import type { IrStreamEvent } from "../../../src/llm/formats/ir.js";

const START: IrStreamEvent = { type: "message_start", id: "msg_1", model: "m" };

describe("Anthropic content_block_delta events", () => {
  it.each([
    ["text", "text_delta", "text"],
    ["thinking", "thinking_delta", "thinking"],
  ] as const)("%s deltas equal JSON.stringify of the event, for any text", (kind, type, field) => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1 }), fc.integer({ min: 0, max: 3 }), (s, extra) => {
        const enc = FORMATS["anthropic-messages"].createEncoder();
        enc.push(START);
        // Earlier blocks, so the index is not always 0.
        for (let i = 0; i < extra; i++) {
          enc.push({ type: "part_start", index: i, part: { kind: "text" } });
          enc.push({ type: "part_stop", index: i });
        }
        enc.push({ type: "part_start", index: extra, part: { kind } });
        const out = enc.push(
          kind === "text"
            ? { type: "text_delta", index: extra, text: s }
            : { type: "thinking_delta", index: extra, thinking: s },
        );
        expect(out).toEqual([
          {
            event: "content_block_delta",
            data: JSON.stringify({ type: "content_block_delta", index: extra, delta: { type, [field]: s } }),
          },
        ]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("chat content chunks", () => {
  it("equal JSON.stringify of the chunk, for any text, id, model and created", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1 }),
        fc.string({ unit: "binary" }),
        fc.string({ unit: "binary" }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.boolean(),
        (s, id, model, created, thinking) => {
          const enc = FORMATS["openai-chat"].createEncoder();
          const [first] = enc.push({ type: "message_start", id, model, created });
          const chunkId = (JSON.parse(first!.data) as { id: string }).id;
          enc.push({ type: "part_start", index: 0, part: { kind: thinking ? "thinking" : "text" } });
          const out = enc.push(
            thinking
              ? { type: "thinking_delta", index: 0, thinking: s }
              : { type: "text_delta", index: 0, text: s },
          );
          const delta = thinking ? { reasoning_content: s } : { content: s };
          const whole = (d: unknown, finish: string | null = null) =>
            JSON.stringify({
              id: chunkId,
              object: "chat.completion.chunk",
              created,
              model,
              choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
            });
          // The opening chunk and, below, the finish chunk come from the same head.
          expect(first!.data).toBe(whole({ role: "assistant", content: "" }));
          enc.push({ type: "part_stop", index: 0 });
          for (const [stop, finish] of [
            ["end_turn", "stop"],
            ["max_tokens", "length"],
            ["tool_use", "tool_calls"],
          ] as const) {
            const copy = FORMATS["openai-chat"].createEncoder();
            copy.push({ type: "message_start", id, model, created });
            expect(copy.push({ type: "message_delta", stopReason: stop })).toEqual([
              { data: whole({}, finish) },
            ]);
          }
          expect(out).toEqual([
            {
              data: JSON.stringify({
                id: chunkId,
                object: "chat.completion.chunk",
                created,
                model,
                choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
              }),
            },
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("Anthropic stream framing events", () => {
  const stops = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"] as const;
  it("message_start, content_block_start/stop, message_delta and message_stop equal JSON.stringify of the event", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: "binary" }),
        fc.nat(),
        fc.nat(),
        fc.option(fc.nat(), { nil: undefined }),
        fc.constantFrom(...stops),
        fc.option(fc.string({ unit: "binary" }), { nil: undefined }),
        fc.integer({ min: 0, max: 3 }),
        (id, model, input, output, cacheRead, stop, seq, extra) => {
          const usage = {
            inputTokens: input,
            outputTokens: output,
            totalTokens: input + output,
            cacheReadTokens: cacheRead,
          };
          const enc = FORMATS["anthropic-messages"].createEncoder();
          const data = (events: ReturnType<typeof enc.push>) => events.map((e) => e.data);
          expect(data(enc.push({ type: "message_start", id, model, usage }))).toEqual([
            JSON.stringify({
              type: "message_start",
              message: {
                id,
                type: "message",
                role: "assistant",
                model,
                content: [],
                stop_reason: null,
                stop_sequence: null,
                usage: anthropicUsageFromIR(usage),
              },
            }),
          ]);
          for (let i = 0; i <= extra; i++) {
            expect(data(enc.push({ type: "part_start", index: i, part: { kind: "text" } }))).toEqual([
              JSON.stringify({
                type: "content_block_start",
                index: i,
                content_block: { type: "text", text: "" },
              }),
            ]);
            expect(data(enc.push({ type: "part_stop", index: i }))).toEqual([
              JSON.stringify({ type: "content_block_stop", index: i }),
            ]);
          }
          const end = { ...usage, outputTokens: output + 1 };
          const md: IrStreamEvent = { type: "message_delta", stopReason: stop, usage: end };
          if (seq !== undefined) md.stopSequence = seq;
          expect(data(enc.push(md))).toEqual([
            JSON.stringify({
              type: "message_delta",
              delta: { stop_reason: anthropicStopFromIR(stop), stop_sequence: seq ?? null },
              usage: anthropicUsageFromIR(end),
            }),
          ]);
          expect(data(enc.push({ type: "message_stop" }))).toEqual([
            JSON.stringify({ type: "message_stop" }),
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
