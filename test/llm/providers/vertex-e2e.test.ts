/**
 * Vertex AI end to end: the real google-auth-library reads a service-account key file named by
 * GOOGLE_APPLICATION_CREDENTIALS (a test RSA key), signs a JWT that a loopback OAuth mock at the
 * file's token_uri verifies, and agw sends the access token it gets to a loopback Vertex mock:
 * the official openai SDK to Claude (rawPredict) and Gemini (generateContent), the Anthropic SDK
 * to Claude streamed (streamRawPredict, split at awkward byte boundaries).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type MockGoogleOAuth, startMockGoogleOAuth } from "../../helpers/mock-google-oauth.js";
import { type MockVertex, startMockVertex } from "../../helpers/mock-vertex.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";

const CLAUDE = "claude-sonnet-4-5@20250929";
const GEMINI = "gemini-2.5-pro";

describe("Vertex AI end to end (ADC service-account key file, official SDKs)", () => {
  let oauth: MockGoogleOAuth;
  let vertex: MockVertex;
  let dir: string;
  const gateways: Gateway[] = [];
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;

  beforeAll(async () => {
    oauth = await startMockGoogleOAuth();
    vertex = await startMockVertex({ project: "my-proj", region: "us-east5", tokens: () => oauth.issued });
    dir = await mkdtemp(path.join(tmpdir(), "agw-vertex-"));
    process.env.GOOGLE_APPLICATION_CREDENTIALS = await oauth.writeKeyFile(dir);
  });
  afterAll(async () => {
    for (const g of gateways) await g.drain(1000);
    await vertex.close();
    await oauth.close();
    await rm(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
  });

  async function gatewayUrl(extra: Partial<Config["llm"] & object> = {}): Promise<string> {
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          {
            name: "vx",
            provider: "vertex",
            baseUrl: vertex.url,
            vertex: { project: "my-proj", region: "us-east5" },
          },
        ],
        targets: [
          { name: "claude", provider: "vx", model: CLAUDE },
          { name: "gemini", provider: "vx", model: GEMINI },
        ],
        ...extra,
      },
    };
    const { gateway } = await startFromConfig(config);
    gateways.push(gateway);
    return `http://127.0.0.1:${port}`;
  }

  it("openai SDK → Claude (rawPredict) and Gemini (generateContent), one token for both", async () => {
    const url = await gatewayUrl();
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const c = await client.chat.completions.create({
      model: CLAUDE,
      max_tokens: 50,
      messages: [{ role: "user", content: "hello claude" }],
    });
    expect(c.choices[0]?.message.content).toBe("echo: hello claude");
    expect(c.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
    const claudeReq = vertex.requests.at(-1);
    expect(claudeReq?.path).toBe(
      `/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/${CLAUDE}:rawPredict`,
    );
    expect(claudeReq?.json.anthropic_version).toBe("vertex-2023-10-16");
    expect(claudeReq?.json).not.toHaveProperty("model");
    expect(claudeReq?.headers.authorization).toBe("Bearer ya29.mock-1");

    const g = await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: "user", content: "hello gemini" }],
    });
    expect(g.choices[0]?.message.content).toBe("echo: hello gemini");
    expect(vertex.requests.at(-1)?.path).toBe(
      `/v1/projects/my-proj/locations/us-east5/publishers/google/models/${GEMINI}:generateContent`,
    );
    expect(vertex.requests.at(-1)?.headers.authorization).toBe("Bearer ya29.mock-1");
    // The library signed one assertion with the key file's key, for the cloud-platform scope.
    expect(oauth.issued).toEqual(["ya29.mock-1"]);
    expect(oauth.assertions[0]).toMatchObject({ iss: "agw-test@my-proj.iam.gserviceaccount.com" });

    const gs = await client.chat.completions.create({
      model: GEMINI,
      stream: true,
      messages: [{ role: "user", content: "stream some words please" }],
    });
    let text = "";
    for await (const chunk of gs) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo: stream some words please");
    expect(vertex.requests.at(-1)?.path).toMatch(/:streamGenerateContent\?alt=sse$/);
  });

  it("openai SDK → Claude streamed (Chat) and by the Responses API, translated to Messages", async () => {
    const url = await gatewayUrl();
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const s = await client.chat.completions.create({
      model: CLAUDE,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream from claude" }],
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of s) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("echo: stream from claude");
    expect(usage).toMatchObject({ completion_tokens: 4 });
    expect(vertex.requests.at(-1)?.path).toMatch(/:streamRawPredict$/);
    expect(vertex.requests.at(-1)?.json).toMatchObject({
      anthropic_version: "vertex-2023-10-16",
      stream: true,
    });

    const r = await client.responses.create({ model: CLAUDE, input: "responses to claude" });
    expect(r.output_text).toBe("echo: responses to claude");
    expect(vertex.requests.at(-1)?.path).toMatch(/anthropic\/models\/.*:rawPredict$/);
    expect(vertex.requests.at(-1)?.json).not.toHaveProperty("model");
  });

  it("Anthropic SDK → Claude streamed (streamRawPredict), and unstreamed", async () => {
    const url = await gatewayUrl();
    const client = new Anthropic({ apiKey: "caller-key", baseURL: url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: "user", content: "tell me ünïcödé things" }],
    });
    let text = "";
    stream.on("text", (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    expect(text).toBe("echo: tell me ünïcödé things");
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(5);
    const req = vertex.requests.at(-1);
    expect(req?.path).toBe(
      `/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/${CLAUDE}:streamRawPredict`,
    );
    expect(req?.json).toMatchObject({ anthropic_version: "vertex-2023-10-16", stream: true });
    expect(req?.json).not.toHaveProperty("model");
    expect(req?.headers.authorization).toMatch(/^Bearer ya29\.mock-/);

    const m = await client.messages.create({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: "user", content: "plain" }],
    });
    expect(m.content[0]).toMatchObject({ type: "text", text: "echo: plain" });
  });

  it("Gemini-format clients: generateContent and countTokens to Vertex Gemini (with the token), Claude translated", async () => {
    const url = await gatewayUrl();
    const post = (p: string, body: unknown): Promise<Response> =>
      fetch(`${url}${p}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": "caller-key" },
        body: JSON.stringify(body),
      });
    const body = { contents: [{ role: "user", parts: [{ text: "one two three" }] }] };
    const counted = await post(`/v1beta/models/${GEMINI}:countTokens`, body);
    expect(counted.status).toBe(200);
    expect(await counted.json()).toEqual({ totalTokens: 3 });
    const req = vertex.requests.at(-1);
    expect(req?.path).toBe(
      `/v1/projects/my-proj/locations/us-east5/publishers/google/models/${GEMINI}:countTokens`,
    );
    expect(req?.headers.authorization).toMatch(/^Bearer ya29\.mock-/);

    const claude = await post(`/v1beta/models/${CLAUDE}:generateContent`, body);
    expect(claude.status).toBe(200);
    const answer = (await claude.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(answer.candidates[0]?.content.parts[0]?.text).toBe("echo: one two three");
    expect(vertex.requests.at(-1)?.path).toMatch(/publishers\/anthropic\/models\/.*:rawPredict$/);
  });

  it("a static credential is sent as the access token; a wrong one is Google's 401", async () => {
    oauth.issued.push("ya29.static-ok");
    const url = await gatewayUrl({
      targets: [
        { name: "ok", provider: "vx", model: GEMINI, credential: "ya29.static-ok" },
        { name: "bad", provider: "vx", model: CLAUDE, credential: "ya29.revoked" },
      ],
    });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const ok = await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: "user", content: "x" }],
    });
    expect(ok.choices[0]?.message.content).toBe("echo: x");
    expect(vertex.requests.at(-1)?.headers.authorization).toBe("Bearer ya29.static-ok");
    const err = await client.chat.completions
      .create({ model: CLAUDE, max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.APIError>).error)).not.toContain("ya29.revoked");
  });

  it("a key file the token server refuses: 503 upstream_credential_unavailable, no secret in the message", async () => {
    const other = await startMockGoogleOAuth();
    try {
      // Signed with another key than the one the token server knows.
      const json = { ...other.keyFileJson(), token_uri: `${oauth.url}/token` };
      const file = path.join(dir, "wrong-key.json");
      await writeFile(file, JSON.stringify(json));
      process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
      const url = await gatewayUrl();
      const before = vertex.requests.length;
      const res = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "caller-key" },
        body: JSON.stringify({ model: CLAUDE, max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("x-agw-error-code")).toBe("upstream_credential_unavailable");
      const text = await res.text();
      expect(text).toContain("Could not get a Google Cloud access token for Vertex AI");
      expect(text).toContain("Invalid JWT Signature");
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(String(other.keyFileJson().private_key).slice(40, 80));
      expect(vertex.requests.length).toBe(before);
    } finally {
      process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(dir, "service-account.json");
      await other.close();
    }
  });
});
