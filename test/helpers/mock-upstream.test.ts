/**
 * The mock upstream is only useful if real clients accept it: every shape here is checked by
 * driving the official openai and @anthropic-ai/sdk clients against it.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./mock-upstream.js";

let mock: MockUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockUpstream();
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "test-openai", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: mock.url, apiKey: "test-anthropic", maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};

describe("OpenAI chat completions", () => {
  it("answers with an echo of the last user text, string or array content", async () => {
    const a = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(a.object).toBe("chat.completion");
    expect(a.model).toBe("gpt-4o");
    expect(a.choices[0]?.message.content).toBe("echo: hello there");
    expect(a.choices[0]?.finish_reason).toBe("stop");
    expect(a.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });

    const b = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: "x" },
        {
          role: "user",
          content: [
            { type: "text", text: "array" },
            { type: "text", text: "parts" },
          ],
        },
      ],
    });
    expect(b.choices[0]?.message.content).toBe("echo: array parts");
  });

  it("renders scripted tool calls and usage in OpenAI's field names", async () => {
    mock.script({
      reply: {
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
          { name: "get_time", arguments: '{"tz":"CET"}' },
        ],
        usage: { input: 10, output: 4, cachedInput: 3, reasoning: 2 },
      },
    });
    const r = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "weather?" }],
      tools: [weatherTool],
    });
    const msg = r.choices[0]?.message;
    expect(r.choices[0]?.finish_reason).toBe("tool_calls");
    expect(msg?.content).toBeNull();
    expect(msg?.tool_calls).toHaveLength(2);
    expect(msg?.tool_calls?.[0]).toEqual({
      id: "call_1",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    });
    expect(msg?.tool_calls?.[1]).toMatchObject({ type: "function", function: { name: "get_time" } });
    expect(r.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 4,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 2,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  it("streams text; usage chunk only with include_usage; ends with [DONE]", async () => {
    const s = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "one two three" }],
    });
    const chunks = [];
    for await (const c of s) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: one two three");
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(mock.requests[0]?.text).toBeDefined();

    const withUsage = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "one two three" }],
    });
    const all = [];
    for await (const c of withUsage) all.push(c);
    const last = all.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(all.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("raw SSE is byte-faithful: data lines, [DONE], event-stream content type", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const text = await res.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(text.startsWith('data: {"id":"chatcmpl-')).toBe(true);
    expect(text).not.toContain("event:");
  });

  for (const chunking of [undefined, { every: 1 }, { every: 5 }]) {
    it(`stream() with parallel tool calls → finalChatCompletion (chunking ${JSON.stringify(chunking)})`, async () => {
      const args = { city: "Zürich", note: "naïve ☃ — 🌍" };
      mock.script({
        reply: {
          text: "Checking.",
          toolCalls: [
            { id: "call_a", name: "get_weather", arguments: args },
            { id: "call_b", name: "get_weather", arguments: { city: "Oslo" } },
          ],
          interleaveToolCalls: true,
        },
        ...(chunking ? { chunking } : {}),
      });
      const stream = openai.chat.completions.stream({
        model: "gpt-4o",
        messages: [{ role: "user", content: "weather" }],
        tools: [weatherTool],
      });
      const final = await stream.finalChatCompletion();
      const msg = final.choices[0]?.message;
      expect(msg?.content).toBe("Checking.");
      expect(final.choices[0]?.finish_reason).toBe("tool_calls");
      expect(
        msg?.tool_calls?.map((c) =>
          c.type === "function" ? [c.id, c.function.name, c.function.arguments] : [],
        ),
      ).toEqual([
        ["call_a", "get_weather", JSON.stringify(args)],
        ["call_b", "get_weather", '{"city":"Oslo"}'],
      ]);
    });
  }
});

describe("Anthropic messages", () => {
  it("create() echoes and reports usage in Anthropic's field names", async () => {
    const m = await anthropic.messages.create({
      model: "claude-test",
      max_tokens: 100,
      messages: [{ role: "user", content: "hello claude" }],
    });
    expect(m.type).toBe("message");
    expect(m.content).toEqual([{ type: "text", text: "echo: hello claude" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage).toMatchObject({
      input_tokens: 2,
      output_tokens: 3,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
  });

  it("create() with tool_use", async () => {
    mock.script({
      reply: {
        text: "Let me look.",
        toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } }],
        usage: { input: 20, output: 9, cachedInput: 5, cacheCreation: 7 },
      },
    });
    const m = await anthropic.messages.create({
      model: "claude-test",
      max_tokens: 100,
      messages: [{ role: "user", content: "weather?" }],
    });
    expect(m.stop_reason).toBe("tool_use");
    expect(m.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
    ]);
    expect(m.usage).toMatchObject({
      input_tokens: 20,
      output_tokens: 9,
      cache_read_input_tokens: 5,
      cache_creation_input_tokens: 7,
    });
  });

  for (const chunking of [undefined, { every: 1 }, { every: 7 }]) {
    it(`stream().finalMessage() with thinking, text and tool_use (chunking ${JSON.stringify(chunking)})`, async () => {
      const input = { city: "Zürich", emoji: "🌧️", nested: { a: [1, 2, 3] } };
      mock.script({
        reply: {
          thinking: "The user wants weather — call the tool.",
          signature: "c2lnbmF0dXJl",
          text: "Sure — checking ☂.",
          toolCalls: [{ id: "toolu_x", name: "get_weather", arguments: input }],
          usage: { input: 11, output: 22 },
        },
        ...(chunking ? { chunking } : {}),
      });
      const stream = anthropic.messages.stream({
        model: "claude-test",
        max_tokens: 100,
        messages: [{ role: "user", content: "weather" }],
      });
      const m = await stream.finalMessage();
      expect(m.content).toEqual([
        { type: "thinking", thinking: "The user wants weather — call the tool.", signature: "c2lnbmF0dXJl" },
        { type: "text", text: "Sure — checking ☂." },
        { type: "tool_use", id: "toolu_x", name: "get_weather", input },
      ]);
      expect(m.stop_reason).toBe("tool_use");
      expect(m.usage.input_tokens).toBe(11);
      expect(m.usage.output_tokens).toBe(22);
    });
  }

  it("raw SSE has event: lines matching the data type", async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "c",
        max_tokens: 5,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const text = await res.text();
    const names = [...text.matchAll(/^event: (.+)$/gmu)].map((m) => m[1]);
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const block of text.split("\n\n").filter((b) => b !== "")) {
      const [ev, data] = block.split("\n");
      expect(JSON.parse(data!.slice("data: ".length)).type).toBe(ev!.slice("event: ".length));
    }
  });
});

describe("errors", () => {
  it("OpenAI envelope → OpenAI SDK error class with status and retry-after", async () => {
    mock.script({ error: { status: 429, format: "openai", message: "slow down", retryAfter: 7 } });
    const err = await openai.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.message).toContain("slow down");
    expect(e.headers.get("retry-after")).toBe("7");
  });

  it("Anthropic envelope → Anthropic SDK error class with status and type", async () => {
    mock.script({ error: { status: 529, format: "anthropic", message: "Overloaded" } });
    const err = await anthropic.messages
      .create({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(529);
    expect(e.error).toMatchObject({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });

    mock.script({ error: { status: 400, format: "anthropic", message: "bad" } });
    const bad = await anthropic.messages
      .create({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("unknown paths are a 404 in the OpenAI envelope", async () => {
    const res = await fetch(`${mock.url}/v1/nope`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "Invalid URL (POST /v1/nope)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });
});
