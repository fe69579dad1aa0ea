/**
 * The official `openai` SDK as a Responses client, against agw in front of the mock upstream
 * speaking OpenAI Responses natively (same format), OpenAI chat (responsesApi false) and
 * Anthropic Messages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertNoGatewayKey,
  CALLER_KEY,
  type Harness,
  MANAGED_KEY,
  startHarness,
  WEATHER_TOOL,
} from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const tools = [{ type: "function" as const, ...WEATHER_TOOL, strict: false }];
const toolCalls = [
  { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
  { id: "call_2", name: "get_weather", arguments: { city: "Rome" } },
];

function functionCalls(output: ReadonlyArray<{ type: string }>): Array<[string, unknown]> {
  return output.flatMap((o) => {
    const c = o as { type: string; name?: string; arguments?: string };
    return c.type === "function_call"
      ? [[c.name ?? "", JSON.parse(c.arguments ?? "")] as [string, unknown]]
      : [];
  });
}

describe("responses client → OpenAI Responses upstream (native, same format)", () => {
  it("create: forwarded as is with the model rewritten and the managed key", async () => {
    const handle = h.mock.script({ reply: { text: "native hi", usage: { input: 3, output: 2 } } });
    const r = await h.openai.responses.create({ model: "oai-fast", input: "Hi", instructions: "Be kind." });
    expect(r.output_text).toBe("native hi");
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/responses");
    expect(req.json).toEqual({ model: "gpt-upstream", input: "Hi", instructions: "Be kind." });
    expect(req.headers.authorization).toBe(`Bearer ${MANAGED_KEY}`);
    assertNoGatewayKey(req.headers);
  });

  it("previous_response_id is passed through to a native upstream", async () => {
    const handle = h.mock.script({ reply: { text: "continued" } });
    const r = await h.openai.responses.create({
      model: "oai-fast",
      input: "more",
      previous_response_id: "resp_prev",
    });
    expect(r.output_text).toBe("continued");
    expect((await handle.request).json).toMatchObject({ previous_response_id: "resp_prev" });
  });

  it("streamed with tools (chunked every byte): finalResponse has both calls", async () => {
    h.mock.script({ reply: { toolCalls }, chunking: { every: 1 } });
    const stream = h.openai.responses.stream({ model: "oai-fast", input: "Weather?", tools });
    const final = await stream.finalResponse();
    expect(functionCalls(final.output)).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Rome" }],
    ]);
  });
});

describe("responses client → OpenAI chat upstream (responsesApi: false)", () => {
  it("create with tools: input items and instructions become chat messages; caller key sent as Bearer", async () => {
    const handle = h.mock.script({
      reply: { text: "via chat", toolCalls: [toolCalls[0]!], usage: { input: 6, output: 3 } },
    });
    const r = await h.openai.responses.create({
      model: "oaichat-small",
      instructions: "Be brief.",
      input: [{ role: "user", content: "Weather in Paris?" }],
      tools,
    });
    expect(r.output_text).toBe("via chat");
    expect(functionCalls(r.output)).toEqual([["get_weather", { city: "Paris" }]]);
    expect(r.usage).toMatchObject({ input_tokens: 6, output_tokens: 3 });
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/chat/completions");
    expect(req.json).toMatchObject({
      model: "gpt-upstream",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: WEATHER_TOOL.parameters } }],
    });
    expect(req.headers.authorization).toBe(`Bearer ${CALLER_KEY}`);
    assertNoGatewayKey(req.headers);
  });

  it("streamed (chunked every byte): finalResponse has text, calls and usage; events carry the response echo", async () => {
    h.mock.script({
      reply: { text: "Sure", toolCalls, usage: { input: 8, output: 5 } },
      chunking: { every: 1 },
    });
    const stream = h.openai.responses.stream({ model: "oaichat-small", input: "Weather?", tools });
    const seen: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Sure");
    expect(functionCalls(final.output)).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Rome" }],
    ]);
    expect(final.usage).toMatchObject({ input_tokens: 8, output_tokens: 5 });
    expect(seen[0]).toBe("response.created");
    expect(seen).toContain("response.output_text.delta");
    expect(seen).toContain("response.function_call_arguments.delta");
    expect(seen.at(-1)).toBe("response.completed");
  });

  it("previous_response_id is a clear 400 when the upstream does not speak Responses", async () => {
    const before = h.mock.requests.length;
    const err = await h.openai.responses
      .create({ model: "oaichat-small", input: "more", previous_response_id: "resp_prev" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { status?: number }).status).toBe(400);
    expect((err as Error).message).toContain("previous_response_id");
    expect(h.mock.requests.length).toBe(before);
  });
});

describe("responses client → Anthropic upstream", () => {
  it("create: translated to Messages with the caller key as x-api-key", async () => {
    const handle = h.mock.script({ reply: { text: "from claude", usage: { input: 4, output: 2 } } });
    const r = await h.openai.responses.create({
      model: "ant-sonnet",
      instructions: "Be brief.",
      input: "Hello",
      max_output_tokens: 50,
    });
    expect(r.output_text).toBe("from claude");
    expect(r.status).toBe("completed");
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/messages");
    expect(req.json).toMatchObject({
      model: "claude-upstream",
      system: "Be brief.",
      max_tokens: 50,
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
    });
    expect(req.headers["x-api-key"]).toBe(CALLER_KEY);
  });

  it("streamed with tools (chunked every byte): finalResponse has the calls", async () => {
    h.mock.script({ reply: { text: "Let me see", toolCalls }, chunking: { every: 1 } });
    const stream = h.openai.responses.stream({ model: "ant-sonnet", input: "Weather?", tools });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Let me see");
    expect(functionCalls(final.output)).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Rome" }],
    ]);
  });
});
