/**
 * provider: gemini end to end: the official OpenAI and Anthropic SDKs as clients of agw, a
 * loopback Gemini mock (test/helpers/mock-gemini.ts) as the upstream, checking the key the way
 * Google does. Requests reach /v1beta/models/{model}:generateContent (or
 * :streamGenerateContent?alt=sse) with the key from env::GEMINI_API_KEY in x-goog-api-key.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type MockGemini, startMockGemini } from "../../helpers/mock-gemini.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";
import { routerOf } from "../routing/helpers.js";

const KEY = "AIza-test-key-0123456789";
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("provider: gemini resolves with nothing but its name", () => {
  it("the public URL with the model in the path, the key in x-goog-api-key from env::GEMINI_API_KEY", () => {
    const yaml =
      "llm:\n  providers:\n    - name: gemini\n      provider: gemini\n      models: [gemini-2.5-flash]\n  targets:\n    - name: t\n      model: gemini-2.5-flash\n";
    const router = routerOf(yaml, { GEMINI_API_KEY: KEY });
    const text = explainResolution(router.describe("gemini-2.5-flash"), {
      path: "/v1/chat/completions",
      routeTypes: compileRouteTypes(LLM_DEFAULT_ROUTES),
    });
    expect(text).toContain(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
    );
    expect(text).toContain("(sent as x-goog-api-key)");
    expect(text).toContain("env::GEMINI_API_KEY");
    expect(text).not.toContain(KEY);
  });
});

describe("the Gemini mock checks the key as Google does", () => {
  let g: MockGemini;
  beforeAll(async () => {
    g = await startMockGemini({ key: KEY });
  });
  afterAll(() => g.close());

  it("no key: 403 PERMISSION_DENIED; a wrong key: 400 API_KEY_INVALID, in Google's envelope", async () => {
    const url = `${g.url}/v1beta/models/m:generateContent`;
    const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
    const none = await fetch(url, { method: "POST", body });
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: { status: string } }).error.status).toBe("PERMISSION_DENIED");
    const wrong = await fetch(url, { method: "POST", body, headers: { "x-goog-api-key": "nope" } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await wrong.json())).toContain("API_KEY_INVALID");
  });
});

describe("OpenAI and Anthropic clients to a gemini provider", () => {
  let g: MockGemini;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    g = await startMockGemini({ key: KEY });
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          {
            name: "gemini",
            provider: "gemini",
            baseUrl: g.url,
            models: ["gemini-2.5-flash", "gemini-3-pro"],
          },
          {
            name: "gbad",
            provider: "gemini",
            baseUrl: g.url,
            models: ["gemini-bad"],
            credential: "wrong-key",
          },
        ],
        targets: [
          { name: "t", model: "gemini-2.5-flash" },
          { name: "t3", model: "gemini-3-pro" },
          { name: "b", model: "gemini-bad" },
        ],
      },
    };
    ({ gateway } = await startFromConfig(config, { env: { GEMINI_API_KEY: KEY } }));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.drain(1000);
    await g.close();
  });
  const openai = (): OpenAI => new OpenAI({ apiKey: "caller", baseURL: `${url}/v1`, maxRetries: 0 });
  const anthropic = (): Anthropic => new Anthropic({ apiKey: "caller", baseURL: url, maxRetries: 0 });

  it("chat with tools: a functionCall without id comes back with a minted id, and the tool result goes back by name", async () => {
    g.script({
      parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }],
      usage: { prompt: 12, candidates: 5, cached: 4 },
    });
    const first = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
      ],
      tools: [weather],
      tool_choice: "required",
    });
    const req1 = g.requests.at(-1)!;
    expect(req1.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req1.headers["x-goog-api-key"]).toBe(KEY);
    expect(req1.headers.authorization).toBeUndefined();
    expect(req1.json.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
    expect(req1.json.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(req1.json.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parametersJsonSchema: weather.function.parameters,
          },
        ],
      },
    ]);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.id).toMatch(/^call_gm_/);
    expect(first.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(4);

    g.script({ parts: [{ text: "It is 21 degrees." }] });
    const second = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [
        { role: "user", content: "Weather in Paris?" },
        choice.message,
        { role: "tool", tool_call_id: call.id, content: '{"temp":21}' },
      ],
      tools: [weather],
    });
    expect(second.choices[0]!.message.content).toBe("It is 21 degrees.");
    const contents = g.requests.at(-1)!.json.contents as Array<{ role: string; parts: unknown[] }>;
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    expect(contents[1]!.parts).toEqual([{ functionCall: { name: "get_weather", args: { city: "Paris" } } }]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: "get_weather", response: { temp: 21 } } },
    ]);
  });

  it("Gemini 3's thought signature rides in the call id and comes back on the functionCall (OpenAI and Anthropic clients)", async () => {
    const sig = "EuYBCuMBAdHtim+/9Q==";
    g.script({
      parts: [{ functionCall: { name: "get_weather", args: { city: "Oslo" } }, thoughtSignature: sig }],
    });
    const first = await openai().chat.completions.create({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: "Oslo?" }],
      tools: [weather],
    });
    const msg = first.choices[0]!.message;
    const id = msg.tool_calls![0]!.id;
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    g.script({ parts: [{ text: "Cold." }] });
    const second = await openai().chat.completions.create({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: "Oslo?" }, msg, { role: "tool", tool_call_id: id, content: "-3C" }],
      tools: [weather],
    });
    expect(second.choices[0]!.message.content).toBe("Cold.");
    const model = (g.requests.at(-1)!.json.contents as Array<{ parts: Array<Record<string, unknown>> }>)[1]!;
    expect(model.parts[0]).toEqual({
      functionCall: { name: "get_weather", args: { city: "Oslo" } },
      thoughtSignature: sig,
    });

    g.script({ parts: [{ functionCall: { name: "lookup", args: {} }, thoughtSignature: sig }], every: 4 });
    const tools = [{ name: "lookup", input_schema: { type: "object" as const, properties: {} } }];
    const m1 = await anthropic()
      .messages.stream({
        model: "gemini-3-pro",
        max_tokens: 50,
        tools,
        messages: [{ role: "user", content: "go" }],
      })
      .finalMessage();
    const use = m1.content.find((b) => b.type === "tool_use")!;
    g.script({ parts: [{ text: "done" }] });
    const m2 = await anthropic().messages.create({
      model: "gemini-3-pro",
      max_tokens: 50,
      tools,
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: m1.content },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: use.type === "tool_use" ? use.id : "", content: "ok" },
          ],
        },
      ],
    });
    expect(m2.content[0]).toMatchObject({ type: "text", text: "done" });
  });

  it("a Gemini 3 history whose call lost its signature is Google's 400, in the caller's envelope", async () => {
    const err = await openai()
      .chat.completions.create({
        model: "gemini-3-pro",
        messages: [
          { role: "user", content: "Oslo?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_x", type: "function", function: { name: "get_weather", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "call_x", content: "-3C" },
        ],
        tools: [weather],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String(err)).toContain("thought_signature");
  });

  it("chat stream split every 3 bytes (mid-character too): the text, the finish and the usage arrive whole", async () => {
    const text = "Grüße aus Köln, schön hier — ça va? 你好";
    g.script({ parts: [{ text }], usage: { prompt: 7, candidates: 9, thoughts: 2 }, every: 3 });
    const stream = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let got = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      got += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(got).toBe(text);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 11, total_tokens: 18 });
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(2);
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(req.json.stream).toBeUndefined();
  });

  it("chat stream with a tool call", async () => {
    g.script({
      parts: [{ text: "Checking." }, { functionCall: { name: "get_weather", args: { city: "Rome" } } }],
      every: 2,
    });
    const stream = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Rome?" }],
      tools: [weather],
      stream: true,
    });
    let args = "";
    let name = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += tc.function?.name ?? "";
        args += tc.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ city: "Rome" });
    expect(finish).toBe("tool_calls");
  });

  it("messages with tools, streamed: a tool_use block and stop_reason tool_use", async () => {
    g.script({ parts: [{ functionCall: { name: "lookup", args: { q: "agw" } } }], every: 1 });
    const stream = anthropic().messages.stream({
      model: "gemini-2.5-flash",
      max_tokens: 200,
      tools: [
        {
          name: "lookup",
          description: "Look up",
          input_schema: { type: "object", properties: { q: { type: "string" } } },
        },
      ],
      messages: [{ role: "user", content: "Find agw" }],
    });
    const msg = await stream.finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content[0]).toMatchObject({ type: "tool_use", name: "lookup", input: { q: "agw" } });
    const req = g.requests.at(-1)!;
    expect(req.json.generationConfig).toEqual({ maxOutputTokens: 200 });
  });

  it("messages: a prompt blocked for safety is a refusal", async () => {
    g.script({ promptBlocked: "SAFETY" });
    const msg = await anthropic().messages.create({
      model: "gemini-2.5-flash",
      max_tokens: 50,
      messages: [{ role: "user", content: "something bad" }],
    });
    expect(msg.stop_reason).toBe("refusal");
    expect(msg.content).toEqual([]);
  });

  it("chat: a candidate stopped for SAFETY finishes with content_filter", async () => {
    g.script({ parts: [{ text: "Sure" }], finishReason: "SAFETY" });
    const r = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "x" }],
    });
    expect(r.choices[0]!.finish_reason).toBe("content_filter");
  });

  it("a Gemini error is answered in the caller's envelope: 429 RESOURCE_EXHAUSTED → Anthropic rate_limit_error", async () => {
    g.script({ error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "Quota exceeded" } });
    const err = await anthropic()
      .messages.create({
        model: "gemini-2.5-flash",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).message).toContain("Quota exceeded");
  });

  it("a wrong key: Google's 400 API_KEY_INVALID reaches an OpenAI client as a 401, without the key", async () => {
    const err = await openai()
      .chat.completions.create({ model: "gemini-bad", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.AuthenticationError>).error)).not.toContain(
      "wrong-key",
    );
  });

  it("a stream cut before its finishReason ends the client stream with an error", async () => {
    g.script({ parts: [{ text: "one two three four" }], truncate: true });
    const stream = await openai().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const err = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(String(err)).toContain("Upstream stream ended early");
  });

  it("a Responses client is translated too", async () => {
    g.script({ parts: [{ text: "via responses" }] });
    const r = await openai().responses.create({ model: "gemini-2.5-flash", input: "hi" });
    expect(r.output_text).toBe("via responses");
    expect(g.requests.at(-1)!.json.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });
});
