/**
 * Gemini-format clients: POST /v1beta/models/{model}:generateContent and
 * :streamGenerateContent?alt=sse reach any provider, the model taken from the path and the
 * request translated where the provider speaks another format. The client here is plain fetch,
 * for exact wire checks; test/e2e/genai-client.test.ts drives the official @google/genai SDK.
 * Errors come back in Google's envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type MockGemini, startMockGemini } from "../../helpers/mock-gemini.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { parseSseJson } from "../../helpers/wire/sse.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";

const KEY = "AIza-clients-key";

interface GenerateContentResponse {
  candidates?: Array<{
    content: { role: string; parts: Array<Record<string, unknown>> };
    finishReason?: string;
  }>;
  usageMetadata?: Record<string, number>;
  error?: { code: number; message: string; status: string };
}

describe("Gemini-format clients", () => {
  let mock: MockUpstream;
  let g: MockGemini;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    mock = await startMockUpstream();
    g = await startMockGemini({ key: KEY });
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
          { name: "gemini", provider: "gemini", baseUrl: g.url, models: ["gemini-3-pro"] },
        ],
        models: [
          {
            name: "byok-*",
            provider: "openAI",
            params: { model: "gpt-upstream", baseUrl: `${mock.url}/v1` },
          },
        ],
        targets: [
          { name: "o", model: "gpt-4o" },
          { name: "a", model: "claude-x" },
          { name: "g", model: "gemini-3-pro" },
        ],
      },
    };
    ({ gateway } = await startFromConfig(config, { env: { GEMINI_API_KEY: KEY } }));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.drain(1000);
    await mock.close();
    await g.close();
  });

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "caller-key" },
      body: JSON.stringify(body),
    });

  it("generateContent to an OpenAI provider: the model from the path, the answer as a GenerateContentResponse", async () => {
    const r = await post("/v1beta/models/gpt-4o:generateContent", {
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [{ role: "user", parts: [{ text: "hello there" }] }],
      generationConfig: { maxOutputTokens: 40 },
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as GenerateContentResponse;
    expect(body.candidates?.[0]?.content.parts).toEqual([{ text: "echo: hello there" }]);
    expect(body.candidates?.[0]?.finishReason).toBe("STOP");
    expect(body.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/v1/chat/completions");
    expect(req.json).toMatchObject({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello there" },
      ],
    });
  });

  it("streamGenerateContent?alt=sse to an Anthropic provider: data-only chunks, the last with finishReason and usage", async () => {
    const r = await post("/v1beta/models/claude-x:streamGenerateContent?alt=sse", {
      contents: [{ role: "user", parts: [{ text: "stream me please" }] }],
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const chunks = parseSseJson(await r.text()) as GenerateContentResponse[];
    const text = chunks
      .map((c) => c.candidates?.[0]?.content.parts.map((p) => p.text ?? "").join("") ?? "")
      .join("");
    expect(text).toBe("echo: stream me please");
    const last = chunks.at(-1)!;
    expect(last.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/v1/messages");
    expect(req.json).toMatchObject({ model: "claude-x", stream: true });
  });

  it("to a gemini provider: rebuilt for the URL (no model or stream in the body), extras and signatures kept, the managed key sent", async () => {
    g.script({ parts: [{ text: "fine" }] });
    const r = await post("/v1beta/models/gemini-3-pro:generateContent", {
      contents: [
        { role: "user", parts: [{ text: "go" }] },
        {
          role: "model",
          parts: [{ functionCall: { name: "f", args: {} }, thoughtSignature: "c2lnbmF0dXJl" }],
        },
        { role: "user", parts: [{ functionResponse: { name: "f", response: { ok: true } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: {} } }] }],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as GenerateContentResponse).candidates?.[0]?.content.parts).toEqual([
      { text: "fine" },
    ]);
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-3-pro:generateContent");
    expect(req.headers["x-goog-api-key"]).toBe(KEY);
    expect(req.json.model).toBeUndefined();
    expect(req.json.stream).toBeUndefined();
    expect(req.json.safetySettings).toEqual([
      { category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" },
    ]);
    expect((req.json.contents as Array<{ parts: unknown[] }>)[1]!.parts[0]).toEqual({
      functionCall: { name: "f", args: {} },
      thoughtSignature: "c2lnbmF0dXJl",
    });
  });

  it("an upstream error reaches the Gemini client in Google's envelope", async () => {
    mock.script({ error: { status: 429, format: "openai", message: "slow down" } });
    const r = await post("/v1beta/models/gpt-4o:generateContent", {
      contents: [{ role: "user", parts: [{ text: "x" }] }],
    });
    expect(r.status).toBe(429);
    const body = (await r.json()) as GenerateContentResponse;
    expect(body.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED", message: "slow down" });
    await mock.nextRequest();
  });

  it("countTokens: forwarded to a gemini provider, estimated (and marked) for another kind", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "one two three" }] }] };
    const forwarded = await post("/v1beta/models/gemini-3-pro:countTokens", body);
    expect(forwarded.status).toBe(200);
    expect(await forwarded.json()).toEqual({ totalTokens: 3 });
    const req = g.requests.at(-1)!;
    expect(req.path).toBe("/v1beta/models/gemini-3-pro:countTokens");
    expect(req.headers["x-goog-api-key"]).toBe(KEY);
    expect(req.json).toEqual(body);

    const estimated = await post("/v1beta/models/gpt-4o:countTokens", body);
    expect(estimated.status).toBe(200);
    expect(estimated.headers.get("x-agw-token-count")).toContain("estimated");
    const n = ((await estimated.json()) as { totalTokens: number }).totalTokens;
    expect(n).toBeGreaterThan(0);
  });

  it("a caller's own key in x-goog-api-key (as @google/genai sends it) moves to the provider's header", async () => {
    const r = await post("/v1beta/models/byok-1:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
    expect(r.status).toBe(200);
    const req = await mock.nextRequest();
    expect(req.headers.authorization).toBe("Bearer caller-key");
    expect(req.headers["x-goog-api-key"]).toBeUndefined();
  });

  it("a model nobody serves is a 404 in Google's envelope", async () => {
    const r = await post("/v1beta/models/nope:generateContent", {
      contents: [{ role: "user", parts: [{ text: "x" }] }],
    });
    expect(r.status).toBe(404);
    const body = (await r.json()) as GenerateContentResponse;
    expect(body.error?.status).toBe("NOT_FOUND");
    expect(body.error?.code).toBe(404);
  });
});
