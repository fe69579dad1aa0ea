/** The buffered-stream helpers: events → IR response, and a masked response replayed as events. */
import { describe, expect, it } from "vitest";
import type { IrStreamEvent } from "../../../src/llm/formats/index.js";
import { assembleResponse, replayMasked } from "../../../src/llm/pipeline/response-guard.js";

const events: IrStreamEvent[] = [
  {
    type: "message_start",
    id: "m1",
    model: "up",
    usage: { inputTokens: 5, outputTokens: 0, totalTokens: 5 },
  },
  { type: "part_start", index: 0, part: { kind: "thinking" } },
  { type: "part_stop", index: 0 },
  { type: "part_start", index: 1, part: { kind: "text" } },
  { type: "text_delta", index: 1, text: "call " },
  { type: "part_start", index: 2, part: { kind: "tool_call", id: "t1", name: "mail" } },
  { type: "tool_args_delta", index: 2, json: '{"to":"a@' },
  { type: "text_delta", index: 1, text: "a@b.com" },
  { type: "tool_args_delta", index: 2, json: 'b.com"}' },
  { type: "part_stop", index: 1 },
  { type: "part_stop", index: 2 },
  {
    type: "message_delta",
    stopReason: "tool_use",
    usage: { inputTokens: 0, outputTokens: 9, totalTokens: 9 },
  },
  { type: "message_stop" },
];

describe("assembleResponse / replayMasked", () => {
  it("assembles interleaved parts in start order, usage merged", () => {
    const { ir } = assembleResponse(events);
    expect(ir).toMatchObject({ id: "m1", model: "up", stopReason: "tool_use" });
    expect(ir.usage).toMatchObject({ inputTokens: 5, outputTokens: 9 });
    expect(ir.content).toEqual([
      { type: "thinking", thinking: "" },
      { type: "text", text: "call a@b.com" },
      { type: "tool_call", id: "t1", name: "mail", arguments: '{"to":"a@b.com"}' },
    ]);
  });

  it("replays each part's masked text as one delta where its first delta was", () => {
    const { ir, position } = assembleResponse(events);
    const masked = {
      ...ir,
      content: [
        ir.content[0]!,
        { type: "text" as const, text: "call <EMAIL>" },
        { type: "tool_call" as const, id: "t1", name: "mail", arguments: '{"to":"<EMAIL>"}' },
      ],
    };
    const out = replayMasked(events, masked, position);
    const deltas = out.filter((e) => e.type === "text_delta" || e.type === "tool_args_delta");
    expect(deltas).toEqual([
      { type: "text_delta", index: 1, text: "call <EMAIL>" },
      { type: "tool_args_delta", index: 2, json: '{"to":"<EMAIL>"}' },
    ]);
    expect(out.filter((e) => e.type !== "text_delta" && e.type !== "tool_args_delta")).toEqual(
      events.filter((e) => e.type !== "text_delta" && e.type !== "tool_args_delta"),
    );
  });
});
