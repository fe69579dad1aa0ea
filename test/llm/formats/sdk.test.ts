import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSseEvent } from "../../../src/llm/sse.js";
import { convertStream, type FixtureEvent, toWire } from "./run-fixture.js";

/**
 * The official SDKs' stream accumulators (MessageStream, ChatCompletionStream, ResponseStream)
 * define what a client accepts. Every encoder output is replayed to them over a loopback socket.
 */
let server: Server;
let baseURL = "";
let nextBody = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(nextBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dir = join(import.meta.dirname, "fixtures");
function load(name: string): {
  input: FixtureEvent[];
  client: "openai-chat" | "anthropic-messages" | "openai-responses";
  upstream: "openai-chat" | "anthropic-messages" | "openai-responses";
} {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as ReturnType<typeof load>;
}

function serve(name: string, opts: { includeUsage?: boolean } = {}): void {
  const fx = load(name);
  const out = convertStream(
    { client: fx.client, upstream: fx.upstream, options: opts },
    fx.input.map(toWire),
  );
  nextBody = out.map(encodeSseEvent).join("");
}

const anthropic = (): Anthropic => new Anthropic({ apiKey: "test", baseURL, maxRetries: 0 });
const openai = (): OpenAI => new OpenAI({ apiKey: "test", baseURL: `${baseURL}/v1`, maxRetries: 0 });

describe("Anthropic SDK MessageStream accepts our Anthropic stream", () => {
  const params = { model: "m", max_tokens: 10, messages: [{ role: "user" as const, content: "hi" }] };

  it("text then two sequential tool calls from a chat upstream", async () => {
    serve("anthropic-chat.stream.text-tools");
    const msg = await anthropic().messages.stream(params).finalMessage();
    expect(msg.content).toEqual([
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_use", id: "call_2", name: "get_time", input: {} },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 30 });
  });

  it("interleaved parallel tool calls become well-formed sequential blocks", async () => {
    serve("anthropic-chat.stream.interleaved-parallel");
    const msg = await anthropic().messages.stream(params).finalMessage();
    expect(msg.content).toEqual([
      { type: "tool_use", id: "call_a", name: "f_a", input: { x: 1 } },
      { type: "tool_use", id: "call_b", name: "f_b", input: { y: 2 } },
    ]);
  });

  it("reasoning_content becomes a thinking block", async () => {
    serve("anthropic-chat.stream.reasoning-content");
    const msg = await anthropic().messages.stream(params).finalMessage();
    expect(msg.content.map((b) => b.type)).toEqual(["thinking", "text"]);
  });

  it("a truncated upstream ends in an SDK error, not a clean message", async () => {
    serve("anthropic-chat.stream.truncated");
    await expect(anthropic().messages.stream(params).finalMessage()).rejects.toThrow(/ended early/);
  });

  it("an Anthropic upstream round-trips", async () => {
    serve("anthropic-anthropic.stream.roundtrip");
    const msg = await anthropic().messages.stream(params).finalMessage();
    expect(msg.content[0]).toEqual({
      type: "thinking",
      thinking: "Let me check the weather.",
      signature: "sig-abc",
    });
    expect(msg.content[2]).toEqual({
      type: "tool_use",
      id: "toolu_1",
      name: "get_weather",
      input: { city: "Paris" },
    });
    expect(msg.usage).toMatchObject({
      input_tokens: 20,
      cache_creation_input_tokens: 5,
      cache_read_input_tokens: 100,
      output_tokens: 42,
    });
  });
});

describe("OpenAI SDK ChatCompletionStream accepts our chat stream", () => {
  const params = {
    model: "m",
    messages: [{ role: "user" as const, content: "hi" }],
    stream_options: { include_usage: true },
  };

  it("thinking, text and tool calls from an Anthropic upstream, with usage", async () => {
    serve("chat-anthropic.stream.thinking-text-tools", { includeUsage: true });
    const c = await openai().chat.completions.stream(params).finalChatCompletion();
    const m = c.choices[0]!.message;
    expect(m.content).toBe("Checking é世🎉 now.");
    expect(
      m.tool_calls?.map((t) => (t.type === "function" ? [t.id, t.function.name, t.function.arguments] : [])),
    ).toEqual([
      ["toolu_1", "get_weather", '{"city": "Paris"}'],
      ["toolu_2", "get_time", "{}"],
    ]);
    expect(c.choices[0]!.finish_reason).toBe("tool_calls");
    expect(c.usage).toMatchObject({
      prompt_tokens: 125,
      completion_tokens: 42,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it("a truncated upstream raises an APIError", async () => {
    serve("chat-anthropic.stream.truncated", { includeUsage: true });
    await expect(openai().chat.completions.stream(params).finalChatCompletion()).rejects.toThrow(
      /ended early/,
    );
  });
});

describe("OpenAI SDK ResponseStream accepts our Responses stream", () => {
  const params = { model: "m", input: "hi" };

  it("text and tool calls from a chat upstream", async () => {
    serve("responses-chat.stream.text-tools");
    const r = await openai().responses.stream(params).finalResponse();
    expect(r.output_text).toBe("Let me check.");
    expect(
      r.output
        .filter((o) => o.type === "function_call")
        .map((o) => (o.type === "function_call" ? o.arguments : "")),
    ).toEqual(['{"city":"Paris"}', "{}"]);
    expect(r.usage).toMatchObject({
      input_tokens: 120,
      output_tokens: 30,
      input_tokens_details: { cached_tokens: 100 },
    });
  });

  it("interleaved parallel calls stream live and complete", async () => {
    serve("responses-chat.stream.interleaved-parallel");
    const r = await openai().responses.stream(params).finalResponse();
    expect(r.output.map((o) => (o.type === "function_call" ? o.arguments : o.type))).toEqual([
      '{"x":1}',
      '{"y":2}',
    ]);
  });

  it("reasoning, text and tools from an Anthropic upstream", async () => {
    serve("responses-anthropic.stream.thinking-text-tools");
    const r = await openai().responses.stream(params).finalResponse();
    expect(r.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call", "function_call"]);
    expect(r.output_text).toBe("Checking é世🎉 now.");
  });

  it("a truncated upstream surfaces as an error, never a completed response", async () => {
    serve("responses-chat.stream.truncated");
    const stream = openai().responses.stream(params);
    const types: string[] = [];
    const consumed = (async () => {
      for await (const e of stream) types.push(e.type);
    })();
    await expect(consumed).rejects.toThrow(/ended early/);
    expect(types).not.toContain("response.completed");
  });
});
