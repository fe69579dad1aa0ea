/**
 * The official `@google/genai` SDK as a client of agw (`httpOptions.baseUrl` set to the gateway;
 * the SDK adds `/v1beta/models/{model}:…` itself), against each kind of upstream: an OpenAI
 * chat mock, an Anthropic mock (test/helpers/mock-upstream.ts) and a gemini provider
 * (test/helpers/mock-gemini.ts). Each test checks what the upstream received and what the SDK
 * returned: text, functionCalls, usageMetadata.
 */
import { ApiError, type Content, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockGemini, startMockGemini } from "../helpers/mock-gemini.js";
import { type MockUpstream, type RecordedRequest, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, startFromConfig } from "../server/engine-helpers.js";

const GEMINI_KEY = "AIza-genai-e2e-key";

type Json = Record<string, unknown>;
const bodyOf = (r: RecordedRequest): Json => r.json as Json;

let mock: MockUpstream;
let g: MockGemini;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  mock = await startMockUpstream();
  g = await startMockGemini({ key: GEMINI_KEY });
  const port = await freePort();
  const config: Config = {
    llm: {
      port,
      address: "127.0.0.1",
      providers: [
        {
          name: "oai",
          provider: "openAI",
          baseUrl: `${mock.url}/v1`,
          models: ["gpt-4o"],
          credential: "sk-oai",
        },
        {
          name: "ant",
          provider: "anthropic",
          baseUrl: `${mock.url}/v1`,
          models: ["claude-x"],
          credential: "sk-ant",
        },
        {
          name: "gemini",
          provider: "gemini",
          baseUrl: g.url,
          models: ["gemini-2.5-flash", "gemini-3-pro"],
        },
      ],
      targets: [
        { name: "o", model: "gpt-4o" },
        { name: "a", model: "claude-x" },
        { name: "g", model: "gemini-2.5-flash" },
        { name: "g3", model: "gemini-3-pro" },
      ],
    },
  };
  ({ gateway } = await startFromConfig(config, { env: { GEMINI_API_KEY: GEMINI_KEY } }));
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await gateway.drain(1000);
  await mock.close();
  await g.close();
});

const client = (): GoogleGenAI =>
  new GoogleGenAI({ apiKey: "caller-key", httpOptions: { baseUrl: url, retryOptions: { attempts: 1 } } });

const weatherTool = {
  functionDeclarations: [
    {
      name: "get_weather",
      description: "Weather for a city",
      parameters: {
        type: Type.OBJECT,
        properties: { city: { type: Type.STRING } },
        required: ["city"],
      },
    },
  ],
};

describe("@google/genai → agw → OpenAI chat upstream", () => {
  it("generateContent: text, system instruction and generation config translated; usage back", async () => {
    mock.script({ reply: { text: "bonjour", usage: { input: 7, output: 2 } } });
    const res = await client().models.generateContent({
      model: "gpt-4o",
      contents: "say hello",
      config: {
        systemInstruction: "Be brief.",
        temperature: 0.2,
        maxOutputTokens: 50,
        stopSequences: ["END"],
      },
    });
    expect(res.text).toBe("bonjour");
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 7,
      candidatesTokenCount: 2,
      totalTokenCount: 9,
    });
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer sk-oai");
    expect(req.json).toMatchObject({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "say hello" },
      ],
      temperature: 0.2,
      stop: ["END"],
    });
  });

  it("function declarations and a function call round trip", async () => {
    const ai = client();
    mock.script({
      reply: { toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] },
    });
    const contents: Content[] = [{ role: "user", parts: [{ text: "weather in Paris?" }] }];
    const first = await ai.models.generateContent({
      model: "gpt-4o",
      contents,
      config: { tools: [weatherTool] },
    });
    expect(first.functionCalls).toHaveLength(1);
    expect(first.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    const req1 = await mock.nextRequest();
    expect(bodyOf(req1).tools).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ]);

    const call = first.functionCalls![0]!;
    mock.script({ reply: { text: "sunny in Paris" } });
    const second = await ai.models.generateContent({
      model: "gpt-4o",
      contents: [
        ...contents,
        first.candidates![0]!.content!,
        {
          role: "user",
          parts: [{ functionResponse: { id: call.id, name: "get_weather", response: { output: "sunny" } } }],
        },
      ],
      config: { tools: [weatherTool] },
    });
    expect(second.text).toBe("sunny in Paris");
    const req2 = await mock.nextRequest();
    const messages = bodyOf(req2).messages as Json[];
    expect(messages[1]).toMatchObject({
      role: "assistant",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather" } }],
    });
    expect(
      JSON.parse(((messages[1]!.tool_calls as Json[])[0]!.function as Json).arguments as string),
    ).toEqual({
      city: "Paris",
    });
    expect(messages[2]).toEqual({ role: "tool", tool_call_id: "call_1", content: "sunny" });
  });

  it("structured output: responseMimeType + responseSchema → response_format json_schema", async () => {
    mock.script({ reply: { text: '{"city":"Paris","temp":21}' } });
    const res = await client().models.generateContent({
      model: "gpt-4o",
      contents: "weather as JSON",
      config: {
        responseMimeType: "application/json",
        responseSchema: {
          type: Type.OBJECT,
          properties: { city: { type: Type.STRING }, temp: { type: Type.NUMBER, nullable: true } },
          required: ["city"],
        },
      },
    });
    expect(JSON.parse(res.text ?? "")).toEqual({ city: "Paris", temp: 21 });
    const req = await mock.nextRequest();
    const rf = bodyOf(req).response_format as Json;
    expect(rf.type).toBe("json_schema");
    expect((rf.json_schema as Json).schema).toMatchObject({
      type: "object",
      properties: { city: { type: "string" }, temp: { type: ["number", "null"] } },
      required: ["city"],
    });
  });

  it("structured output: the SDK's int64 bounds (strings) become numbers, a nullable union keeps its null", async () => {
    mock.script({ reply: { text: '["a"]' } });
    await client().models.generateContent({
      model: "gpt-4o",
      contents: "a list as JSON",
      config: {
        responseMimeType: "application/json",
        responseSchema: {
          type: Type.ARRAY,
          minItems: "1",
          maxItems: "3",
          items: { anyOf: [{ type: Type.STRING }, { type: Type.INTEGER }], nullable: true, example: "a" },
        },
      },
    });
    const rf = bodyOf(await mock.nextRequest()).response_format as Json;
    expect((rf.json_schema as Json).schema).toEqual({
      type: "array",
      minItems: 1,
      maxItems: 3,
      items: { anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }], examples: ["a"] },
    });
  });

  it("generateContentStream: text chunks, the last with finishReason and usage", async () => {
    mock.script({ reply: { text: "one two three four", usage: { input: 4, output: 4 } } });
    const stream = await client().models.generateContentStream({ model: "gpt-4o", contents: "count" });
    let text = "";
    let last: { finishReason?: string; usage?: Json } = {};
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      const fr = chunk.candidates?.[0]?.finishReason;
      if (fr !== undefined) last = { finishReason: fr, usage: chunk.usageMetadata as Json };
    }
    expect(text).toBe("one two three four");
    expect(last.finishReason).toBe("STOP");
    expect(last.usage).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 4 });
    const req = await mock.nextRequest();
    expect(req.json).toMatchObject({ model: "gpt-4o", stream: true });
  });

  it("generateContentStream with parallel tool calls whose argument deltas interleave: each functionCall arrives whole", async () => {
    mock.script({
      reply: {
        toolCalls: [
          { id: "c1", name: "get_weather", arguments: { city: "Paris and Rome" } },
          { id: "c2", name: "get_weather", arguments: { city: "Oslo" } },
        ],
        interleaveToolCalls: true,
      },
    });
    const stream = await client().models.generateContentStream({
      model: "gpt-4o",
      contents: "two cities",
      config: { tools: [weatherTool] },
    });
    const calls: Json[] = [];
    for await (const chunk of stream) for (const c of chunk.functionCalls ?? []) calls.push(c as Json);
    expect(calls).toEqual([
      { id: "c1", name: "get_weather", args: { city: "Paris and Rome" } },
      { id: "c2", name: "get_weather", args: { city: "Oslo" } },
    ]);
    await mock.nextRequest();
  });

  it("an upstream 429 is the SDK's ApiError with Google's status", async () => {
    mock.script({ error: { status: 429, format: "openai", message: "slow down" } });
    const err = await client()
      .models.generateContent({ model: "gpt-4o", contents: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).message).toContain("RESOURCE_EXHAUSTED");
    expect((err as ApiError).message).toContain("slow down");
    await mock.nextRequest();
  });

  it("a stream cut by the upstream ends the SDK's iteration with an error, after the text it had", async () => {
    mock.script({ reply: { text: "a b c d e f g h i j k l m n o p" }, fault: { resetAfterBytes: 900 } });
    const stream = await client().models.generateContentStream({ model: "gpt-4o", contents: "long" });
    let text = "";
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.text ?? "";
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(String(err)).toContain("in the middle of the stream");
    expect(text).not.toBe("");
    expect("a b c d e f g h i j k l m n o p".startsWith(text)).toBe(true);
    await mock.nextRequest();
  });

  it("countTokens: estimated by agw", async () => {
    const res = await client().models.countTokens({ model: "gpt-4o", contents: "one two three" });
    expect(res.totalTokens).toBeGreaterThan(0);
  });
});

describe("@google/genai → agw → Anthropic upstream", () => {
  it("generateContent: text, system and max_tokens translated; usage back", async () => {
    mock.script({ reply: { text: "hello", usage: { input: 5, output: 1 } } });
    const res = await client().models.generateContent({
      model: "claude-x",
      contents: "hi",
      config: { systemInstruction: "Be kind.", maxOutputTokens: 64, topP: 0.9 },
    });
    expect(res.text).toBe("hello");
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: 1 });
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/v1/messages");
    expect(req.headers["x-api-key"]).toBe("sk-ant");
    expect(req.json).toMatchObject({
      model: "claude-x",
      max_tokens: 64,
      top_p: 0.9,
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    });
    expect(JSON.stringify(bodyOf(req).system)).toContain("Be kind.");
  });

  it("function declarations and a function call round trip", async () => {
    const ai = client();
    mock.script({
      reply: { toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Oslo" } }] },
    });
    const contents: Content[] = [{ role: "user", parts: [{ text: "weather in Oslo?" }] }];
    const first = await ai.models.generateContent({
      model: "claude-x",
      contents,
      config: { tools: [weatherTool] },
    });
    expect(first.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Oslo" } });
    const req1 = await mock.nextRequest();
    expect(bodyOf(req1).tools).toEqual([
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ]);

    mock.script({ reply: { text: "cold" } });
    const second = await ai.models.generateContent({
      model: "claude-x",
      contents: [
        ...contents,
        first.candidates![0]!.content!,
        // No id: agw pairs the response with the call by name.
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { output: "-3C" } } }] },
      ],
      config: { tools: [weatherTool] },
    });
    expect(second.text).toBe("cold");
    const req2 = await mock.nextRequest();
    const messages = bodyOf(req2).messages as Json[];
    expect(messages[1]).toMatchObject({
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } }],
    });
    expect(messages[2]).toMatchObject({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "-3C" }],
    });
  });

  it("structured output: responseJsonSchema reaches Anthropic as output_config.format", async () => {
    mock.script({ reply: { text: '{"ok":true}' } });
    const res = await client().models.generateContent({
      model: "claude-x",
      contents: "answer as JSON",
      config: {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      },
    });
    expect(JSON.parse(res.text ?? "")).toEqual({ ok: true });
    const req = await mock.nextRequest();
    expect(bodyOf(req).output_config).toMatchObject({
      format: {
        type: "json_schema",
        schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      },
    });
  });

  it("generateContentStream with a function call", async () => {
    mock.script({
      reply: {
        text: "checking",
        toolCalls: [{ id: "toolu_2", name: "get_weather", arguments: { city: "Rome" } }],
      },
    });
    const stream = await client().models.generateContentStream({
      model: "claude-x",
      contents: "weather in Rome?",
      config: { tools: [weatherTool] },
    });
    let text = "";
    const calls: Json[] = [];
    let usage: Json | undefined;
    let finish: string | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      for (const c of chunk.functionCalls ?? []) calls.push(c as Json);
      if (chunk.candidates?.[0]?.finishReason !== undefined) {
        finish = chunk.candidates[0].finishReason;
        usage = chunk.usageMetadata as Json;
      }
    }
    expect(text).toBe("checking");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "get_weather", args: { city: "Rome" } });
    expect(finish).toBe("STOP");
    expect(usage?.candidatesTokenCount).toBeGreaterThan(0);
    const req = await mock.nextRequest();
    expect(req.json).toMatchObject({ model: "claude-x", stream: true });
  });

  it("thinking: the thought comes back with its signature as thoughtSignature, and a chat returns it to Anthropic", async () => {
    const config = {
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
      tools: [{ functionDeclarations: [{ name: "lookup" }] }],
    };
    for (const stream of [false, true]) {
      const chat = client().chats.create({ model: "claude-x", config });
      mock.script({
        reply: {
          thinking: "need to look it up",
          signature: "SIG-abc",
          toolCalls: [{ id: "toolu_t", name: "lookup", arguments: {} }],
          usage: { input: 4, output: 12 },
        },
      });
      const parts: Json[] = [];
      if (stream) {
        for await (const c of await chat.sendMessageStream({ message: "q" }))
          parts.push(...((c.candidates?.[0]?.content?.parts ?? []) as Json[]));
      } else {
        const r = await chat.sendMessage({ message: "q" });
        expect(r.candidates?.[0]?.content?.parts?.[0]).toEqual({
          text: "need to look it up",
          thought: true,
          thoughtSignature: "SIG-abc",
        });
        parts.push(...((r.candidates?.[0]?.content?.parts ?? []) as Json[]));
      }
      const thought = parts.filter((p) => p.thought === true);
      expect(thought.map((p) => p.text).join("")).toBe("need to look it up");
      expect(thought.at(-1)?.thoughtSignature).toBe("SIG-abc");
      expect(bodyOf(await mock.nextRequest()).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });

      mock.script({ reply: { text: "found" } });
      const message = [{ functionResponse: { id: "toolu_t", name: "lookup", response: { output: "x" } } }];
      if (stream) for await (const _ of await chat.sendMessageStream({ message }));
      else expect((await chat.sendMessage({ message })).text).toBe("found");
      const sent = bodyOf(await mock.nextRequest());
      expect(sent.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
      expect((sent.messages as Json[])[1]).toEqual({
        role: "assistant",
        content: [
          { type: "thinking", thinking: "need to look it up", signature: "SIG-abc" },
          { type: "tool_use", id: "toolu_t", name: "lookup", input: {} },
        ],
      });
    }
  });

  it("countTokens: estimated by agw", async () => {
    const res = await client().models.countTokens({ model: "claude-x", contents: "one two three" });
    expect(res.totalTokens).toBeGreaterThan(0);
  });
});

describe("@google/genai → agw → gemini provider", () => {
  it("generateContent: rebuilt for the URL with the managed key; text and usage back", async () => {
    g.script({ parts: [{ text: "ciao" }], usage: { prompt: 3, candidates: 1, thoughts: 2 } });
    const res = await client().models.generateContent({
      model: "gemini-2.5-flash",
      contents: "hello",
      config: { systemInstruction: "Be brief.", temperature: 0.5, thinkingConfig: { thinkingBudget: 1024 } },
    });
    expect(res.text).toBe("ciao");
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 1,
      thoughtsTokenCount: 2,
    });
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(req.json).toMatchObject({
      contents: [{ role: "user", parts: [{ text: "hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.5, thinkingConfig: { thinkingBudget: 1024 } },
    });
    expect(req.json.model).toBeUndefined();
  });

  it("function declarations and a function call round trip (the call has no id upstream)", async () => {
    const ai = client();
    g.script({
      parts: [{ functionCall: { name: "get_weather", args: { city: "Lima" } } }],
      finishReason: "STOP",
    });
    const contents: Content[] = [{ role: "user", parts: [{ text: "weather in Lima?" }] }];
    const first = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents,
      config: { tools: [weatherTool] },
    });
    expect(first.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Lima" } });
    const req1 = g.requests.at(-1)!;
    expect(JSON.stringify(req1.json.tools)).toContain('"name":"get_weather"');

    g.script({ parts: [{ text: "warm" }] });
    const call = first.functionCalls![0]!;
    const second = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: [
        ...contents,
        first.candidates![0]!.content!,
        {
          role: "user",
          parts: [{ functionResponse: { id: call.id, name: "get_weather", response: { output: "25C" } } }],
        },
      ],
      config: { tools: [weatherTool] },
    });
    expect(second.text).toBe("warm");
    const sent = g.requests.at(-1)!.json.contents as Array<{ role: string; parts: Json[] }>;
    expect(sent[1]).toMatchObject({
      role: "model",
      parts: [{ functionCall: { name: "get_weather", args: { city: "Lima" } } }],
    });
    expect(sent[2]).toMatchObject({
      role: "user",
      parts: [{ functionResponse: { name: "get_weather" } }],
    });
  });

  it("structured output: the schema reaches Gemini", async () => {
    g.script({ parts: [{ text: '{"n":1}' }] });
    const res = await client().models.generateContent({
      model: "gemini-2.5-flash",
      contents: "a number as JSON",
      config: {
        responseMimeType: "application/json",
        responseSchema: { type: Type.OBJECT, properties: { n: { type: Type.INTEGER } } },
      },
    });
    expect(JSON.parse(res.text ?? "")).toEqual({ n: 1 });
    const gc = g.requests.at(-1)!.json.generationConfig as Json;
    // The OpenAPI-subset schema travels as its JSON Schema equivalent, which Gemini accepts too.
    expect(gc).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { n: { type: "integer" } } },
    });
  });

  it("generateContentStream: the text arrives whole, the last chunk has finishReason and usage", async () => {
    g.script({ parts: [{ text: "alpha beta gamma delta" }], usage: { prompt: 2, candidates: 4 }, every: 3 });
    const stream = await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "go" });
    let text = "";
    let finish: string | undefined;
    let usage: Json | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      if (chunk.candidates?.[0]?.finishReason !== undefined) {
        finish = chunk.candidates[0].finishReason;
        usage = chunk.usageMetadata as Json;
      }
    }
    expect(text).toBe("alpha beta gamma delta");
    expect(finish).toBe("STOP");
    expect(usage).toMatchObject({ promptTokenCount: 2, candidatesTokenCount: 4 });
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(req.stream).toBe(true);
  });

  it("a Gemini 3 chat, streamed: the call's thoughtSignature goes back, the streamed model turns as one", async () => {
    const chat = client().chats.create({
      model: "gemini-3-pro",
      config: { tools: [{ functionDeclarations: [{ name: "f" }] }] },
    });
    g.script({
      parts: [
        { text: "thinking out loud", thought: true },
        { text: "let me check" },
        { functionCall: { name: "f", args: {} }, thoughtSignature: "R1NJRw==" },
      ],
    });
    const calls: Json[] = [];
    for await (const c of await chat.sendMessageStream({ message: "q" }))
      for (const p of c.candidates?.[0]?.content?.parts ?? [])
        if (p.functionCall !== undefined) calls.push(p as Json);
    expect(calls).toEqual([{ functionCall: { name: "f", args: {} }, thoughtSignature: "R1NJRw==" }]);

    g.script({ parts: [{ text: "done" }] });
    let text = "";
    for await (const c of await chat.sendMessageStream({
      message: [{ functionResponse: { name: "f", response: { output: "ok" } } }],
    }))
      text += c.text ?? "";
    expect(text).toBe("done");
    const contents = g.requests.at(-1)!.json.contents as Array<{ role: string; parts: Json[] }>;
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    expect(contents[1]!.parts.at(-1)).toEqual({
      functionCall: { name: "f", args: {} },
      thoughtSignature: "R1NJRw==",
    });
  });

  it("countTokens: forwarded to Gemini", async () => {
    const res = await client().models.countTokens({ model: "gemini-2.5-flash", contents: "one two three" });
    expect(res.totalTokens).toBe(3);
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:countTokens");
    expect(req.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
  });
});

describe("@google/genai models.list", () => {
  it("GET /v1beta/models lists the configured models in Gemini's shape", async () => {
    const names: string[] = [];
    for await (const m of await client().models.list()) names.push(m.name ?? "");
    expect(names).toEqual(
      expect.arrayContaining(["models/gpt-4o", "models/claude-x", "models/gemini-2.5-flash"]),
    );
  });
});

describe("@google/genai models.get", () => {
  it("GET /v1beta/models/{model} answers a served model, and Gemini's 404 for another", async () => {
    const m = await client().models.get({ model: "claude-x" });
    expect(m.name).toBe("models/claude-x");
    expect(m.displayName).toBe("claude-x");
    const missing = await client()
      .models.get({ model: "not-configured" })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Error);
    expect(String((missing as Error).message)).toContain("NOT_FOUND");
  });
});
