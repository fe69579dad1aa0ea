import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FORMATS } from "../../../src/llm/formats/index.js";
import type {
  IrFormat,
  IrMessage,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  WireEvent,
} from "../../../src/llm/formats/ir.js";

const formats: IrFormat[] = ["openai-chat", "anthropic-messages", "openai-responses"];
const text = fc.string({ minLength: 1, maxLength: 20 });
const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
const argsJson = fc
  .dictionary(ident, fc.oneof(fc.integer(), text), { maxKeys: 3 })
  .map((o) => JSON.stringify(o));

/** A conversation every format can carry: user text, assistant text + tool calls, tool results. */
const conversation = fc
  .array(
    fc.record({
      user: text,
      reply: text,
      calls: fc.array(fc.record({ name: ident, args: argsJson, result: text }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((turns) => {
    const messages: IrMessage[] = [];
    let n = 0;
    for (const t of turns) {
      messages.push({ role: "user", content: [{ type: "text", text: t.user }] });
      const ids = t.calls.map(() => `call_${n++}`);
      messages.push({
        role: "assistant",
        content: [
          { type: "text", text: t.reply },
          ...t.calls.map((c, i) => ({
            type: "tool_call" as const,
            id: ids[i]!,
            name: c.name,
            arguments: c.args,
          })),
        ],
      });
      if (t.calls.length > 0)
        messages.push({
          role: "tool",
          content: t.calls.map((c, i) => ({
            type: "tool_result" as const,
            toolCallId: ids[i]!,
            content: c.result,
          })),
        });
    }
    messages.push({ role: "user", content: [{ type: "text", text: "next" }] });
    return messages;
  });

const request = fc.record({
  model: ident,
  system: fc.option(text, { nil: undefined }),
  messages: conversation,
  tools: fc.array(fc.record({ name: ident, description: text }), { maxLength: 2 }),
  maxTokens: fc.integer({ min: 1, max: 10000 }),
  temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  stream: fc.boolean(),
});

describe("IR → format → IR keeps what the format carries", () => {
  for (const f of formats) {
    it(`request via ${f}`, () => {
      fc.assert(
        fc.property(request, (r) => {
          const ir: IrRequest = {
            model: r.model,
            system: r.system !== undefined ? [{ type: "text", text: r.system }] : [],
            messages: r.messages,
            maxTokens: r.maxTokens,
            stream: r.stream,
          };
          if (r.temperature !== undefined) ir.temperature = r.temperature;
          if (r.tools.length > 0)
            ir.tools = r.tools.map((t) => ({
              name: t.name,
              description: t.description,
              parameters: { type: "object", properties: {} },
            }));
          const conv = FORMATS[f];
          const back = conv.requestToIR(conv.requestFromIR(ir).body).ir;
          expect(back.model).toBe(ir.model);
          expect(back.system.map((p) => p.text).join("\n\n")).toBe(ir.system.map((p) => p.text).join("\n\n"));
          expect(back.messages).toEqual(ir.messages);
          expect(back.maxTokens).toBe(ir.maxTokens);
          expect(back.temperature).toBe(ir.temperature);
          expect(back.stream).toBe(ir.stream);
          expect(back.tools?.map((t) => [t.name, t.description])).toEqual(
            ir.tools?.map((t) => [t.name, t.description]),
          );
        }),
        { numRuns: 150 },
      );
    });
  }
});

const response = fc.record({
  id: ident,
  model: ident,
  text: fc.option(text, { nil: undefined }),
  calls: fc.array(fc.record({ id: ident, name: ident, args: argsJson }), { maxLength: 3 }),
  input: fc.nat(100000),
  output: fc.nat(100000),
  cacheRead: fc.nat(1000),
});

type GenResponse = typeof response extends fc.Arbitrary<infer T> ? T : never;
function buildResponse(r: GenResponse): IrResponse {
  return {
    id: r.id,
    model: r.model,
    content: [
      ...(r.text !== undefined ? [{ type: "text" as const, text: r.text }] : []),
      ...r.calls.map((c) => ({ type: "tool_call" as const, id: c.id, name: c.name, arguments: c.args })),
    ],
    stopReason: r.calls.length > 0 ? "tool_use" : "end_turn",
    usage: {
      inputTokens: r.input + r.cacheRead,
      outputTokens: r.output,
      cacheReadTokens: r.cacheRead,
      totalTokens: r.input + r.cacheRead + r.output,
    },
  };
}

describe("response IR → format → IR", () => {
  for (const f of formats) {
    it(`response via ${f}`, () => {
      fc.assert(
        fc.property(response, (r) => {
          const ir = buildResponse(r);
          const conv = FORMATS[f];
          const back = conv.responseToIR(conv.responseFromIR(ir, { now: () => 0 }).body).ir;
          expect(back.content).toEqual(ir.content);
          expect(back.stopReason).toBe(ir.stopReason);
          expect(back.usage.inputTokens).toBe(ir.usage.inputTokens);
          expect(back.usage.outputTokens).toBe(ir.usage.outputTokens);
          expect(back.usage.cacheReadTokens ?? 0).toBe(ir.usage.cacheReadTokens);
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** Streams: IR events → encoder → wire → decoder must rebuild the same parts, whatever the chunking. */
function irStream(r: ReturnType<typeof buildResponse>, textChunks: number): IrStreamEvent[] {
  const ev: IrStreamEvent[] = [{ type: "message_start", id: r.id, model: r.model, created: 1 }];
  r.content.forEach((p, index) => {
    if (p.type === "text") {
      ev.push({ type: "part_start", index, part: { kind: "text" } });
      const size = Math.max(1, Math.ceil(p.text.length / textChunks));
      for (let i = 0; i < p.text.length; i += size)
        ev.push({ type: "text_delta", index, text: p.text.slice(i, i + size) });
    } else if (p.type === "tool_call") {
      ev.push({ type: "part_start", index, part: { kind: "tool_call", id: p.id, name: p.name } });
      const mid = Math.floor(p.arguments.length / 2);
      ev.push({ type: "tool_args_delta", index, json: p.arguments.slice(0, mid) });
      ev.push({ type: "tool_args_delta", index, json: p.arguments.slice(mid) });
    }
    ev.push({ type: "part_stop", index });
  });
  ev.push({ type: "message_delta", stopReason: r.stopReason, usage: r.usage }, { type: "message_stop" });
  return ev;
}

function rebuild(events: IrStreamEvent[]): {
  content: Array<{ kind: string; text: string; id?: string; name?: string }>;
  stop?: string;
  ended: boolean;
} {
  const parts = new Map<number, { kind: string; text: string; id?: string; name?: string }>();
  let stop: string | undefined;
  let ended = false;
  for (const e of events) {
    if (e.type === "part_start")
      parts.set(
        e.index,
        e.part.kind === "tool_call"
          ? { kind: "tool_call", text: "", id: e.part.id, name: e.part.name }
          : { kind: e.part.kind, text: "" },
      );
    else if (e.type === "text_delta") parts.get(e.index)!.text += e.text;
    else if (e.type === "tool_args_delta") parts.get(e.index)!.text += e.json;
    else if (e.type === "message_delta") stop = e.stopReason;
    else if (e.type === "message_stop") ended = true;
  }
  return {
    content: [...parts.values()]
      .filter((p) => p.text !== "" || p.kind === "tool_call")
      .map((p) => (p.kind === "tool_call" && p.text === "{}" ? { ...p, text: "{}" } : p)),
    stop,
    ended,
  };
}

describe("stream IR → encoder → decoder", () => {
  for (const f of formats) {
    it(`stream via ${f}`, () => {
      fc.assert(
        fc.property(response, fc.integer({ min: 1, max: 5 }), (r, chunks) => {
          const ir = buildResponse(r);
          const enc = FORMATS[f].createEncoder({ includeUsage: true, now: () => 0 });
          const dec = FORMATS[f].createDecoder();
          const wire: WireEvent[] = irStream(ir, chunks).flatMap((e) => enc.push(e));
          const back = [...wire.flatMap((w) => dec.push(w)), ...dec.finish()];
          const got = rebuild(back);
          expect(got.ended).toBe(true);
          expect(got.stop).toBe(ir.stopReason);
          expect(got.content).toEqual(
            ir.content.map((p) =>
              p.type === "text"
                ? { kind: "text", text: p.text }
                : p.type === "tool_call"
                  ? { kind: "tool_call", text: p.arguments, id: p.id, name: p.name }
                  : { kind: p.type, text: "" },
            ),
          );
          const md = back.find((e) => e.type === "message_delta");
          expect(md?.type === "message_delta" ? md.usage?.outputTokens : undefined).toBe(
            ir.usage.outputTokens,
          );
        }),
        { numRuns: 150 },
      );
    });
  }
});
