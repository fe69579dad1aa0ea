/**
 * The Anthropic text-delta fast read agrees with JSON.parse: for every event it accepts, the
 * index and text are what parsing the whole object gives; it accepts the canonical spelling of
 * any text (quotes, backslashes, control characters, lone surrogates, any unicode); and a
 * spelling it does not accept is left to the full parse.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalTextDelta } from "../../../src/llm/formats/anthropic-messages/text-delta.js";

const canonical = (index: number, text: string): string =>
  JSON.stringify({ type: "content_block_delta", index, delta: { type: "text_delta", text } });

/** What the decoder would read from the whole object, or undefined when it is not a text delta. */
function byFullParse(data: string): { index: number; text: string } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  const o = v as { type?: unknown; index?: unknown; delta?: { type?: unknown; text?: unknown } };
  if (o === null || typeof o !== "object" || o.type !== "content_block_delta") return undefined;
  if (typeof o.index !== "number" || o.delta?.type !== "text_delta" || typeof o.delta.text !== "string")
    return undefined;
  return { index: o.index, text: o.delta.text };
}

const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());

describe("canonicalTextDelta", () => {
  it("reads the canonical event of any text and index exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), text, (index, t) => {
        expect(canonicalTextDelta(canonical(index, t))).toEqual({ index, text: t });
      }),
      { numRuns: 5000 },
    );
  });

  it("never disagrees with JSON.parse on any spelling, and leaves the others to it", () => {
    const head = '{"type":"content_block_delta","index":';
    const spelled = fc.oneof(
      // Canonical events with one character changed, inserted or removed somewhere.
      fc
        .tuple(fc.nat(20), text, fc.nat(200), fc.string({ maxLength: 2 }), fc.nat(2))
        .map(([i, t, at, s, cut]) => {
          const c = canonical(i, t);
          const p = at % (c.length + 1);
          return c.slice(0, p) + s + c.slice(p + cut);
        }),
      // The head then anything.
      fc.string({ unit: "binary" }).map((s) => head + s),
      fc
        .tuple(fc.nat(9), fc.string({ unit: "binary" }))
        .map(([i, s]) => `${head}${i},"delta":{"type":"text_delta","text":${s}`),
    );
    fc.assert(
      fc.property(spelled, (data) => {
        const fast = canonicalTextDelta(data);
        if (fast !== undefined) expect(fast).toEqual(byFullParse(data));
      }),
      { numRuns: 20_000 },
    );
  });

  it("leaves other spellings and other events to the full parse", () => {
    for (const data of [
      '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}',
      '{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"Hi"}}',
      '{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"Hi"}}',
      '{"type":"content_block_delta","index":0.5,"delta":{"type":"text_delta","text":"Hi"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi","x":1}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"},"x":1}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}} ',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"b"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi',
      '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}',
    ]) {
      expect(canonicalTextDelta(data)).toBeUndefined();
    }
    expect(
      canonicalTextDelta(
        '{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"a\\"b\\n"}}',
      ),
    ).toEqual({
      index: 12,
      text: 'a"b\n',
    });
  });
});
