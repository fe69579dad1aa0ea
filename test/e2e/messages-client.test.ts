/**
 * The official `@anthropic-ai/sdk` as a Messages client, against agw in front of the mock
 * upstream speaking Anthropic (same format) and OpenAI chat (translated).
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

const tools = [
  { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters },
];
const toolCalls = [
  { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
  { id: "call_2", name: "get_weather", arguments: { city: "Rome" } },
];

describe("messages client → Anthropic upstream (same format)", () => {
  it("create: model rewritten, Bearer key from the SDK moved to x-api-key, caller headers kept", async () => {
    const handle = h.mock.script({ reply: { text: "Bonjour", usage: { input: 5, output: 1 } } });
    const r = await h.anthropic.messages.create({
      model: "ant-sonnet",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(r.content).toEqual([{ type: "text", text: "Bonjour" }]);
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/messages");
    expect(req.json).toEqual({
      model: "claude-upstream",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(req.headers["x-api-key"]).toBe(CALLER_KEY);
    expect(req.headers.authorization).toBeUndefined();
    // Same format: the SDK's own version header goes along.
    expect(req.headers["anthropic-version"]).toBeDefined();
    assertNoGatewayKey(req.headers);
  });

  it("stream() with thinking and tools (chunked every byte): finalMessage is whole", async () => {
    h.mock.script({ reply: { thinking: "hmm", text: "Checking", toolCalls }, chunking: { every: 1 } });
    const stream = h.anthropic.messages.stream({
      model: "ant-sonnet",
      max_tokens: 2000,
      messages: [{ role: "user", content: "Weather?" }],
      tools,
    });
    const final = await stream.finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use", "tool_use"]);
    expect(final.content.filter((b) => b.type === "tool_use").map((b) => b.input)).toEqual([
      { city: "Paris" },
      { city: "Rome" },
    ]);
    expect(final.stop_reason).toBe("tool_use");
  });
});

describe("messages client → OpenAI chat upstream (translated)", () => {
  it("create with tools: translated request with the managed key; response in Anthropic shape", async () => {
    const handle = h.mock.script({
      reply: { text: "Sure.", toolCalls, usage: { input: 11, output: 6, cachedInput: 4 } },
    });
    const r = await h.anthropic.messages.create({
      model: "oai-fast",
      max_tokens: 300,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t0", name: "get_weather", input: { city: "Oslo" } }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t0", content: "cold" },
            { type: "text", text: "And Paris and Rome?" },
          ],
        },
      ],
      tools,
      tool_choice: { type: "auto" },
    });
    expect(r.type).toBe("message");
    expect(r.content).toEqual([
      { type: "text", text: "Sure." },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Rome" } },
    ]);
    expect(r.stop_reason).toBe("tool_use");
    // Anthropic input_tokens excludes cache reads.
    expect(r.usage).toMatchObject({ input_tokens: 7, output_tokens: 6, cache_read_input_tokens: 4 });
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/chat/completions");
    const body = req.json as Record<string, unknown>;
    expect(body.model).toBe("gpt-upstream");
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "t0", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "t0", content: "cold" },
      { role: "user", content: "And Paris and Rome?" },
    ]);
    expect(body.tools).toEqual([{ type: "function", function: WEATHER_TOOL }]);
    expect(req.headers.authorization).toBe(`Bearer ${MANAGED_KEY}`);
    expect(req.headers["x-api-key"]).toBeUndefined();
    expect(req.headers["anthropic-version"]).toBeUndefined();
    assertNoGatewayKey(req.headers);
  });

  it("stream() with interleaved parallel tool calls (chunked every byte): finalMessage has both inputs", async () => {
    const handle = h.mock.script({
      reply: { text: "On it", toolCalls, interleaveToolCalls: true, usage: { input: 9, output: 4 } },
      chunking: { every: 1 },
    });
    const stream = h.anthropic.messages.stream({
      model: "oai-fast",
      max_tokens: 300,
      messages: [{ role: "user", content: "Weather in Paris and Rome?" }],
      tools,
    });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: "text", text: "On it" },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Rome" } },
    ]);
    expect(final.usage.output_tokens).toBe(4);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect(types).toContain("message_delta");
    const req = await handle.request;
    expect(req.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});
