/**
 * localRateLimit through the gateway: request buckets answer 429 with Retry-After and
 * x-ratelimit-* in the caller's envelope, per gateway key when perKey; token buckets reserve
 * an estimate and are amended from the real usage (both ways: a large answer drains the
 * bucket, small answers give the estimate back).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOf, type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

const keys = [
  { name: "a", key: "agw-key-a" },
  { name: "b", key: "agw-key-b" },
  { name: "c", key: "agw-key-c" },
];

describe("requests buckets, perKey", () => {
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness({
      apiKey: { keys },
      localRateLimit: [
        { maxTokens: 2, tokensPerFill: 1, fillInterval: "1h", type: "requests", perKey: true },
      ],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it("the third request of a key is 429 in the OpenAI envelope; another key is unaffected", async () => {
    const client = h.openai("agw-key-a");
    const ask = () =>
      client.chat.completions
        .create({ model: "mock-x", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
    const first = await ask();
    expect(first.response.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.response.headers.get("x-ratelimit-remaining")).toBe("1");
    await ask();
    const r = await rejection(ask());
    expect(r.status).toBe(429);
    expect(headerOf(r.headers, "x-agw-error-code")).toBe("rate_limited");
    expect(headerOf(r.headers, "retry-after")).toBe("3600");
    expect(headerOf(r.headers, "x-ratelimit-remaining")).toBe("0");
    expect(headerOf(r.headers, "x-ratelimit-limit")).toBe("2");
    expect(r.error).toMatchObject({ type: "rate_limited", code: "rate_limited" });
    const other = await h.openai("agw-key-b").chat.completions.create({
      model: "mock-x",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(other.choices[0]?.message.content).toBeTypeOf("string");
    const rec = await h.record((x) => x.status === 429);
    expect(rec.policyEvents).toContainEqual({
      policy: "localRateLimit",
      phase: "gateway",
      action: "rateLimited",
    });
  });

  it("429 in the Anthropic envelope", async () => {
    const client = h.anthropic("agw-key-c");
    const ask = () =>
      client.messages.create({ model: "mock-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    await ask();
    await ask();
    const r = await rejection(ask());
    expect(r.status).toBe(429);
    expect(r.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(headerOf(r.headers, "retry-after")).toBe("3600");
    expect(headerOf(r.headers, "x-ratelimit-reset")).toBeDefined();
  });
});

describe("tokens buckets", () => {
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness({
      localRateLimit: [{ maxTokens: 100, tokensPerFill: 100, fillInterval: "1h", type: "tokens" }],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const ask = (n: number) =>
    h.openai().chat.completions.create({
      model: "oai-x",
      max_tokens: 5,
      messages: [{ role: "user", content: `question ${n}` }],
    });

  it("small real usage gives the estimate back: more requests fit than estimates would allow", async () => {
    // Each estimate is ~30 tokens (body bytes / 4 + max_tokens); each real usage is 2.
    for (let i = 0; i < 6; i++) {
      h.mock.script({ reply: { text: "ok", usage: { input: 1, output: 1 } } });
      const before = h.records.length;
      await ask(i);
      // The amend runs when the exchange closes, before the record is handed over.
      await h.record(() => h.records.length > before);
    }
    expect(h.records.filter((r) => r.status === 200)).toHaveLength(6);
  });

  it("large real usage drains the bucket: the next request is 429", async () => {
    h.mock.script({ reply: { text: "long", usage: { input: 60, output: 40 } } });
    await ask(10);
    await h.record((r) => r.inputTokens === 60);
    const r = await rejection(ask(11));
    expect(r.status).toBe(429);
    expect(r.message).toContain("tokens");
    expect(headerOf(r.headers, "retry-after")).toBeDefined();
  });
});

describe("tokens buckets on streams", () => {
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness({
      localRateLimit: [{ maxTokens: 100, tokensPerFill: 100, fillInterval: "1h", type: "tokens" }],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it("a stream's real usage (from its last chunk) is what the bucket is charged", async () => {
    h.mock.script({ reply: { text: "streamed", usage: { input: 70, output: 30 } } });
    const stream = await h.openai().chat.completions.create({
      model: "oai-x",
      max_tokens: 5,
      stream: true,
      messages: [{ role: "user", content: "s" }],
    });
    for await (const _ of stream) {
      // drained
    }
    await h.record((r) => r.inputTokens === 70);
    const r = await rejection(
      h.openai().chat.completions.create({
        model: "oai-x",
        max_tokens: 5,
        messages: [{ role: "user", content: "t" }],
      }),
    );
    expect(r.status).toBe(429);
  });
});
