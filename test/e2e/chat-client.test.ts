/**
 * The official `openai` SDK as a Chat Completions client, against agw in front of the mock
 * upstream speaking OpenAI chat (same format: fast path) and Anthropic Messages (translated).
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

const tools = [{ type: "function" as const, function: WEATHER_TOOL }];
const toolCalls = [
  { id: "call_a", name: "get_weather", arguments: { city: "Paris" } },
  { id: "call_b", name: "get_weather", arguments: { city: "Rome" } },
];

describe("chat client → OpenAI chat upstream (same format)", () => {
  it("create: model rewritten, managed key sent, caller key and gateway key absent", async () => {
    const handle = h.mock.script({
      reply: { text: "hello there", usage: { input: 7, output: 2, cachedInput: 3 } },
    });
    const r = await h.openai.chat.completions.create({
      model: "oai-fast",
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.5,
    });
    expect(r.choices[0]?.message.content).toBe("hello there");
    expect(r.usage?.prompt_tokens).toBe(7);
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/chat/completions");
    expect(req.json).toEqual({
      model: "gpt-upstream",
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.5,
    });
    expect(req.headers.authorization).toBe(`Bearer ${MANAGED_KEY}`);
    expect(JSON.stringify(req.headers)).not.toContain(CALLER_KEY);
    assertNoGatewayKey(req.headers);
    const line = await h.logs.waitFor((l) => l.msg === "request" && l.model === "oai-fast");
    expect(line).toMatchObject({ status: 200, inputTokens: 7, outputTokens: 2, backend: "openAI" });
  });

  it("the body is forwarded byte for byte apart from the model", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const raw =
      '{ "messages" : [{"role":"user","content":"a \\"model\\": b"}],\n  "model":"oai-x", "n" : 1 }';
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    expect(res.status).toBe(200);
    const req = await handle.request;
    expect(req.text).toBe(raw.replace('"oai-x"', '"gpt-upstream"'));
  });

  it("stream() with parallel tool calls: finalChatCompletion has both calls with full arguments; usage chunk hidden", async () => {
    const handle = h.mock.script({ reply: { toolCalls, interleaveToolCalls: true }, chunking: { every: 1 } });
    const stream = h.openai.chat.completions.stream({
      model: "oai-fast",
      messages: [{ role: "user", content: "Weather in Paris and Rome?" }],
      tools,
    });
    const chunks: unknown[] = [];
    stream.on("chunk", (c) => chunks.push(c));
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(
      calls.map((c) =>
        c.type === "function" ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : [],
      ),
    ).toEqual([
      ["call_a", "get_weather", { city: "Paris" }],
      ["call_b", "get_weather", { city: "Rome" }],
    ]);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    // The client did not ask for usage: the injected usage-only chunk is not shown.
    expect(chunks.some((c) => (c as { choices: unknown[] }).choices.length === 0)).toBe(false);
    const req = await handle.request;
    expect(req.json).toMatchObject({
      model: "gpt-upstream",
      stream: true,
      stream_options: { include_usage: true },
    });
    const line = await h.logs.waitFor(
      (l) =>
        l.msg === "request" && l.model === "oai-fast" && l.outputTokens !== undefined && l.inputTokens !== 7,
    );
    expect(typeof line.inputTokens).toBe("number");
  });

  it("stream with include_usage: the usage chunk reaches the client", async () => {
    h.mock.script({ reply: { text: "a b c", usage: { input: 4, output: 3 } } });
    const stream = await h.openai.chat.completions.create({
      model: "oai-fast",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe("a b c");
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3 });
  });
});

describe("chat client → Anthropic upstream (translated)", () => {
  it("create with tools: translated request, caller key moved to x-api-key, tool calls back as JSON strings", async () => {
    const handle = h.mock.script({
      reply: { text: "Let me check.", toolCalls, usage: { input: 20, output: 9, cachedInput: 5 } },
    });
    const r = await h.openai.chat.completions.create({
      model: "ant-sonnet",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris and Rome?" },
      ],
      tools,
      tool_choice: "auto",
      stop: ["END"],
    });
    const msg = r.choices[0]?.message;
    expect(msg?.content).toBe("Let me check.");
    expect(
      msg?.tool_calls?.map((c) => (c.type === "function" ? JSON.parse(c.function.arguments) : null)),
    ).toEqual([{ city: "Paris" }, { city: "Rome" }]);
    expect(r.choices[0]?.finish_reason).toBe("tool_calls");
    expect(r.usage).toMatchObject({
      prompt_tokens: 25,
      completion_tokens: 9,
      prompt_tokens_details: { cached_tokens: 5 },
    });
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/messages");
    expect(req.json).toMatchObject({
      model: "claude-upstream",
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] }],
      tools: [{ name: "get_weather", input_schema: WEATHER_TOOL.parameters }],
      stop_sequences: ["END"],
    });
    expect(typeof (req.json as { max_tokens: unknown }).max_tokens).toBe("number");
    expect(req.headers["x-api-key"]).toBe(CALLER_KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers["anthropic-version"]).toBeDefined();
    assertNoGatewayKey(req.headers);
  });

  it("stream() with tools (chunked every byte): finalChatCompletion carries full arguments", async () => {
    h.mock.script({ reply: { text: "Checking", toolCalls }, chunking: { every: 1 } });
    const stream = h.openai.chat.completions.stream({
      model: "ant-sonnet",
      messages: [{ role: "user", content: "Weather?" }],
      tools,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const m = final.choices[0]?.message;
    expect(m?.content).toBe("Checking");
    expect(
      m?.tool_calls?.map((c) =>
        c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments)] : [],
      ),
    ).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Rome" }],
    ]);
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("a no-argument tool call arrives as {}", async () => {
    h.mock.script({ reply: { toolCalls: [{ id: "toolu_1", name: "now", arguments: {} }] } });
    const stream = h.openai.chat.completions.stream({
      model: "ant-sonnet",
      messages: [{ role: "user", content: "time?" }],
      tools: [
        { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } },
      ],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function.arguments : undefined).toBe("{}");
  });
});
