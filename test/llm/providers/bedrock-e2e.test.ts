/**
 * AWS Bedrock end to end: the official openai and Anthropic SDKs against agw, agw against a
 * loopback Bedrock mock that verifies every SigV4 signature independently (test/helpers/
 * sigv4-verify.ts) and answers Converse JSON, binary event streams cut at awkward byte
 * boundaries, InvokeModel bodies and Bedrock's error shapes. Credentials come from the real AWS
 * default chain (@aws-sdk/credential-providers): the environment, or an ECS container
 * endpoint on loopback whose short-lived credentials agw must fetch again before they expire.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { startMockAwsContainerCredentials } from "../../helpers/mock-aws-container-credentials.js";
import { startMockAwsSts } from "../../helpers/mock-aws-sts.js";
import { type MockBedrock, startMockBedrock } from "../../helpers/mock-bedrock.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";

const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
const CREDS = { accessKeyId: "AKIDAGWTEST", secretAccessKey: "agw-test-secret", sessionToken: "agw-session" };
const AWS_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL_STS",
];

/** Only the given AWS variables, with no shared files and no instance metadata to fall back on. */
function setAwsEnv(vars: Record<string, string>): void {
  for (const k of AWS_VARS) delete process.env[k];
  process.env.AWS_CONFIG_FILE = "/nonexistent/agw-test/config";
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/agw-test/credentials";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  Object.assign(process.env, vars);
}

describe("AWS Bedrock end to end (SigV4, official SDKs)", () => {
  let bedrock: MockBedrock;
  const gateways: Gateway[] = [];
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const k of AWS_VARS) saved[k] = process.env[k];
    bedrock = await startMockBedrock({ credentials: [CREDS], apiKeys: ["ABSKagwtestkey"] });
  });
  beforeEach(() => {
    setAwsEnv({
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDS.sessionToken,
    });
    bedrock.always(undefined);
  });
  afterEach(() => {
    bedrock.always(undefined);
  });
  afterAll(async () => {
    for (const g of gateways) await g.drain(1000);
    await bedrock.close();
    for (const k of AWS_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  async function gatewayUrl(
    settings: NonNullable<Config["llm"]>["providers"] extends (infer P)[] | undefined
      ? Partial<P>
      : never = {},
    extra: Partial<NonNullable<Config["llm"]>> = {},
  ): Promise<string> {
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          {
            name: "br",
            provider: "bedrock",
            baseUrl: bedrock.url,
            bedrock: { region: "us-east-1" },
            ...settings,
          },
        ],
        targets: [
          { name: "claude", provider: "br", model: CLAUDE },
          { name: "llama", provider: "br", model: LLAMA },
        ],
        ...extra,
      },
    };
    const { gateway } = await startFromConfig(config);
    gateways.push(gateway);
    return `http://127.0.0.1:${port}`;
  }

  const openai = (url: string) => new OpenAI({ apiKey: "caller", baseURL: `${url}/v1`, maxRetries: 0 });
  const anthropic = (url: string, headers: Record<string, string> = {}) =>
    new Anthropic({ apiKey: "caller", baseURL: url, maxRetries: 0, defaultHeaders: headers });

  it("openai SDK → Converse: signed with the environment's session credentials, the profile id escaped in the path", async () => {
    const url = await gatewayUrl();
    bedrock.script({
      reply: { text: "hello from bedrock", usage: { input: 10, output: 4, cacheRead: 6, cacheWrite: 2 } },
    });
    const c = await openai(url).chat.completions.create({
      model: CLAUDE,
      max_tokens: 100,
      temperature: 0.2,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello" },
      ],
    });
    expect(c.choices[0]?.message.content).toBe("hello from bedrock");
    // Converse names neither: the id is agw's request id, the model the one in the URL.
    expect(c.model).toBe(CLAUDE);
    expect(c.id).toMatch(/^chatcmpl-./);
    expect(c.choices[0]?.finish_reason).toBe("stop");
    // Bedrock's inputTokens leaves out cache reads and writes; the prompt is all of them.
    expect(c.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 4, total_tokens: 22 });
    expect(c.usage?.prompt_tokens_details?.cached_tokens).toBe(6);
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("converse");
    expect(req.path).toBe("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
    expect(req.modelId).toBe(CLAUDE);
    expect(req.auth).toMatchObject({ method: "sigv4", ok: true, accessKeyId: CREDS.accessKeyId });
    expect(req.headers["x-amz-security-token"]).toBe(CREDS.sessionToken);
    expect(req.json).not.toHaveProperty("model");
    expect(req.json?.system).toEqual([{ text: "be brief" }]);
    expect(req.json?.messages).toEqual([{ role: "user", content: [{ text: "hello" }] }]);
    expect(req.json?.inferenceConfig).toMatchObject({ maxTokens: 100, temperature: 0.2 });
  });

  it("openai SDK, streamed with a tool: the event stream arrives cut mid-frame and leaves as Chat chunks", async () => {
    const url = await gatewayUrl();
    bedrock.script({
      reply: {
        text: "Let me look.",
        toolUses: [{ id: "tooluse_1", name: "get_weather", input: { city: "Paris", unit: "C" } }],
        stopReason: "tool_use",
        usage: { input: 20, output: 9 },
      },
    });
    const s = await openai(url).chat.completions.create({
      model: LLAMA,
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
      messages: [{ role: "user", content: "weather in Paris?" }],
    });
    let text = "";
    let args = "";
    let name = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of s) {
      expect(chunk.model).toBe(LLAMA);
      const d = chunk.choices[0]?.delta;
      text += d?.content ?? "";
      for (const t of d?.tool_calls ?? []) {
        name += t.function?.name ?? "";
        args += t.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("Let me look.");
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ city: "Paris", unit: "C" });
    expect(finish).toBe("tool_calls");
    expect(usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 9 });
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("converse-stream");
    expect(req.json?.toolConfig).toMatchObject({
      tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }],
    });
  });

  it("Anthropic SDK → Claude through InvokeModel: the Messages body as sent, anthropic-beta carried in the body", async () => {
    const url = await gatewayUrl();
    const client = anthropic(url, { "anthropic-beta": "context-1m-2025-08-07" });
    const m = await client.messages.create({
      model: CLAUDE,
      max_tokens: 64,
      metadata: { user_id: "u-1" },
      messages: [{ role: "user", content: "hi claude" }],
    });
    expect(m.content[0]).toMatchObject({ type: "text", text: "echo: hi claude" });
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("invoke");
    expect(req.auth.ok).toBe(true);
    expect(req.json).toMatchObject({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 64,
      metadata: { user_id: "u-1" },
      anthropic_beta: ["context-1m-2025-08-07"],
    });
    expect(req.json).not.toHaveProperty("model");

    const stream = client.messages.stream({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: "user", content: "stream these words back" }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "echo: stream these words back" });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    const sreq = bedrock.requests.at(-1)!;
    expect(sreq.op).toBe("invoke-with-response-stream");
    expect(sreq.json).not.toHaveProperty("stream");
  });

  it("Anthropic SDK → a Llama model (Converse), and Claude with api: converse", async () => {
    const url = await gatewayUrl();
    const m = await anthropic(url).messages.create({
      model: LLAMA,
      max_tokens: 32,
      messages: [{ role: "user", content: "hi llama" }],
    });
    expect(m.content[0]).toMatchObject({ type: "text", text: "echo: hi llama" });
    expect(m.model).toBe(LLAMA);
    expect(m.id).not.toBe("");
    expect(bedrock.requests.at(-1)?.op).toBe("converse");

    const url2 = await gatewayUrl({ bedrock: { region: "us-east-1", api: "converse" } });
    bedrock.script({ reply: { thinking: { text: "thinking...", signature: "sig-abc" }, text: "done" } });
    const stream = anthropic(url2).messages.stream({
      model: CLAUDE,
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "think" }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: "thinking", thinking: "thinking...", signature: "sig-abc" },
      expect.objectContaining({ type: "text", text: "done" }),
    ]);
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("converse-stream");
    expect(req.json?.additionalModelRequestFields).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
  });

  it("a tool result without content reaches a non-Claude model as one empty text, which every model takes", async () => {
    const url = await gatewayUrl();
    const m = await anthropic(url).messages.create({
      model: LLAMA,
      max_tokens: 32,
      tools: [{ name: "ping", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "ping it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "ping", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1" }] },
      ],
    });
    expect(m.content[0]?.type).toBe("text");
    const req = bedrock.requests.at(-1)!;
    expect(req.status).toBe(200);
    expect(req.json?.messages).toContainEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: "toolu_1", content: [{ text: "" }] } }],
    });
  });

  it("whitespace-only text in the history is left out: Converse refuses blank text blocks", async () => {
    const url = await gatewayUrl();
    const c = await openai(url).chat.completions.create({
      model: LLAMA,
      tools: [{ type: "function", function: { name: "ping", parameters: { type: "object" } } }],
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "ping it" },
        {
          role: "assistant",
          content: "\n\n",
          tool_calls: [{ id: "call_1", type: "function", function: { name: "ping", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "pong" },
        {
          role: "user",
          content: [
            { type: "text", text: "  " },
            { type: "text", text: "and now?" },
          ],
        },
      ],
    });
    expect(c.choices[0]?.message.content).toBe("echo: and now?");
    const req = bedrock.requests.at(-1)!;
    expect(req.status).toBe(200);
    expect(req.json?.messages).toEqual([
      { role: "user", content: [{ text: "ping it" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "call_1", name: "ping", input: {} } }] },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "call_1", content: [{ text: "pong" }] } }, { text: "and now?" }],
      },
    ]);
  });

  it("Responses clients reach Converse", async () => {
    const url = await gatewayUrl();
    const r = await openai(url).responses.create({ model: LLAMA, input: "hello responses" });
    expect(r.output_text).toBe("echo: hello responses");
    expect(bedrock.requests.at(-1)?.op).toBe("converse");
  });

  it("Bedrock errors keep their status in the client's envelope; throttling falls back to the next target", async () => {
    const url = await gatewayUrl();
    bedrock.script({ error: { type: "ThrottlingException", message: "Too many requests, please wait." } });
    const err = await openai(url)
      .chat.completions.create({ model: CLAUDE, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).toContain("Too many requests");

    bedrock.script({
      error: { type: "ValidationException", message: "The model returned a validation error." },
    });
    const bad = await anthropic(url)
      .messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "The model returned a validation error." },
    });

    const fb = await gatewayUrl(
      {},
      {
        targets: [
          { name: "first", provider: "br", model: CLAUDE },
          { name: "second", provider: "br", model: LLAMA },
        ],
        routes: [{ name: "r", models: ["smart"], strategy: "fallback", targets: ["first", "second"] }],
      },
    );
    const before = bedrock.requests.length;
    bedrock.script({ error: { type: "ThrottlingException", message: "slow down" } });
    const ok = await openai(fb).chat.completions.create({
      model: "smart",
      messages: [{ role: "user", content: "fallback please" }],
    });
    expect(ok.choices[0]?.message.content).toBe("echo: fallback please");
    expect(bedrock.requests.slice(before).map((r) => r.modelId)).toEqual([CLAUDE, LLAMA]);

    // A quota AWS answers with 400 is a 429 in the client's envelope: routing sees the same 429.
    bedrock.script({
      error: { type: "ServiceQuotaExceededException", message: "Daily token quota reached." },
    });
    const quota = await openai(url)
      .chat.completions.create({ model: CLAUDE, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(bedrock.requests.at(-1)?.status).toBe(400);
    expect(quota).toBeInstanceOf(OpenAI.RateLimitError);
    const mid = bedrock.requests.length;
    bedrock.script({
      error: { type: "ServiceQuotaExceededException", message: "Daily token quota reached." },
    });
    const moved = await openai(fb).chat.completions.create({
      model: "smart",
      messages: [{ role: "user", content: "quota fallback" }],
    });
    expect(moved.choices[0]?.message.content).toBe("echo: quota fallback");
    expect(bedrock.requests.slice(mid).map((r) => r.modelId)).toEqual([CLAUDE, LLAMA]);
  });

  it("an exception frame mid-stream ends the client's stream with an error in its format", async () => {
    const url = await gatewayUrl();
    bedrock.script({
      reply: { text: "one two three four five" },
      streamException: { afterEvents: 3, type: "ThrottlingException", message: "throttled mid-stream" },
    });
    const s = await openai(url).chat.completions.create({
      model: LLAMA,
      stream: true,
      messages: [{ role: "user", content: "go" }],
    });
    const chat = await (async () => {
      try {
        for await (const _ of s) {
          // drain
        }
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(chat).toBeInstanceOf(OpenAI.APIError);
    expect(String((chat as Error).message)).toContain("throttled mid-stream");

    // InvokeModel's stream, passed to an Anthropic client: Anthropic's own error event.
    bedrock.script({
      reply: { text: "one two three four five" },
      streamException: { afterEvents: 3, type: "ThrottlingException", message: "invoke throttled" },
    });
    const stream = anthropic(url).messages.stream({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: "user", content: "go" }],
    });
    const e = await stream.finalMessage().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect(String((e as Error).message)).toContain("invoke throttled");
    expect(String((e as Error).message)).toContain("rate_limit_error");
  });

  it("a guardrail: sent as guardrailConfig, and an intervention is a refusal in each client's format", async () => {
    const url = await gatewayUrl({
      bedrock: { region: "us-east-1", guardrail: { identifier: "gr-test", version: "2" } },
    });
    const c = await openai(url).chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "please BLOCKME now" }],
    });
    expect(c.choices[0]?.finish_reason).toBe("content_filter");
    expect(c.choices[0]?.message.content).toBe("Sorry, the model cannot answer this question.");
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("converse");
    expect(req.json?.guardrailConfig).toEqual({ guardrailIdentifier: "gr-test", guardrailVersion: "2" });
    expect(req.guardrail).toMatchObject({ identifier: "gr-test", version: "2", intervened: true });

    // With a guardrail, Anthropic clients asking for Claude go through Converse too.
    const m = await anthropic(url).messages.create({
      model: CLAUDE,
      max_tokens: 64,
      messages: [{ role: "user", content: "BLOCKME" }],
    });
    expect(m.stop_reason).toBe("refusal");
    expect(bedrock.requests.at(-1)?.op).toBe("converse");

    const fine = await openai(url).chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "allowed" }],
    });
    expect(fine.choices[0]?.finish_reason).toBe("stop");
  });

  it("api: invoke with a guardrail: the caller's own guardrail or signing headers never reach Bedrock beside agw's", async () => {
    const url = await gatewayUrl({
      bedrock: { region: "us-east-1", api: "invoke", guardrail: { identifier: "gr-operator", version: "3" } },
    });
    const m = await anthropic(url, {
      "x-amzn-bedrock-guardrailidentifier": "gr-caller",
      "x-amzn-bedrock-guardrailversion": "DRAFT",
      "x-amz-date": "20200101T000000Z",
    }).messages.create({ model: CLAUDE, max_tokens: 32, messages: [{ role: "user", content: "hi" }] });
    expect(m.content[0]).toMatchObject({ type: "text", text: "echo: hi" });
    const req = bedrock.requests.at(-1)!;
    expect(req.op).toBe("invoke");
    expect(req.auth).toMatchObject({ method: "sigv4", ok: true });
    expect(req.headers["x-amzn-bedrock-guardrailidentifier"]).toBe("gr-operator");
    expect(req.headers["x-amzn-bedrock-guardrailversion"]).toBe("3");
    expect(req.guardrail).toMatchObject({ identifier: "gr-operator", version: "3", source: "headers" });
  });

  it("api: invoke with a guardrail: other clients get an intervention as a refusal in their format", async () => {
    const url = await gatewayUrl({
      bedrock: { region: "us-east-1", api: "invoke", guardrail: { identifier: "gr-test", version: "2" } },
    });
    const c = await openai(url).chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "please BLOCKME now" }],
    });
    expect(bedrock.requests.at(-1)).toMatchObject({ op: "invoke", guardrail: { intervened: true } });
    expect(c.choices[0]?.finish_reason).toBe("content_filter");
    expect(c.choices[0]?.message.content).toBe("Sorry, the model cannot answer this question.");

    const s = await openai(url).chat.completions.create({
      model: CLAUDE,
      stream: true,
      messages: [{ role: "user", content: "please BLOCKME now" }],
    });
    let text = "";
    const reasons: string[] = [];
    for await (const chunk of s) {
      text += chunk.choices[0]?.delta.content ?? "";
      const r = chunk.choices[0]?.finish_reason;
      if (r) reasons.push(r);
    }
    expect(bedrock.requests.at(-1)).toMatchObject({
      op: "invoke-with-response-stream",
      guardrail: { intervened: true },
    });
    expect(text).toBe("Sorry, the model cannot answer this question.");
    expect(reasons).toEqual(["content_filter"]);

    const fine = await openai(url).chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "allowed" }],
    });
    expect(fine.choices[0]?.finish_reason).toBe("stop");
  });

  it("a Bedrock API key as the provider's credential is sent as Bearer, not signed", async () => {
    const url = await gatewayUrl({ credential: "ABSKagwtestkey" });
    const c = await openai(url).chat.completions.create({
      model: LLAMA,
      messages: [{ role: "user", content: "with a key" }],
    });
    expect(c.choices[0]?.message.content).toBe("echo: with a key");
    expect(bedrock.requests.at(-1)?.auth).toMatchObject({ method: "bearer", ok: true });
  });

  it("credentials Bedrock refuses (its 403) reach the caller as an authentication error, with no secret in it", async () => {
    setAwsEnv({
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: "a-wrong-secret",
      AWS_SESSION_TOKEN: CREDS.sessionToken,
    });
    const url = await gatewayUrl();
    const err = await openai(url)
      .chat.completions.create({ model: LLAMA, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(bedrock.requests.at(-1)?.auth).toMatchObject({ ok: false, error: "InvalidSignatureException" });
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(
      "a-wrong-secret",
    );
  });

  it("Bedrock's signature mismatch quotes its canonical request, session token included: the caller never gets the token", async () => {
    setAwsEnv({
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: "a-wrong-secret",
      AWS_SESSION_TOKEN: CREDS.sessionToken,
    });
    const url = await gatewayUrl();
    const chat = await openai(url)
      .chat.completions.create({ model: LLAMA, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(bedrock.requests.at(-1)?.auth).toMatchObject({ ok: false, error: "InvalidSignatureException" });
    // The mock, as AWS does, quotes the canonical request with its signed headers' values.
    expect(bedrock.requests.at(-1)?.auth.message).toContain(`x-amz-security-token:${CREDS.sessionToken}`);
    expect(chat).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(JSON.stringify((chat as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(
      CREDS.sessionToken,
    );
    // The same through InvokeModel, the Anthropic client's own format, streamed and not.
    for (const stream of [false, true]) {
      const res = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: CLAUDE,
          max_tokens: 8,
          stream,
          messages: [{ role: "user", content: "x" }],
        }),
      });
      expect(bedrock.requests.at(-1)?.path).toMatch(stream ? /\/invoke-with-response-stream$/ : /\/invoke$/);
      expect(bedrock.requests.at(-1)?.auth.error).toBe("InvalidSignatureException");
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(CREDS.sessionToken);
    }
  });

  it("a machine clock off by more than AWS allows: agw signs by Bedrock's clock, from its Date header, as the AWS SDKs do", async () => {
    const ahead = await startMockBedrock({ credentials: [CREDS], clockOffsetMs: 20 * 60_000 });
    try {
      const url = await gatewayUrl({ baseUrl: ahead.url });
      const ask = () =>
        openai(url).chat.completions.create({
          model: LLAMA,
          messages: [{ role: "user", content: "what time" }],
        });
      const first = await ask();
      expect(first.choices[0]?.message.content).toBe("echo: what time");
      // The first signature, by the machine's clock, was refused; the same request signed again passed.
      expect(ahead.requests.map((r) => r.auth.error)).toEqual(["InvalidSignatureException", undefined]);
      await ask();
      expect(ahead.requests.at(-1)?.auth).toMatchObject({ ok: true });
      expect(ahead.requests).toHaveLength(3);
    } finally {
      await ahead.close();
    }
  });

  it("no credentials anywhere in the chain: 503 upstream_credential_unavailable, nothing sent", async () => {
    setAwsEnv({});
    const url = await gatewayUrl();
    const before = bedrock.requests.length;
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: LLAMA, messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upstream_credential_unavailable");
    expect(body.error.message).toContain(
      "AWS credentials for Bedrock could not be obtained from the default chain",
    );
    expect(bedrock.requests.length).toBe(before);
  });

  it("an assume-role profile: STS is asked in the provider's region, as a Bedrock SDK client in that region asks it", async () => {
    const assumed = {
      accessKeyId: "ASIAASSUMED",
      secretAccessKey: "assumed-secret",
      sessionToken: "assumed-token",
    };
    const paris = await startMockBedrock({ region: "eu-west-3", credentials: [assumed] });
    const sts = await startMockAwsSts({ credentials: assumed });
    const dir = mkdtempSync(join(tmpdir(), "agw-aws-"));
    try {
      writeFileSync(
        join(dir, "config"),
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/agw-test\nsource_profile = base\n",
      );
      writeFileSync(
        join(dir, "credentials"),
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
      );
      setAwsEnv({ AWS_PROFILE: "deploy", AWS_ENDPOINT_URL_STS: sts.url });
      process.env.AWS_CONFIG_FILE = join(dir, "config");
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
      const url = await gatewayUrl({ baseUrl: paris.url, bedrock: { region: "eu-west-3" } });
      const c = await openai(url).chat.completions.create({
        model: LLAMA,
        messages: [{ role: "user", content: "bonjour" }],
      });
      expect(c.choices[0]?.message.content).toBe("echo: bonjour");
      expect(paris.requests.at(-1)?.auth).toMatchObject({ ok: true, accessKeyId: "ASIAASSUMED" });
      expect(sts.scopes).toEqual([{ action: "AssumeRole", region: "eu-west-3" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await paris.close();
      await sts.close();
    }
  });

  it("container credentials from the chain are fetched again before they expire", async () => {
    const issued = [
      { accessKeyId: "ASIAFIRST", secretAccessKey: "first-secret", sessionToken: "first-token" },
      { accessKeyId: "ASIASECOND", secretAccessKey: "second-secret", sessionToken: "second-token" },
    ];
    const rotating = await startMockBedrock({ credentials: issued });
    // Valid for 5 minutes and 1.5 seconds: inside the SDK's 5-minute refresh window 1.5 s later.
    const endpoint = await startMockAwsContainerCredentials({
      token: "container-token",
      credentials: issued,
      expiresInMs: 301_500,
    });
    try {
      setAwsEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-token",
      });
      const port = await freePort();
      const { gateway } = await startFromConfig({
        llm: {
          port,
          address: "127.0.0.1",
          providers: [
            { name: "br", provider: "bedrock", baseUrl: rotating.url, bedrock: { region: "us-east-1" } },
          ],
          targets: [{ name: "llama", provider: "br", model: LLAMA }],
        },
      });
      gateways.push(gateway);
      const client = openai(`http://127.0.0.1:${port}`);
      const ask = () =>
        client.chat.completions.create({ model: LLAMA, messages: [{ role: "user", content: "hi" }] });
      await ask();
      await ask();
      expect(rotating.requests.map((r) => r.auth.accessKeyId)).toEqual(["ASIAFIRST", "ASIAFIRST"]);
      expect(endpoint.calls).toBe(1);
      await new Promise((r) => setTimeout(r, 1_700));
      // Inside the window the held credentials are still used while one fetch runs beside them.
      await ask();
      expect(rotating.requests.at(-1)?.auth).toMatchObject({ ok: true, accessKeyId: "ASIAFIRST" });
      for (let i = 0; i < 50 && endpoint.calls < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(endpoint.calls).toBe(2);
      await ask();
      expect(rotating.requests.at(-1)?.auth).toMatchObject({ ok: true, accessKeyId: "ASIASECOND" });
    } finally {
      await rotating.close();
      await endpoint.close();
    }
  });
});
