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
  canonicalEndChunk,
  canonicalFirstChunk,
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

/** The usage-only chunk OpenAI sends last with include_usage. */
function usageChunk(h: Header, usage: unknown): string {
  const c: Record<string, unknown> = {
    id: h.id,
    object: "chat.completion.chunk",
    created: h.created,
    model: h.model,
  };
  if (h.tier !== undefined) c.service_tier = h.tier;
  if (h.fingerprint !== undefined) c.system_fingerprint = h.fingerprint;
  c.choices = [];
  c.usage = usage;
  if (h.obfuscation !== undefined) c.obfuscation = h.obfuscation;
  return JSON.stringify(c);
}

const usageValue = fc.oneof(
  fc.record({
    prompt_tokens: fc.nat(),
    completion_tokens: fc.nat(),
    total_tokens: fc.nat(),
    prompt_tokens_details: fc.record({ cached_tokens: fc.nat() }),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

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

describe("canonicalEndChunk", () => {
  it("reads OpenAI's spelling of a finish chunk and of a usage-only chunk exactly", () => {
    fc.assert(
      fc.property(header, str, usageValue, (h, reason, usage) => {
        expect(canonicalEndChunk(chunk(h, {}, reason))).toEqual({ finishReason: reason });
        const u = usageChunk({ ...h, obfuscation: undefined }, usage);
        expect(canonicalEndChunk(u)).toEqual({ usage: JSON.parse(JSON.stringify(usage)) });
      }),
      { numRuns: 3000 },
    );
  });

  it("whatever it accepts parses to a chunk that carries only that finish reason or usage", () => {
    const mutated = fc
      .tuple(header, str, usageValue, fc.boolean(), fc.nat(400), fc.string({ maxLength: 3 }), fc.nat(3))
      .map(([h, reason, usage, finish, at, s, cut]) => {
        const c = finish ? chunk(h, {}, reason) : usageChunk(h, usage);
        const p = at % (c.length + 1);
        return c.slice(0, p) + s + c.slice(p + cut);
      });
    fc.assert(
      fc.property(mutated, fc.boolean(), (data, withMemo) => {
        const memo: ChunkHeadMemo = { head: "" };
        // A memo holding the head of a valid chunk of the same stream, when the data's is one.
        if (withMemo) canonicalContentChunk(data.replace(/,"choices":.*$/s, CONTENT_REST), memo);
        const fast = canonicalEndChunk(data, memo);
        if (fast === undefined) return;
        const v = JSON.parse(data) as Record<string, unknown>;
        for (const k of Object.keys(v)) expect(ALLOWED.has(k)).toBe(true);
        expect(v.object).toBe("chat.completion.chunk");
        if ("finishReason" in fast) {
          expect(v.usage ?? null).toBeNull();
          expect(v.choices).toEqual([
            { index: 0, delta: {}, logprobs: null, finish_reason: fast.finishReason },
          ]);
        } else {
          expect(v.choices).toEqual([]);
          expect(v.usage).toEqual(fast.usage);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("leaves other closing chunks to the full parse", () => {
    const h: Header = { id: "c1", created: 1, model: "m", usageNull: false };
    for (const data of [
      chunk(h, {}, null),
      chunk(h, { content: "" }, "stop"),
      chunk(h, {}, "stop").replace('"finish_reason":"stop"', '"finish_reason":1'),
      `${chunk(h, {}, "stop").slice(0, -1)},"usage":{"prompt_tokens":1}}`,
      `${chunk(h, {}, "stop").slice(0, -1)},"error":{"message":"x"}}`,
      usageChunk({ ...h, obfuscation: "x" }, { prompt_tokens: 1 }),
      usageChunk(h, { prompt_tokens: 1 }).replace('"choices":[]', '"choices":[ ]'),
      `${usageChunk(h, { prompt_tokens: 1 }).slice(0, -1)},"error":{}}`,
      usageChunk(h, { prompt_tokens: 1 }).slice(0, -1),
    ]) {
      expect(canonicalEndChunk(data), data).toBeUndefined();
    }
  });
});

describe("canonicalFirstChunk", () => {
  const opening = (refusal: boolean) =>
    refusal ? { role: "assistant", content: "", refusal: null } : { role: "assistant", content: "" };

  it("reads OpenAI's spelling of a stream's first chunk exactly, and keeps its head", () => {
    fc.assert(
      fc.property(header, fc.boolean(), (h, refusal) => {
        const data = chunk(h, opening(refusal));
        const memo: ChunkHeadMemo = { head: "" };
        expect(canonicalFirstChunk(data, memo)).toEqual({ id: h.id, model: h.model, created: h.created });
        expect(data.startsWith(memo.head)).toBe(true);
        expect(canonicalContentChunk(chunk(h, { content: "x" }), memo)).toBe("x");
      }),
      { numRuns: 3000 },
    );
  });

  it("whatever it accepts parses to a first chunk with that id, model and created, and nothing else", () => {
    const mutated = fc
      .tuple(header, fc.boolean(), fc.nat(400), fc.string({ maxLength: 3 }), fc.nat(3))
      .map(([h, refusal, at, s, cut]) => {
        const c = chunk(h, opening(refusal));
        const p = at % (c.length + 1);
        return c.slice(0, p) + s + c.slice(p + cut);
      });
    fc.assert(
      fc.property(mutated, (data) => {
        const fast = canonicalFirstChunk(data);
        if (fast === undefined) return;
        const v = JSON.parse(data) as Record<string, unknown>;
        for (const k of Object.keys(v)) expect(ALLOWED.has(k)).toBe(true);
        expect(v.object).toBe("chat.completion.chunk");
        expect(v.usage ?? null).toBeNull();
        expect({ id: v.id, model: v.model, created: v.created }).toEqual(fast);
        const choices = v.choices as Array<{ delta: Record<string, unknown> }>;
        expect([opening(false), opening(true)]).toContainEqual(choices[0]?.delta);
        expect(choices).toEqual([
          { index: 0, delta: choices[0]?.delta, logprobs: null, finish_reason: null },
        ]);
      }),
      { numRuns: 20_000 },
    );
  });

  it("leaves other first chunks to the full parse", () => {
    const h: Header = { id: "c1", created: 1, model: "m", usageNull: false };
    for (const data of [
      chunk(h, { role: "assistant", content: "a" }),
      chunk(h, { role: "assistant", content: "", refusal: "no" }),
      chunk(h, { role: "assistant" }),
      chunk(h, { role: "user", content: "" }),
      chunk(h, { role: "assistant", content: "" }, "stop"),
      chunk(h, { role: "assistant", content: "" }).replace('"created":1', '"created":1.5'),
      `${chunk(h, { role: "assistant", content: "" }).slice(0, -1)},"usage":{"prompt_tokens":1}}`,
      `${chunk(h, { role: "assistant", content: "" }).slice(0, -1)},"error":{"message":"x"}}`,
    ]) {
      expect(canonicalFirstChunk(data), data).toBeUndefined();
    }
  });
});

/** A content delta's rest after the head, to put a head in a memo. */
const CONTENT_REST = ',"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]}';

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
      fc.property(
        header,
        fc.array(str, { maxLength: 12 }),
        fc.boolean(),
        fc.option(usageValue, { nil: undefined }),
        (h, pieces, reasoningFirst, usage) => {
          const opening = reasoningFirst
            ? { role: "assistant", content: "", refusal: null }
            : { role: "assistant", content: "" };
          const events = [chunk(h, opening)];
          if (reasoningFirst) events.push(chunk(h, { reasoning_content: "thinking" }));
          for (const p of pieces) events.push(chunk(h, { content: p }));
          events.push(chunk(h, {}, "stop"));
          if (usage !== undefined) events.push(usageChunk(h, usage));
          events.push("[DONE]");
          expect(decode(events, (x) => x)).toEqual(decode(events, respelled));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
