/**
 * Responses clients that reference earlier items (`item_reference`), as the Vercel AI SDK does
 * unless `store: false`, on an upstream that is not Responses: a reference to a reasoning item
 * (agw's `rs_` ids) is dropped, any other reference is refused with a 400 that says what to do.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLER_KEY, GATEWAY_KEY, type Harness, startHarness } from "./harness.js";

let h: Harness;
let provider: ReturnType<typeof createOpenAI>;
beforeAll(async () => {
  h = await startHarness();
  provider = createOpenAI({
    apiKey: CALLER_KEY,
    baseURL: `${h.url}/v1`,
    headers: { "x-agw-authorization": `Bearer ${GATEWAY_KEY}` },
  });
});
afterAll(async () => {
  await h.close();
});

type Body = Record<string, unknown>;

const weather = tool({
  description: "Weather for a city",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  }),
  execute: async ({ city }) => `18C in ${city}`,
});

function scriptToolLoop(): void {
  h.mock.script({
    reply: {
      thinking: "Need the weather.",
      toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris" } }],
    },
  });
  h.mock.script({ reply: { text: "It is 18C." } });
}

describe("AI SDK responses provider, tool loop with reasoning (store left at its default)", () => {
  for (const [model, upstream] of [
    ["ant-x", "anthropic"],
    ["oaichat-x", "chat"],
  ] as const) {
    it(`generateText → ${upstream} upstream: the reasoning reference is dropped, the loop completes`, async () => {
      scriptToolLoop();
      const r = await generateText({
        model: provider.responses(model),
        prompt: "Weather in Paris?",
        tools: { get_weather: weather },
        stopWhen: stepCountIs(2),
      });
      expect(r.text).toBe("It is 18C.");
      expect(h.mock.requests.length).toBeGreaterThanOrEqual(2);
      const second = h.mock.requests[h.mock.requests.length - 1]!.json as Body;
      const text = JSON.stringify(second);
      expect(text).not.toContain("rs_");
      expect(text).not.toContain("thinking");
      expect(text).toContain("18C in Paris");
    });
  }

  it("streamText → anthropic upstream: the same", async () => {
    scriptToolLoop();
    const r = streamText({
      model: provider.responses("ant-x"),
      prompt: "Weather in Paris?",
      tools: { get_weather: weather },
      stopWhen: stepCountIs(2),
    });
    expect(await r.text).toBe("It is 18C.");
    const second = h.mock.requests[h.mock.requests.length - 1]!.json as Body;
    expect(JSON.stringify(second)).toContain("tool_result");
  });
});

describe("a reference to any other item", () => {
  it("is refused with 400 unsupported_feature naming store: false", async () => {
    const before = h.mock.requests.length;
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${CALLER_KEY}`,
        "x-agw-authorization": `Bearer ${GATEWAY_KEY}`,
      },
      body: JSON.stringify({
        model: "ant-x",
        input: [
          { role: "user", content: "Hi" },
          { type: "item_reference", id: "msg_abc_1" },
          { role: "user", content: "More" },
        ],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unsupported_feature");
    expect(body.error.message).toContain("msg_abc_1");
    expect(body.error.message).toContain("store: false");
    expect(h.mock.requests.length).toBe(before);
  });

  it("AI SDK multi-turn with store: false sends items, not references, and is served", async () => {
    h.mock.script({ reply: { thinking: "Hmm.", text: "Hello." } });
    const first = await generateText({ model: provider.responses("ant-x"), prompt: "Hi" });
    h.mock.script({ reply: { text: "Again." } });
    const second = await generateText({
      model: provider.responses("ant-x"),
      messages: [
        { role: "user", content: "Hi" },
        ...first.response.messages,
        { role: "user", content: "More" },
      ],
      providerOptions: { openai: { store: false } },
    });
    expect(second.text).toBe("Again.");
    const body = h.mock.requests[h.mock.requests.length - 1]!.json as Body;
    expect(JSON.stringify(body)).toContain("Hello.");
  });
});
