/**
 * The Gemini format's refusals and paths, beside the golden fixtures (chat-gemini.*,
 * anthropic-gemini.*): what cannot be carried to Gemini is a 400 that says what to send instead.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import { geminiRequestFromIR } from "../../../src/llm/formats/gemini/request.js";
import type { IrRequest } from "../../../src/llm/formats/ir.js";
import { PROVIDERS } from "../../../src/llm/providers/registry.js";
import { apiPathFor } from "../../../src/llm/providers/spec.js";

const base: IrRequest = { model: "gemini-2.5-flash", system: [], messages: [], stream: false };

function refusal(ir: IrRequest): GatewayError {
  try {
    geminiRequestFromIR(ir);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("no refusal");
}

describe("gemini request refusals", () => {
  it("an image by URL is a 400 asking for inline base64", () => {
    const e = refusal({
      ...base,
      messages: [
        { role: "user", content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }] },
      ],
    });
    expect(e.status).toBe(400);
    expect(e.message).toContain("base64");
  });

  it("a tool result whose call is not in the conversation is a 400 naming the id", () => {
    const e = refusal({
      ...base,
      messages: [{ role: "tool", content: [{ type: "tool_result", toolCallId: "call_9", content: "x" }] }],
    });
    expect(e.status).toBe(400);
    expect(e.message).toContain('"call_9"');
  });

  it("reasoning off is a zero thinking budget", () => {
    const out = geminiRequestFromIR({
      ...base,
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      reasoning: { disabled: true },
    });
    expect(out.body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });
});

describe("gemini paths", () => {
  it("names the model in the path and streams from streamGenerateContent as SSE", () => {
    expect(apiPathFor(PROVIDERS.gemini, "gemini", "gemini-2.5-flash")).toBe(
      "/v1beta/models/gemini-2.5-flash:generateContent",
    );
    expect(apiPathFor(PROVIDERS.gemini, "gemini", "gemini-2.5-flash", true)).toBe(
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
  });
});
