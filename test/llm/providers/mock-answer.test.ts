import { describe, expect, it } from "vitest";
import { converterFor, type IrRequest, type IrStreamEvent } from "../../../src/llm/formats/index.js";
import { mockResponse, mockStreamEvents, mockTokenCount } from "../../../src/llm/providers/mock/answer.js";

function req(over: Partial<IrRequest> = {}): IrRequest {
  return {
    model: "m",
    system: [{ type: "text", text: "be nice" }],
    messages: [{ role: "user", content: [{ type: "text", text: "hello mock world" }] }],
    stream: false,
    ...over,
  };
}

/** Folds stream events back into content, as a client accumulator would. */
function fold(events: IrStreamEvent[]): { text: string; args: string; stop: string | undefined } {
  let text = "";
  let args = "";
  let stop: string | undefined;
  for (const e of events) {
    if (e.type === "text_delta") text += e.text;
    if (e.type === "tool_args_delta") args += e.json;
    if (e.type === "message_delta") stop = e.stopReason;
  }
  return { text, args, stop };
}

describe("mock provider", () => {
  it("replies to the last user text with word-count usage, deterministically", () => {
    const r = mockResponse(req());
    expect(r.content).toEqual([{ type: "text", text: "This is a mock reply to: hello mock world" }]);
    expect(r.stopReason).toBe("end_turn");
    expect(r.usage).toEqual({ inputTokens: 5, outputTokens: 9, totalTokens: 14 });
    expect(mockResponse(req())).toEqual(r);
    expect(
      mockResponse(req({ messages: [{ role: "user", content: [{ type: "text", text: "other" }] }] })).id,
    ).not.toBe(r.id);
    expect(mockTokenCount(req())).toBe(5);
  });

  it("calls the first tool (or the forced one) with its required arguments", () => {
    const tools = [
      {
        name: "a",
        parameters: {
          type: "object",
          properties: { n: { type: "integer" }, s: { type: "string" }, o: { type: "string" } },
          required: ["n", "s"],
        },
      },
      { name: "b", parameters: { type: "object", properties: {} } },
    ];
    const first = mockResponse(req({ tools }));
    expect(first.content).toEqual([
      { type: "tool_call", id: expect.any(String), name: "a", arguments: '{"n":0,"s":"mock"}' },
    ]);
    expect(first.stopReason).toBe("tool_use");
    const forced = mockResponse(req({ tools, toolChoice: { type: "tool", name: "b" } }));
    expect(forced.content).toEqual([
      { type: "tool_call", id: expect.any(String), name: "b", arguments: "{}" },
    ]);
    expect(mockResponse(req({ tools, toolChoice: { type: "none" } })).content[0]?.type).toBe("text");
  });

  it("answers a tool result with text", () => {
    const r = mockResponse(
      req({
        tools: [{ name: "a", parameters: {} }],
        messages: [
          { role: "user", content: [{ type: "text", text: "go" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "c", name: "a", arguments: "{}" }] },
          { role: "tool", content: [{ type: "tool_result", toolCallId: "c", content: "sunny" }] },
        ],
      }),
    );
    expect(r.content).toEqual([{ type: "text", text: "This is a mock reply to: sunny" }]);
  });

  it("stream events fold back into the same answer and encode in every client format", () => {
    for (const over of [
      {},
      {
        tools: [
          {
            name: "t",
            parameters: { type: "object", required: ["q"], properties: { q: { type: "string" } } },
          },
        ],
      },
    ]) {
      const r = mockResponse(req(over));
      const events = mockStreamEvents(req(over));
      const folded = fold(events);
      const part = r.content[0]!;
      if (part.type === "text") expect(folded.text).toBe(part.text);
      if (part.type === "tool_call") expect(folded.args).toBe(part.arguments);
      expect(folded.stop).toBe(r.stopReason);
      expect(events.at(-1)).toEqual({ type: "message_stop" });
      for (const f of ["openai-chat", "anthropic-messages", "openai-responses"] as const) {
        const enc = converterFor(f).createEncoder();
        const wire = events.flatMap((e) => enc.push(e));
        expect(wire.length).toBeGreaterThan(events.length / 2);
        expect(wire.some((w) => w.event === "error" || w.data.startsWith('{"error"'))).toBe(false);
      }
    }
  });

  it("max_tokens cuts the reply", () => {
    const r = mockResponse(req({ maxTokens: 2 }));
    expect(r.content).toEqual([{ type: "text", text: "This is" }]);
    expect(r.stopReason).toBe("max_tokens");
  });
});
