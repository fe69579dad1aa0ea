/**
 * Responses, embeddings, model lists and token counting, each checked with the official SDKs.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./mock-upstream.js";
import { embeddingVector } from "./wire/openai-misc.js";
import { parseSse } from "./wire/sse.js";

let mock: MockUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockUpstream({ models: ["gpt-4o", "o3", "claude-test"] });
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "test", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: mock.url, apiKey: "test", maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

describe("OpenAI Responses", () => {
  it("create() echoes string input and array input; usage in Responses field names", async () => {
    const r = await openai.responses.create({ model: "gpt-4o", input: "hi there" });
    expect(r.object).toBe("response");
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe("echo: hi there");
    expect(r.usage).toEqual({
      input_tokens: 2,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    });

    const r2 = await openai.responses.create({
      model: "gpt-4o",
      instructions: "be brief",
      input: [{ role: "user", content: [{ type: "input_text", text: "from parts" }] }],
    });
    expect(r2.output_text).toBe("echo: from parts");
    expect(r2.instructions).toBe("be brief");
  });

  it("create() with reasoning, text and a function call; length → incomplete", async () => {
    mock.script({
      reply: {
        thinking: "think first",
        text: "Calling.",
        toolCalls: [{ id: "call_9", name: "lookup", arguments: { q: "x" } }],
        usage: { input: 5, output: 6, cachedInput: 2, reasoning: 3 },
      },
    });
    const r = await openai.responses.create({ model: "o3", input: "go" });
    expect(r.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    const call = r.output[2];
    expect(call).toMatchObject({
      type: "function_call",
      call_id: "call_9",
      name: "lookup",
      arguments: '{"q":"x"}',
    });
    expect(r.output[0]).toMatchObject({ summary: [{ type: "summary_text", text: "think first" }] });
    expect(r.usage).toMatchObject({
      input_tokens: 5,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: 11,
    });

    mock.script({ reply: { text: "cut", finish: "length" } });
    const cut = await openai.responses.create({ model: "o3", input: "go" });
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  for (const chunking of [undefined, { every: 1 }, { every: 7 }]) {
    it(`stream().finalResponse() with text and function calls (chunking ${JSON.stringify(chunking)})`, async () => {
      mock.script({
        reply: {
          thinking: "plan ☃",
          text: "Looking up — naïve 🌍.",
          toolCalls: [
            { id: "call_1", name: "lookup", arguments: { q: "Zürich" } },
            { id: "call_2", name: "lookup", arguments: { q: "Oslo" } },
          ],
        },
        ...(chunking ? { chunking } : {}),
      });
      const deltas: string[] = [];
      const stream = openai.responses.stream({ model: "gpt-4o", input: "x" });
      stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
      const r = await stream.finalResponse();
      expect(r.output_text).toBe("Looking up — naïve 🌍.");
      expect(deltas.join("")).toBe("Looking up — naïve 🌍.");
      const calls = r.output.filter((o) => o.type === "function_call");
      expect(calls.map((c) => [c.call_id, c.name, c.arguments])).toEqual([
        ["call_1", "lookup", '{"q":"Zürich"}'],
        ["call_2", "lookup", '{"q":"Oslo"}'],
      ]);
      expect(r.status).toBe("completed");
    });
  }

  it("SSE has event: lines equal to data.type and sequence_numbers 0..n-1", async () => {
    mock.script({ reply: { text: "a b", toolCalls: [{ name: "f", arguments: "{}" }] } });
    const res = await fetch(`${mock.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", input: "x", stream: true }),
    });
    const events = parseSse(await res.text());
    const types = events.map((e) => (JSON.parse(e.data) as { type: string }).type);
    expect(events.map((e) => e.event)).toEqual(types);
    expect(events.map((e) => (JSON.parse(e.data) as { sequence_number: number }).sequence_number)).toEqual(
      events.map((_, i) => i),
    );
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });
});

describe("embeddings, models, count_tokens", () => {
  it("embeddings.create decodes the SDK's default base64 and explicit floats identically", async () => {
    const b64 = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b c"] });
    expect(b64.object).toBe("list");
    expect(b64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(b64.data[0]?.embedding).toEqual(embeddingVector("a", 8));
    expect(b64.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(mock.requests[0]?.json).toMatchObject({ encoding_format: "base64" });

    const floats = await openai.embeddings.create({
      model: "text-embedding-3-small",
      input: "b c",
      encoding_format: "float",
      dimensions: 4,
    });
    expect(floats.data[0]?.embedding).toEqual(embeddingVector("b c", 4));
    expect(floats.data[0]?.embedding).toEqual(b64.data[1]?.embedding.slice(0, 4));
  });

  it("models.list in OpenAI's shape, and Anthropic's shape for Anthropic clients", async () => {
    const ids: string[] = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toEqual(["gpt-4o", "o3", "claude-test"]);

    const aids: string[] = [];
    for await (const m of anthropic.models.list()) aids.push(m.id);
    expect(aids).toEqual(["gpt-4o", "o3", "claude-test"]);
  });

  it("messages.countTokens counts words of system and messages", async () => {
    const r = await anthropic.messages.countTokens({
      model: "claude-test",
      system: "be nice",
      messages: [{ role: "user", content: [{ type: "text", text: "one two three" }] }],
    });
    expect(r).toEqual({ input_tokens: 5 });
    expect(mock.requests[0]?.pathname).toBe("/v1/messages/count_tokens");
  });

  it("paths work without the /v1 prefix", async () => {
    const res = await fetch(`${mock.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
  });
});
