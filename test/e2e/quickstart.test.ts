/**
 * examples/quickstart.yaml as a user runs it: no keys, no network. The built-in mock
 * provider answers the three client APIs, streamed and not, through the gateway's default
 * pipeline; the official SDKs are the clients.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigFile } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { captureLogs } from "../server/engine-helpers.js";

let gateway: Gateway;
let openai: OpenAI;
let anthropic: Anthropic;
let url: string;

beforeAll(async () => {
  const loaded = await loadConfigFile("examples/quickstart.yaml", {});
  if (!loaded.ok) throw new Error("quickstart.yaml did not load");
  // Port 0: the file's port may be busy on a test machine.
  const config: Config = { ...loaded.config, llm: { ...loaded.config.llm, port: 0 } };
  gateway = await startGateway({ runtime: compileConfig(config, { env: {} }), logger: captureLogs().logger });
  const port = [...gateway.addresses().values()][0]!.port;
  url = `http://127.0.0.1:${port}`;
  openai = new OpenAI({ apiKey: "unused", baseURL: `${url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: "unused", baseURL: url, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.drain(1000);
});

const tool = {
  name: "lookup",
  description: "Look something up",
  parameters: { type: "object" as const, properties: { q: { type: "string" } }, required: ["q"] },
};

describe("quickstart: the mock provider answers offline", () => {
  it("chat completions, JSON and streamed", async () => {
    const r = await openai.chat.completions.create({
      model: "any-model",
      messages: [{ role: "user", content: "Hello there" }],
    });
    expect(r.choices[0]?.message.content).toBe("This is a mock reply to: Hello there");
    expect(r.model).toBe("any-model");
    expect(r.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 8 });
    const s = openai.chat.completions.stream({
      model: "m",
      messages: [{ role: "user", content: "Hello there" }],
    });
    expect((await s.finalChatCompletion()).choices[0]?.message.content).toBe(
      "This is a mock reply to: Hello there",
    );
  });

  it("chat completions with tools: the first tool is called with its required arguments", async () => {
    const s = openai.chat.completions.stream({
      model: "m",
      messages: [{ role: "user", content: "find it" }],
      tools: [{ type: "function", function: tool }],
    });
    const final = await s.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(
      call?.type === "function" ? [call.function.name, JSON.parse(call.function.arguments)] : [],
    ).toEqual(["lookup", { q: "mock" }]);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("messages, JSON and streamed", async () => {
    const r = await anthropic.messages.create({
      model: "claude-any",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.content).toEqual([{ type: "text", text: "This is a mock reply to: Hi" }]);
    const s = anthropic.messages.stream({
      model: "claude-any",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
      tools: [{ name: tool.name, input_schema: tool.parameters }],
    });
    const final = await s.finalMessage();
    expect(final.content).toEqual([
      { type: "tool_use", id: expect.any(String), name: "lookup", input: { q: "mock" } },
    ]);
    expect(final.stop_reason).toBe("tool_use");
  });

  it("responses, JSON and streamed", async () => {
    const r = await openai.responses.create({ model: "m", input: "Hey" });
    expect(r.output_text).toBe("This is a mock reply to: Hey");
    const s = openai.responses.stream({ model: "m", input: "Hey" });
    const final = await s.finalResponse();
    expect(final.output_text).toBe("This is a mock reply to: Hey");
    expect(final.status).toBe("completed");
  });

  it("count_tokens is answered by word count", async () => {
    const r = await anthropic.messages.countTokens({
      model: "m",
      messages: [{ role: "user", content: "one two three" }],
    });
    expect(r.input_tokens).toBe(3);
  });

  it("max_tokens cuts the reply and says so", async () => {
    const r = await openai.chat.completions.create({
      model: "m",
      max_tokens: 3,
      messages: [{ role: "user", content: "a b c d" }],
    });
    expect(r.choices[0]?.message.content).toBe("This is a");
    expect(r.choices[0]?.finish_reason).toBe("length");
  });
});
