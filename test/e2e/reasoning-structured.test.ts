/**
 * Structured output, reasoning effort, thinking with tool turns and usage accounting across
 * formats (issue 17 items 1, 2, 3, 5), end to end: the official SDKs and the Vercel AI SDK against
 * agw in front of the mock upstream, which records what it received.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, tool } from "ai";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RecordedRequest } from "../helpers/mock-upstream.js";
import { CALLER_KEY, GATEWAY_KEY, type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    models: (baseUrl) => [
      // The requested Claude name goes upstream as is, so the model table applies to it.
      { name: "claude-*", provider: "anthropic", params: { baseUrl } },
      {
        name: "capped-*",
        provider: "anthropic",
        params: { baseUrl, model: "claude-sonnet-4-5", maxOutputTokens: 10000 },
      },
    ],
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.mock.reset();
});

type Json = Record<string, unknown>;
const bodyOf = (r: RecordedRequest): Json => r.json as Json;
const headers = { "x-agw-authorization": `Bearer ${GATEWAY_KEY}` };
const closed = {
  type: "object",
  properties: { answer: { type: "string" } },
  required: ["answer"],
  additionalProperties: false,
};

describe("structured output", () => {
  it("chat json_schema → Anthropic: output_config.format, objects closed, the answer is the JSON text", async () => {
    const handle = h.mock.script({ reply: { text: '{"answer":"42","detail":{"unit":"none"}}' } });
    const r = await h.openai.chat.completions.create({
      model: "ant-so",
      messages: [{ role: "user", content: "6 x 7?" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: {
            type: "object",
            properties: {
              answer: { type: "string" },
              detail: { type: "object", properties: { unit: { type: "string" } } },
            },
            required: ["answer"],
          },
        },
      },
    });
    expect(JSON.parse(r.choices[0]?.message.content ?? "")).toEqual({
      answer: "42",
      detail: { unit: "none" },
    });
    const body = bodyOf(await handle.request);
    expect(body.output_config).toEqual({
      format: {
        type: "json_schema",
        schema: {
          type: "object",
          properties: {
            answer: { type: "string" },
            detail: { type: "object", properties: { unit: { type: "string" } }, additionalProperties: false },
          },
          required: ["answer"],
          additionalProperties: false,
        },
      },
    });
  });

  it("a schema keyword Anthropic cannot enforce: 400 naming it, nothing sent upstream", async () => {
    const before = h.mock.requests.length;
    const err = await h.openai.chat.completions
      .create({
        model: "ant-so",
        messages: [{ role: "user", content: "age?" }],
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "age",
            schema: {
              type: "object",
              properties: { age: { type: "integer", minimum: 0 } },
              required: ["age"],
            },
          },
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      "`minimum` at schema.properties.age",
    );
    expect(h.mock.requests.length).toBe(before);
  });

  it("openai parse() with a zod int(): its safe-integer bounds are not refused", async () => {
    const handle = h.mock.script({ reply: { text: '{"age":36}' } });
    const r = await h.openai.chat.completions.parse({
      model: "ant-so",
      messages: [{ role: "user", content: "How old?" }],
      response_format: zodResponseFormat(z.object({ age: z.int() }), "age"),
    });
    expect(r.choices[0]?.message.parsed).toEqual({ age: 36 });
    const oc = bodyOf(await handle.request).output_config as { format: { schema: Json } };
    expect(oc.format.schema.properties).toEqual({ age: { type: "integer" } });
  });

  it("json_object → Anthropic: asked for in the system prompt", async () => {
    const handle = h.mock.script({ reply: { text: '{"hi":1}' } });
    await h.openai.chat.completions.create({
      model: "ant-so",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "json please" },
      ],
      response_format: { type: "json_object" },
    });
    const body = bodyOf(await handle.request);
    expect(body.output_config).toBeUndefined();
    expect(JSON.stringify(body.system)).toContain("Respond with a single JSON object");
  });

  it("Responses text.format → Anthropic, streamed: output_config.format, JSON text deltas", async () => {
    const handle = h.mock.script({ reply: { text: '{"answer":"42"}' } });
    const stream = h.openai.responses.stream({
      model: "ant-so",
      input: "6 x 7?",
      text: { format: { type: "json_schema", name: "answer", schema: closed, strict: true } },
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('{"answer":"42"}');
    expect(bodyOf(await handle.request).output_config).toEqual({
      format: { type: "json_schema", schema: closed },
    });
  });

  it("Messages output_config.format → Chat upstream: response_format json_schema named output", async () => {
    const handle = h.mock.script({ reply: { text: '{"answer":"42"}' } });
    const msg = await h.anthropic.messages.create({
      model: "oaichat-so",
      max_tokens: 100,
      messages: [{ role: "user", content: "6 x 7?" }],
      output_config: { format: { type: "json_schema", schema: closed } },
    } as Parameters<typeof h.anthropic.messages.create>[0] & { stream?: false });
    expect(msg.content[0]).toMatchObject({ type: "text", text: '{"answer":"42"}' });
    expect(bodyOf(await handle.request).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema: closed },
    });
  });
});

describe("reasoning effort", () => {
  it("Claude Code's adaptive thinking + output_config.effort → Chat upstream reasoning_effort", async () => {
    const handle = h.mock.script({ reply: { text: "planned" } });
    const stream = h.anthropic.messages.stream({
      model: "oaichat-effort",
      max_tokens: 32000,
      messages: [{ role: "user", content: "Plan." }],
      thinking: { type: "adaptive" },
      output_config: { effort: "medium" },
    } as Parameters<typeof h.anthropic.messages.stream>[0]);
    expect((await stream.finalMessage()).content[0]).toMatchObject({ text: "planned" });
    const body = bodyOf(await handle.request);
    expect(body.reasoning_effort).toBe("medium");
    expect(body.thinking).toBeUndefined();
    expect(body.output_config).toBeUndefined();
  });

  it.each([
    ["claude-sonnet-4-6", "minimal", { type: "adaptive" }, { effort: "low" }],
    ["claude-opus-4-6", "xhigh", { type: "adaptive" }, { effort: "max" }],
    ["claude-sonnet-4-5", "medium", { type: "enabled", budget_tokens: 8192 }, undefined],
    ["claude-sonnet-4-6", "none", { type: "disabled" }, undefined],
  ])("%s with reasoning_effort %s → thinking %j, output_config %j", async (model, effort, thinking, oc) => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Think." }],
      reasoning_effort: effort as "low",
    });
    const body = bodyOf(await handle.request);
    expect(body.thinking).toEqual(thinking);
    expect(body.output_config).toEqual(oc);
  });

  it("Responses reasoning.effort → claude-opus-4-6: adaptive thinking with that effort, max_tokens within the cap", async () => {
    const handle = h.mock.script({ reply: { thinking: "hm", text: "ok" } });
    const r = await h.openai.responses.create({
      model: "claude-opus-4-6",
      input: "Think.",
      reasoning: { effort: "high" },
    });
    expect(r.output_text).toBe("ok");
    const body = bodyOf(await handle.request);
    expect(body.thinking).toEqual({ type: "adaptive" });
    expect(body.output_config).toEqual({ effort: "high" });
    expect(body.max_tokens).toBe(4096 + 24576);
  });

  it("a derived max_tokens stays within the family's cap (claude-opus-4-1: 32000)", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai.chat.completions.create({
      model: "claude-opus-4-1-20250805",
      messages: [{ role: "user", content: "Think hard." }],
      reasoning_effort: "xhigh",
    });
    const body = bodyOf(await handle.request);
    expect(body.max_tokens).toBe(32000);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 31999 });
  });

  it("llm.models[].params.maxOutputTokens overrides the table", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai.chat.completions.create({
      model: "capped-x",
      messages: [{ role: "user", content: "Think hard." }],
      reasoning_effort: "high",
    });
    const body = bodyOf(await handle.request);
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(body.max_tokens).toBe(10000);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 9999 });
  });
});

describe("thinking with tool turns", () => {
  it("AI SDK tool loop with reasoningEffort → Anthropic: thinking on turn 1, left out (and logged) on turn 2", async () => {
    const first = h.mock.script({
      reply: {
        thinking: "Need the tool.",
        toolCalls: [{ id: "toolu_t1", name: "get_weather", arguments: { city: "Oslo" } }],
      },
    });
    const second = h.mock.script({ reply: { text: "Cold in Oslo." } });
    const openai = createOpenAI({ baseURL: `${h.url}/v1`, apiKey: CALLER_KEY, headers });
    const r = await generateText({
      model: openai.chat("claude-sonnet-4-5"),
      prompt: "Weather in Oslo?",
      tools: {
        get_weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `Cold in ${city}`,
        }),
      },
      providerOptions: { openai: { reasoningEffort: "high" } },
      stopWhen: stepCountIs(3),
    });
    expect(r.text).toBe("Cold in Oslo.");
    expect(bodyOf(await first.request).thinking).toEqual({ type: "enabled", budget_tokens: 24576 });
    const turn2 = bodyOf(await second.request);
    expect(turn2.thinking).toBeUndefined();
    expect(JSON.stringify(turn2.messages)).toContain("toolu_t1");
    const line = h.debug.find(
      (l) =>
        l.msg === "fields dropped in translation" &&
        JSON.stringify(l.dropped).includes("no signed thinking block"),
    );
    expect(line).toBeDefined();
  });
});

describe("thinking with tool turns, Chat client that sends the message back as it came", () => {
  it("openai SDK: the answer's thinking_blocks carry the signature, and thinking stays on for turn 2", async () => {
    h.mock.script({
      reply: {
        thinking: "Need the tool.",
        signature: "sig-rome",
        toolCalls: [{ id: "toolu_c1", name: "get_weather", arguments: { city: "Rome" } }],
      },
    });
    const second = h.mock.script({ reply: { text: "Warm in Rome." } });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Rome?" }];
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const r1 = await h.openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages,
      tools,
      reasoning_effort: "low",
    });
    const m1 = r1.choices[0]!.message;
    expect((m1 as unknown as Json).thinking_blocks).toEqual([
      { type: "thinking", thinking: "Need the tool.", signature: "sig-rome" },
    ]);
    messages.push(m1, { role: "tool", tool_call_id: "toolu_c1", content: "Warm" });
    const r2 = await h.openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages,
      tools,
      reasoning_effort: "low",
    });
    expect(r2.choices[0]?.message.content).toBe("Warm in Rome.");
    const turn2 = bodyOf(await second.request);
    expect(turn2.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const assistant = (turn2.messages as Json[]).find((m) => m.role === "assistant");
    expect((assistant?.content as Json[] | undefined)?.[0]).toEqual({
      type: "thinking",
      thinking: "Need the tool.",
      signature: "sig-rome",
    });
  });
});

describe("thinking with tool turns, streamed Chat client", () => {
  it("openai SDK stream(): finalChatCompletion carries thinking_blocks, sent back they keep thinking on", async () => {
    h.mock.script({
      reply: {
        thinking: "Need the tool.",
        signature: "sig-bern",
        toolCalls: [{ id: "toolu_s1", name: "get_weather", arguments: { city: "Bern" } }],
      },
    });
    const second = h.mock.script({ reply: { text: "Mild in Bern." } });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Bern?" }];
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const final = await h.openai.chat.completions
      .stream({ model: "claude-sonnet-4-5", messages, tools, reasoning_effort: "low" })
      .finalChatCompletion();
    const m1 = final.choices[0]!.message;
    expect((m1 as unknown as Json).thinking_blocks).toEqual([
      { type: "thinking", thinking: "Need the tool.", signature: "sig-bern" },
    ]);
    messages.push(m1 as OpenAI.ChatCompletionMessageParam, {
      role: "tool",
      tool_call_id: "toolu_s1",
      content: "Mild",
    });
    await h.openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages,
      tools,
      reasoning_effort: "low",
    });
    const turn2 = bodyOf(await second.request);
    expect(turn2.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const assistant = (turn2.messages as Json[]).find((m) => m.role === "assistant");
    expect((assistant?.content as Json[] | undefined)?.[0]).toMatchObject({
      type: "thinking",
      signature: "sig-bern",
    });
  });
});

describe("thinking with tool turns, Responses client", () => {
  it("AI SDK Responses with store: false hands the signed reasoning back: thinking stays on for turn 2", async () => {
    const first = h.mock.script({
      reply: {
        thinking: "Need the tool.",
        signature: "sig-oslo",
        toolCalls: [{ id: "toolu_r1", name: "get_weather", arguments: { city: "Oslo" } }],
      },
    });
    const second = h.mock.script({ reply: { text: "Cold in Oslo." } });
    const openai = createOpenAI({ baseURL: `${h.url}/v1`, apiKey: CALLER_KEY, headers });
    const r = await generateText({
      model: openai.responses("claude-sonnet-4-5"),
      prompt: "Weather in Oslo?",
      tools: {
        get_weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `Cold in ${city}`,
        }),
      },
      providerOptions: { openai: { reasoningEffort: "low", store: false, forceReasoning: true } },
      stopWhen: stepCountIs(3),
    });
    expect(r.text).toBe("Cold in Oslo.");
    expect(bodyOf(await first.request).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const turn2 = bodyOf(await second.request);
    expect(turn2.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const assistant = (turn2.messages as Json[]).find((m) => m.role === "assistant");
    expect((assistant?.content as Json[] | undefined)?.[0]).toMatchObject({
      type: "thinking",
      signature: "sig-oslo",
    });
  });
});

describe("usage accounting", () => {
  const cacheWrite = {
    prompt_tokens: 1200,
    completion_tokens: 20,
    total_tokens: 1220,
    prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 900 },
  };

  it("Chat upstream cache_write_tokens → Messages cache_creation_input_tokens, not input", async () => {
    h.mock.script({
      json: {
        id: "chatcmpl-cw",
        object: "chat.completion",
        created: 1700000000,
        model: "gpt-upstream",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: cacheWrite,
      },
    });
    const msg = await h.anthropic.messages.create({
      model: "oaichat-usage",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(msg.usage).toMatchObject({
      input_tokens: 100,
      cache_creation_input_tokens: 900,
      cache_read_input_tokens: 200,
      output_tokens: 20,
    });
  });

  it("streamed: the final usage carries the cache write", async () => {
    const chunk = (extra: Json) =>
      ({
        data: JSON.stringify({
          id: "chatcmpl-cw",
          object: "chat.completion.chunk",
          created: 1700000000,
          model: "gpt-upstream",
          ...extra,
        }),
      }) as const;
    h.mock.script({
      events: [
        chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }] }),
        chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
        chunk({ choices: [], usage: cacheWrite }),
        { data: "[DONE]" },
      ],
    });
    const final = await h.anthropic.messages
      .stream({ model: "oaichat-usage", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    expect(final.usage).toMatchObject({
      input_tokens: 100,
      cache_creation_input_tokens: 900,
      output_tokens: 20,
    });
  });

  it("a Gemini-shaped total (not prompt + completion) reaches a Responses client as sent", async () => {
    h.mock.script({
      json: {
        id: "chatcmpl-g",
        object: "chat.completion",
        created: 1700000000,
        model: "gemini-2.5-flash",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 40 },
      },
    });
    const r = await h.openai.responses.create({ model: "oaichat-usage", input: "hi" });
    expect(r.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, total_tokens: 40 });
  });
});
