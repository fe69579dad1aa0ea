import { describe, expect, it } from "vitest";
import { responseTextSlots } from "../../../src/llm/formats/response-text-slots.js";

describe("responseTextSlots", () => {
  it("chat: content, refusal and tool arguments of every choice, written in place", () => {
    const body = {
      system_fingerprint: "fp",
      choices: [
        {
          message: {
            content: "a",
            refusal: null,
            tool_calls: [{ function: { name: "f", arguments: "{}" } }],
          },
        },
        { message: { content: "b" }, logprobs: { content: [] } },
      ],
    };
    const slots = responseTextSlots("openai-chat", body);
    expect(slots.map((s) => [s.kind, s.text])).toEqual([
      ["text", "a"],
      ["arguments", "{}"],
      ["text", "b"],
    ]);
    slots[2]!.set("B");
    slots[1]!.set('{"x":1}');
    expect(body.choices[1]!.message.content).toBe("B");
    expect(body.choices[0]!.message.tool_calls![0]!.function.arguments).toBe('{"x":1}');
    expect(body.system_fingerprint).toBe("fp");
  });

  it("anthropic: text blocks and tool_use input (re-parsed on write); thinking left alone", () => {
    const body = {
      content: [
        { type: "thinking", thinking: "t", signature: "s" },
        { type: "text", text: "hi" },
        { type: "tool_use", id: "1", name: "f", input: { a: "x" } },
      ],
    };
    const slots = responseTextSlots("anthropic-messages", body);
    expect(slots.map((s) => s.text)).toEqual(["hi", '{"a":"x"}']);
    slots[1]!.set('{"a":"<X>"}');
    expect(body.content[2]).toEqual({ type: "tool_use", id: "1", name: "f", input: { a: "<X>" } });
  });

  it("responses: output_text, refusal, function_call arguments, custom_tool_call input", () => {
    const body = {
      output: [
        { type: "reasoning", summary: [{ type: "summary_text", text: "r" }] },
        {
          type: "message",
          content: [
            { type: "output_text", text: "t", annotations: [] },
            { type: "refusal", refusal: "no" },
          ],
        },
        { type: "function_call", arguments: "{}" },
        { type: "custom_tool_call", input: "patch" },
      ],
    };
    expect(responseTextSlots("openai-responses", body).map((s) => [s.kind, s.text])).toEqual([
      ["text", "t"],
      ["text", "no"],
      ["arguments", "{}"],
      ["text", "patch"],
    ]);
  });
});
