/**
 * The chat content-chunk fast read agrees with JSON.parse and with the decoder's full path:
 * it accepts OpenAI's compact spelling of any content (escapes, control characters, lone
 * surrogates, any unicode) with any header values; whatever it accepts parses to a chunk that
 * carries only that content; and a stream decodes to the same IR events whether its chunks
 * take the fast read or the full parse.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IrStreamEvent } from "../../../src/llm/formats/ir.js";
import {
  type ChunkHeadMemo,
  canonicalContentChunk,
} from "../../../src/llm/formats/openai-chat/content-chunk.js";
import { createChatStreamDecoder } from "../../../src/llm/formats/openai-chat/stream.js";

const str = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());

interface Header {
  id: string;
  created: number;
  model: string;
  tier?: string | null;
  fingerprint?: string | null;
  usageNull: boolean;
  obfuscation?: string;
}

const header: fc.Arbitrary<Header> = fc.record(
  {
    id: str,
    created: fc.nat(),
    model: str,
    tier: fc.option(str, { nil: null }),
    fingerprint: fc.option(str, { nil: null }),
    usageNull: fc.boolean(),
    obfuscation: str,
  },
  { requiredKeys: ["id", "created", "model", "usageNull"] },
);

/** The chunk as OpenAI spells it (JSON.stringify keeps insertion order). */
function chunk(h: Header, delta: Record<string, unknown>, finish: string | null = null): string {
  const c: Record<string, unknown> = {
    id: h.id,
    object: "chat.completion.chunk",
    created: h.created,
    model: h.model,
  };
  if (h.tier !== undefined) c.service_tier = h.tier;
  if (h.fingerprint !== undefined) c.system_fingerprint = h.fingerprint;
  c.choices = [{ index: 0, delta, logprobs: null, finish_reason: finish }];
  if (h.usageNull) c.usage = null;
  if (h.obfuscation !== undefined) c.obfuscation = h.obfuscation;
  return JSON.stringify(c);
}

const ALLOWED = new Set([
  "id",
  "object",
  "created",
  "model",
  "service_tier",
  "system_fingerprint",
  "choices",
  "usage",
  "obfuscation",
]);

describe("canonicalContentChunk", () => {
  it("reads OpenAI's spelling of any content delta exactly", () => {
    fc.assert(
      fc.property(header, str, (h, content) => {
        expect(canonicalContentChunk(chunk(h, { content }))).toBe(content);
      }),
      { numRuns: 5000 },
    );
  });

  it("whatever it accepts parses to a chunk that carries only that content", () => {
    const mutated = fc
      .tuple(header, str, fc.nat(400), fc.string({ maxLength: 3 }), fc.nat(3))
      .map(([h, content, at, s, cut]) => {
        const c = chunk(h, { content });
        const p = at % (c.length + 1);
        return c.slice(0, p) + s + c.slice(p + cut);
      });
    fc.assert(
      fc.property(mutated, (data) => {
        const fast = canonicalContentChunk(data);
        if (fast === undefined) return;
        const v = JSON.parse(data) as Record<string, unknown>;
        for (const k of Object.keys(v)) expect(ALLOWED.has(k)).toBe(true);
        expect(v.object).toBe("chat.completion.chunk");
        expect(v.usage ?? null).toBeNull();
        expect(v.choices).toEqual([
          { index: 0, delta: { content: fast }, logprobs: null, finish_reason: null },
        ]);
      }),
      { numRuns: 20_000 },
    );
  });

  it("with a memo of the last head and tail: the same answers, over chunks of one stream and of another", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), header, str, fc.nat(300), fc.string({ maxLength: 2 }))),
        (list) => {
          const memo: ChunkHeadMemo = { head: "" };
          let last: Header | undefined;
          for (const [same, h, content, at, s] of list) {
            // Mostly chunks that share the previous head, some mutated, some of a new stream.
            const head = same && last !== undefined ? { ...last, obfuscation: h.obfuscation } : h;
            last = head;
            const c = chunk(head, { content });
            const p = at % (c.length + 1);
            const data = at % 3 === 0 ? c.slice(0, p) + s + c.slice(p) : c;
            expect(canonicalContentChunk(data, memo)).toBe(canonicalContentChunk(data));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("leaves every other chunk to the full parse", () => {
    const h: Header = { id: "c1", created: 1, model: "m", usageNull: false };
    for (const data of [
      chunk(h, { role: "assistant", content: "" }),
      chunk(h, { content: "a" }, "stop"),
      chunk(h, { content: "a", refusal: null }),
      chunk(h, { reasoning_content: "r" }),
      chunk(h, { tool_calls: [{ index: 0, function: { arguments: "{" } }] }),
      chunk(h, { content: null }),
      chunk(h, { content: "a" }).replace('"created":1', '"created":1.5'),
      chunk(h, { content: "a" }).replace('"created":1', '"created":01'),
      chunk(h, { content: "a" }).replace("{", "{ "),
      `${chunk(h, { content: "a" }).slice(0, -1)},"usage":{"prompt_tokens":1}}`,
      `${chunk(h, { content: "a" }).slice(0, -1)},"error":{"message":"x"}}`,
      chunk(h, { content: "a" }).replace('"content":"a"', '"content":"a\\x"'),
      chunk(h, { content: "a" }).replace('"content":"a"', '"content":"a\u0001"'),
      chunk(h, { content: "a" }).slice(0, -1),
    ]) {
      expect(canonicalContentChunk(data)).toBeUndefined();
    }
  });
});

describe("the chat stream decoder with the fast read", () => {
  /** The same events, respelled so that no chunk matches the fast read (one space after the first brace). */
  const respelled = (data: string): string => (data.startsWith("{") ? `{ ${data.slice(1)}` : data);

  const decode = (events: string[], spell: (d: string) => string): IrStreamEvent[] => {
    const d = createChatStreamDecoder();
    const out: IrStreamEvent[] = [];
    for (const data of events) out.push(...d.push({ data: spell(data) }));
    out.push(...d.finish());
    return out;
  };

  it("decodes any text stream to the same IR as the full parse", () => {
    fc.assert(
      fc.property(header, fc.array(str, { maxLength: 12 }), fc.boolean(), (h, pieces, reasoningFirst) => {
        const events = [chunk(h, { role: "assistant", content: "" })];
        if (reasoningFirst) events.push(chunk(h, { reasoning_content: "thinking" }));
        for (const p of pieces) events.push(chunk(h, { content: p }));
        events.push(chunk(h, {}, "stop"), "[DONE]");
        expect(decode(events, (x) => x)).toEqual(decode(events, respelled));
      }),
      { numRuns: 2000 },
    );
  });
});
