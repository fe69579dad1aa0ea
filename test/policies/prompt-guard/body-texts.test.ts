import { describe, expect, it } from "vitest";
import { bodyTexts } from "../../../src/policies/prompt-guard/body-texts.js";

describe("bodyTexts", () => {
  it("reads each format's text fields, skipping thinking, images and identifiers", () => {
    const chat = bodyTexts("openai-chat", {
      model: "m",
      messages: [
        { role: "system", content: "sys" },
        {
          role: "user",
          content: [
            { type: "text", text: "u" },
            { type: "image_url", image_url: { url: "x" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
          function_call: { name: "g", arguments: "legacy" },
        },
        { role: "tool", tool_call_id: "c", content: "res" },
      ],
      tools: [
        { type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } },
      ],
    });
    expect(chat.texts).toEqual(["sys", "u", '{"a":1}', "legacy", "res", "d", '{"type":"object"}']);
    const msgs = bodyTexts("anthropic-messages", {
      system: [{ type: "text", text: "s" }],
      messages: [
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "secret", signature: "sig" },
            { type: "tool_use", id: "t", name: "f", input: { q: "x" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
            {
              type: "web_search_tool_result",
              tool_use_id: "t",
              content: [{ type: "web_search_result", title: "T", encrypted_content: "E" }],
            },
          ],
        },
      ],
    });
    expect(msgs.texts).toEqual(["s", '{"q":"x"}', "T"]);
  });

  it("reads Gemini bodies (thoughts left as signed) and embeddings input, and puts masks back", () => {
    const body = {
      generateContentRequest: {
        systemInstruction: { parts: [{ text: "sys" }] },
        contents: [
          {
            role: "model",
            parts: [{ text: "thought", thought: true, thoughtSignature: "s" }, { text: "said" }],
          },
          { role: "user", parts: [{ inlineData: { mimeType: "image/png", data: "AAAA" } }, { text: "u" }] },
        ],
      },
    };
    const g = bodyTexts("gemini", body);
    expect(g.texts).toEqual(["sys", "said", "u"]);
    const masked = g.rebuild(["sys", "SAID", "u"]) as typeof body;
    expect(masked.generateContentRequest.contents[0]?.parts[1]).toEqual({ text: "SAID" });
    expect(body.generateContentRequest.contents[0]?.parts[1]).toEqual({ text: "said" });
    expect(bodyTexts("embeddings", { input: ["a", [1, 2], "b"] }).texts).toEqual(["a", "b"]);
    expect(bodyTexts("embeddings", { input: "one" }).texts).toEqual(["one"]);
  });

  it("rebuilds a copy with only the changed texts replaced", () => {
    const body = {
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { type: "text", data: "a b" } },
            { type: "text", text: "keep" },
          ],
        },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: { q: "a" } }] },
      ],
    };
    const before = JSON.stringify(body);
    const slots = bodyTexts("anthropic-messages", body);
    expect(slots.texts).toEqual(["a b", "keep", '{"q":"a"}']);
    const out = slots.rebuild(["<X> b", "keep", '{"q":"<X>"'] as const);
    expect(JSON.stringify(body)).toBe(before);
    expect(out).toEqual({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { type: "text", data: "<X> b" } },
            { type: "text", text: "keep" },
          ],
        },
        // A mask that breaks an object's JSON text keeps the text, wrapped.
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t", name: "f", input: { _raw_arguments: '{"q":"<X>"' } }],
        },
      ],
    });
    expect(out.messages).not.toBe(body.messages);
  });
});
