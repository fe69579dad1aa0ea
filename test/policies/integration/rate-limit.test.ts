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

describe("tokens buckets on streams closed early", () => {
  // 100 deltas of 5 characters each; the usage (100 output tokens) comes only at the end.
  const TEXT = Array.from({ length: 100 }, (_, i) => `w${String(i).padStart(3, "0")}`).join(" ");
  const REPLY = { text: TEXT, usage: { input: 10, output: 100 } };
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness({
      apiKey: {
        keys: [
          { name: "chat", key: "agw-key-chat" },
          { name: "messages", key: "agw-key-messages" },
        ],
      },
      localRateLimit: [
        { maxTokens: 300, tokensPerFill: 300, fillInterval: "1h", type: "tokens", perKey: true },
      ],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  /**
   * Opens gated streams until one is refused (at most 15); each is closed by the client after
   * 40 text deltas, before the usage chunk. Returns how many were allowed.
   */
  async function closedEarly(open: () => Promise<AsyncIterable<unknown>>, isText: (c: unknown) => boolean) {
    let allowed = 0;
    for (let i = 0; i < 15; i++) {
      const before = h.records.length;
      const { gate } = h.mock.script({ reply: REPLY, gate: true });
      let stream: AsyncIterable<unknown>;
      try {
        stream = await open();
      } catch (err) {
        expect((err as { status?: number }).status).toBe(429);
        h.mock.reset(); // the script this refused request never used
        break;
      }
      allowed++;
      gate.release(45);
      let deltas = 0;
      for await (const c of stream) {
        if (isText(c) && ++deltas === 40) break; // the SDK aborts the request
      }
      expect(deltas).toBe(40);
      // The bucket is amended when the exchange closes, before the record is handed over.
      const rec = await h.record((r) => h.records.indexOf(r) >= before);
      expect(rec.inputTokens).toBeUndefined();
    }
    return allowed;
  }

  it("a same-format chat stream is charged its delivered deltas plus its input, not the estimate", async () => {
    const client = h.openai("agw-key-chat");
    const allowed = await closedEarly(
      () =>
        client.chat.completions.create({
          model: "oai-x",
          stream: true,
          messages: [{ role: "user", content: "count" }],
        }),
      (c) =>
        Boolean((c as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content),
    );
    // Each stream: ~20 input tokens (body bytes / 4) + 40-45 deltas × 5 characters / 4 ≈ 75.
    // Charged only the body estimate (~20), 13 or more of the 15 got through.
    expect(allowed).toBeGreaterThanOrEqual(3);
    expect(allowed).toBeLessThanOrEqual(5);
  });

  it("a translated stream (Messages client, OpenAI upstream) is charged the same way", async () => {
    const client = h.anthropic("agw-key-messages");
    const allowed = await closedEarly(
      async () =>
        client.messages.create({
          model: "oai-x",
          max_tokens: 1,
          stream: true,
          messages: [{ role: "user", content: "count" }],
        }),
      (c) => (c as { type?: string }).type === "content_block_delta",
    );
    expect(allowed).toBeGreaterThanOrEqual(3);
    expect(allowed).toBeLessThanOrEqual(5);
  });
});
