/**
 * Property tests that extend test/llm/sse.test.ts and test/llm/formats/roundtrip.property.test.ts
 * (read first; nothing here repeats them):
 * - the SSE parser gives the generated events for any split of any valid stream (generated
 *   streams with every line ending, comments, ids, retry, multi-line and Unicode data), not
 *   only for fixtures;
 * - a stream goes IR → encoder → SSE bytes → arbitrary chunks → parser → decoder and comes
 *   back with the same parts (the wire step the existing roundtrip skips), Unicode included;
 * - request fields: every optional field either comes back equal or is reported as dropped
 *   (no silent loss), tool parameter schemas come back whole, Unicode text survives;
 * - errors: status, kind and message survive each format's error envelope.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FORMATS } from "../../src/llm/formats/index.js";
import type {
  IrError,
  IrErrorType,
  IrFormat,
  IrRequest,
  IrStreamEvent,
  WireEvent,
} from "../../src/llm/formats/ir.js";
import { createSseParser, encodeSseEvent, type SseEvent } from "../../src/llm/sse.js";

const formats: IrFormat[] = ["openai-chat", "anthropic-messages", "openai-responses"];
const enc = new TextEncoder();

/** Byte cut points: any number of them, anywhere (inside multibyte characters too). */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}

const unicode = fc.string({ unit: "grapheme", maxLength: 12 });
/** Data lines cannot hold CR or LF themselves (they end lines); LF inside data becomes two lines. */
const dataText = fc
  .array(
    fc.string({ unit: "grapheme", maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, "")),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((lines) => lines.join("\n"));
const fieldText = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 8 })
  .map((s) => s.replace(/[\r\n\0]/g, "x"));

const sseEvent: fc.Arbitrary<SseEvent> = fc
  .record({
    event: fc.option(fieldText, { nil: undefined }),
    data: dataText,
    id: fc.option(fieldText, { nil: undefined }),
    retry: fc.option(fc.nat(100000), { nil: undefined }),
  })
  .map((r) => {
    const e: SseEvent = { data: r.data };
    if (r.event !== undefined) e.event = r.event;
    if (r.id !== undefined) e.id = r.id;
    if (r.retry !== undefined) e.retry = r.retry;
    return e;
  });

/** Writes events by hand with a chosen line ending, optional space after the colon, and comments. */
function writeStream(
  events: SseEvent[],
  eol: string,
  space: boolean,
  comments: boolean,
  bom: boolean,
): string {
  const sp = space ? " " : "";
  let s = bom ? "\uFEFF" : "";
  for (const e of events) {
    if (comments) s += `: keep-alive${eol}`;
    if (e.event !== undefined) s += `event:${sp}${leading(e.event, space)}${eol}`;
    if (e.id !== undefined) s += `id:${sp}${leading(e.id, space)}${eol}`;
    if (e.retry !== undefined) s += `retry:${sp}${e.retry}${eol}`;
    for (const line of e.data.split("\n")) s += `data:${sp}${leading(line, space)}${eol}`;
    s += eol;
  }
  return s;
}

/** Without the optional space, a value that starts with a space needs one more to survive. */
function leading(v: string, space: boolean): string {
  return !space && v.startsWith(" ") ? ` ${v}` : v;
}

describe("SSE parser: any split of any valid stream", () => {
  it("gives exactly the events written, whatever the line ending and chunking", () => {
    fc.assert(
      fc.property(
        fc.array(sseEvent, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, eol, space, comments, bom, cuts) => {
          const bytes = enc.encode(writeStream(events, eol, space, comments, bom));
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(events);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("encodeSseEvent output parses back to the same events for any split", () => {
    fc.assert(
      fc.property(
        fc.array(sseEvent, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, cuts) => {
          const bytes = enc.encode(events.map(encodeSseEvent).join(""));
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(events);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("one-byte chunks of a generated stream parse like the whole", () => {
    fc.assert(
      fc.property(
        fc.array(sseEvent, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        (events, eol) => {
          const bytes = enc.encode(writeStream(events, eol, true, true, false));
          const ones: Uint8Array[] = [];
          for (let i = 0; i < bytes.length; i++) ones.push(bytes.subarray(i, i + 1));
          expect(parseChunks(ones)).toEqual(parseChunks([bytes]));
        },
      ),
      { numRuns: 100 },
    );
  });
});

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

/** A response's stream as IR events: Unicode text deltas and tool calls with split arguments. */
const streamSpec = fc.record({
  id: ident,
  model: ident,
  texts: fc.array(fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }), {
    minLength: 1,
    maxLength: 4,
  }),
  calls: fc.array(
    fc.record({
      id: ident,
      name: ident,
      args: fc
        .dictionary(ident, fc.oneof(unicode, fc.integer()), { maxKeys: 3 })
        .map((o) => JSON.stringify(o)),
    }),
    { maxLength: 2 },
  ),
  output: fc.nat(10000),
});

describe("stream: IR → encoder → SSE bytes, split anywhere → parser → decoder", () => {
  for (const f of formats) {
    it(`keeps text and tool calls via ${f}`, () => {
      fc.assert(
        fc.property(streamSpec, fc.array(fc.nat(), { maxLength: 10 }), (s, cuts) => {
          const events: IrStreamEvent[] = [{ type: "message_start", id: s.id, model: s.model, created: 1 }];
          events.push({ type: "part_start", index: 0, part: { kind: "text" } });
          for (const t of s.texts) events.push({ type: "text_delta", index: 0, text: t });
          events.push({ type: "part_stop", index: 0 });
          s.calls.forEach((c, i) => {
            const index = i + 1;
            events.push({ type: "part_start", index, part: { kind: "tool_call", id: c.id, name: c.name } });
            const mid = Math.floor(c.args.length / 2);
            events.push({ type: "tool_args_delta", index, json: c.args.slice(0, mid) });
            events.push({ type: "tool_args_delta", index, json: c.args.slice(mid) });
            events.push({ type: "part_stop", index });
          });
          events.push(
            {
              type: "message_delta",
              stopReason: s.calls.length > 0 ? "tool_use" : "end_turn",
              usage: { inputTokens: 3, outputTokens: s.output, totalTokens: 3 + s.output },
            },
            { type: "message_stop" },
          );
          const encoder = FORMATS[f].createEncoder({ includeUsage: true, now: () => 0 });
          const wire: WireEvent[] = events.flatMap((e) => encoder.push(e));
          const bytes = enc.encode(wire.map((w) => encodeSseEvent(w)).join(""));
          const decoder = FORMATS[f].createDecoder();
          const back: IrStreamEvent[] = [];
          const parser = createSseParser((e) => back.push(...decoder.push(e)));
          for (const c of splitAt(bytes, cuts)) parser.push(c);
          parser.end();
          back.push(...decoder.finish());

          expect(back.some((e) => e.type === "error")).toBe(false);
          expect(back[back.length - 1]?.type).toBe("message_stop");
          const text = back.map((e) => (e.type === "text_delta" ? e.text : "")).join("");
          expect(text).toBe(s.texts.join(""));
          const calls = new Map<number, { id: string; name: string; json: string }>();
          for (const e of back) {
            if (e.type === "part_start" && e.part.kind === "tool_call")
              calls.set(e.index, { id: e.part.id, name: e.part.name, json: "" });
            if (e.type === "tool_args_delta") {
              const c = calls.get(e.index);
              if (c !== undefined) c.json += e.json;
            }
          }
          expect([...calls.values()].map((c) => [c.id, c.name, JSON.parse(c.json || "{}")])).toEqual(
            s.calls.map((c) => [c.id, c.name, JSON.parse(c.args)]),
          );
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** IR field → the name a converter reports when it drops it. */
const WIRE_NAME: Record<string, string> = {
  topP: "top_p",
  topK: "top_k",
  stop: "stop",
  seed: "seed",
  n: "n",
  presencePenalty: "presence_penalty",
  frequencyPenalty: "frequency_penalty",
  metadata: "metadata",
  user: "user",
  parallelToolCalls: "parallel_tool_calls",
  temperature: "temperature",
};

const optionalFields = fc.record(
  {
    topP: fc.double({ min: 0, max: 1, noNaN: true }),
    topK: fc.integer({ min: 1, max: 100 }),
    stop: fc.array(fc.string({ unit: "grapheme", minLength: 1, maxLength: 5 }), {
      minLength: 1,
      maxLength: 3,
    }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    n: fc.constant(1),
    presencePenalty: fc.double({ min: -2, max: 2, noNaN: true }),
    frequencyPenalty: fc.double({ min: -2, max: 2, noNaN: true }),
    metadata: fc.dictionary(ident, fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 2 }),
    user: ident,
    parallelToolCalls: fc.boolean(),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
);

const schema: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(
    ident,
    fc.constantFrom(
      { type: "string" },
      { type: "integer", minimum: 0 },
      { type: "array", items: { type: "string" } },
    ),
    {
      minKeys: 1,
      maxKeys: 3,
    },
  )
  .map((props) => ({ type: "object", properties: props, required: Object.keys(props).slice(0, 1) }));

describe("requests: nothing is lost silently", () => {
  for (const f of formats) {
    it(`via ${f}: each optional field comes back equal or is reported dropped; tool schemas whole`, () => {
      fc.assert(
        fc.property(
          optionalFields,
          unicode.filter((s) => s.trim() !== ""),
          fc.array(fc.record({ name: ident, parameters: schema }), { maxLength: 2 }),
          (opt, userText, tools) => {
            const ir: IrRequest = {
              model: "m",
              system: [],
              messages: [{ role: "user", content: [{ type: "text", text: userText }] }],
              maxTokens: 100,
              stream: false,
              ...opt,
            };
            const uniqueTools = tools.filter((t, i) => tools.findIndex((u) => u.name === t.name) === i);
            if (uniqueTools.length > 0)
              ir.tools = uniqueTools.map((t) => ({
                name: t.name,
                description: "d",
                parameters: t.parameters,
              }));
            const conv = FORMATS[f];
            const out = conv.requestFromIR(ir);
            const back = conv.requestToIR(out.body).ir;
            for (const key of Object.keys(opt)) {
              const dropped = out.dropped.some((d) => d.startsWith(WIRE_NAME[key] ?? key));
              // Meaningless (and rejected by providers) without tools.
              if (dropped || (key === "parallelToolCalls" && ir.tools === undefined)) continue;
              // n = 1 and parallel tool calls are every format's defaults: leaving them out loses nothing.
              const dflt = key === "n" ? 1 : key === "parallelToolCalls" ? true : undefined;
              const got = (back as unknown as Record<string, unknown>)[key] ?? dflt;
              expect(got, `${f}: ${key}`).toEqual((ir as unknown as Record<string, unknown>)[key]);
            }
            expect(back.messages[0]?.content).toEqual([{ type: "text", text: userText }]);
            expect(back.tools?.map((t) => [t.name, t.parameters])).toEqual(
              ir.tools?.map((t) => [t.name, t.parameters]),
            );
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});

const errorTypes: IrErrorType[] = [
  "invalid_request",
  "authentication",
  "permission",
  "not_found",
  "rate_limit",
  "server",
  "overloaded",
];

describe("errors survive each format's envelope", () => {
  for (const f of formats) {
    it(`via ${f}`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...errorTypes),
          fc.string({ unit: "grapheme", maxLength: 30 }),
          (type, message) => {
            const conv = FORMATS[f];
            const status =
              {
                invalid_request: 400,
                authentication: 401,
                permission: 403,
                not_found: 404,
                rate_limit: 429,
                server: 500,
                overloaded: 529,
              }[type as string] ?? 500;
            const err: IrError = { status, type, message };
            const out = conv.errorFromIR(err);
            const back = conv.errorToIR(out.status, out.body, undefined);
            expect(back.message).toBe(message);
            expect(out.status).toBeGreaterThanOrEqual(400);
            expect(back.status).toBe(out.status);
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
