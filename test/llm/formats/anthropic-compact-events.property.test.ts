/**
 * The compact read of the Anthropic stream events around the text deltas agrees with
 * JSON.parse: each event in Anthropic's compact spelling, whatever its strings and usage,
 * reads as the object the full parse gives; whatever it accepts after a mutation parses to
 * the same object; other spellings are left to the full parse; and a whole stream decodes to
 * the same IR either way.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactAnthropicEvent } from "../../../src/llm/formats/anthropic-messages/compact-events.js";
import { createAnthropicStreamDecoder } from "../../../src/llm/formats/anthropic-messages/stream.js";
import type { IrStreamEvent } from "../../../src/llm/formats/ir.js";

const str = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());
const index = fc.nat({ max: 999_999_999 });
const usage = fc.oneof(
  fc.record({
    input_tokens: fc.nat(),
    cache_creation_input_tokens: fc.nat(),
    cache_read_input_tokens: fc.nat(),
    cache_creation: fc.record({ ephemeral_5m_input_tokens: fc.nat(), ephemeral_1h_input_tokens: fc.nat() }),
    output_tokens: fc.nat(),
    service_tier: str,
  }),
  fc.record({ output_tokens: fc.nat() }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Each event as Anthropic spells it (JSON.stringify keeps the order given). */
const event = fc.oneof(
  fc.constant({ type: "ping" }),
  fc.constant({ type: "message_stop" }),
  index.map((i) => ({ type: "content_block_stop", index: i })),
  index.map((i) => ({ type: "content_block_start", index: i, content_block: { type: "text", text: "" } })),
  fc.tuple(fc.option(str, { nil: null }), fc.option(str, { nil: null }), usage).map(([reason, seq, u]) => ({
    type: "message_delta",
    delta: { stop_reason: reason, stop_sequence: seq },
    usage: u,
  })),
  fc.tuple(str, str, usage).map(([id, model, u]) => ({
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: u,
    },
  })),
);

describe("compactAnthropicEvent", () => {
  it("reads each event's compact spelling as JSON.parse does", () => {
    fc.assert(
      fc.property(event, (e) => {
        const data = JSON.stringify(e);
        expect(compactAnthropicEvent(data)).toEqual(JSON.parse(data));
      }),
      { numRuns: 5000 },
    );
  });

  it("whatever it accepts after a mutation parses to the same object", () => {
    const mutated = fc
      .tuple(event, fc.nat(600), fc.string({ maxLength: 3 }), fc.nat(3))
      .map(([e, at, s, cut]) => {
        const c = JSON.stringify(e);
        const p = at % (c.length + 1);
        return c.slice(0, p) + s + c.slice(p + cut);
      });
    fc.assert(
      fc.property(mutated, (data) => {
        const fast = compactAnthropicEvent(data);
        if (fast === undefined) return;
        expect(fast).toEqual(JSON.parse(data));
      }),
      { numRuns: 30_000 },
    );
  });

  it("leaves other spellings and other events to the full parse", () => {
    for (const data of [
      '{ "type":"ping"}',
      '{"type":"ping","x":1}',
      '{"type":"content_block_stop","index":01}',
      '{"type":"content_block_stop","index":1234567890}',
      '{"type":"content_block_stop","index":1.5}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"a"}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"n","input":{}}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1},"x":1}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":}',
      '{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":""}],"stop_reason":null,"stop_sequence":null,"usage":{}}}',
      '{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{}},"x":1}',
      '{"type":"error","error":{"type":"overloaded_error","message":"x"}}',
    ]) {
      expect(compactAnthropicEvent(data), data).toBeUndefined();
    }
  });
});

describe("the Anthropic stream decoder with the compact reads", () => {
  /** The same events, respelled so that none is read compactly (a space after the first brace). */
  const respelled = (data: string): string => `{ ${data.slice(1)}`;

  const decode = (events: string[], spell: (d: string) => string): IrStreamEvent[] => {
    const d = createAnthropicStreamDecoder();
    const out: IrStreamEvent[] = [];
    for (const data of events) out.push(...d.push({ data: spell(data) }));
    out.push(...d.finish());
    return out;
  };

  it("decodes any text stream to the same IR as the full parse", () => {
    fc.assert(
      fc.property(
        str,
        str,
        usage,
        fc.array(str, { maxLength: 8 }),
        fc.option(str, { nil: null }),
        usage,
        fc.boolean(),
        (id, model, startUsage, pieces, reason, endUsage, ping) => {
          const events = [
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
                usage: startUsage,
              },
            }),
            JSON.stringify({
              type: "content_block_start",
              index: 0,
              content_block: { type: "text", text: "" },
            }),
          ];
          if (ping) events.push(JSON.stringify({ type: "ping" }));
          for (const p of pieces) {
            events.push(
              JSON.stringify({
                type: "content_block_delta",
                index: 0,
                delta: { type: "text_delta", text: p },
              }),
            );
          }
          events.push(
            JSON.stringify({ type: "content_block_stop", index: 0 }),
            JSON.stringify({
              type: "message_delta",
              delta: { stop_reason: reason, stop_sequence: null },
              usage: endUsage,
            }),
            JSON.stringify({ type: "message_stop" }),
          );
          expect(decode(events, (x) => x)).toEqual(decode(events, respelled));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
