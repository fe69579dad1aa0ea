import { describe, expect, it } from "vitest";
import { type BucketStore, createLocalBucketStore } from "../../src/policies/bucket-store.js";
import { createRateLimiter, rateLimitHeaders } from "../../src/policies/rate-limit.js";

function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("localRateLimit token buckets", () => {
  it("requests: spends, refuses with 429 and Retry-After, refills per interval", () => {
    const c = clock();
    const rl = createRateLimiter([{ maxTokens: 2, tokensPerFill: 1, fillInterval: "1s" }], c);
    const a = rl.takeRequest();
    expect(a.ok && [a.limit, a.remaining]).toEqual([2, 1]);
    expect(rateLimitHeaders(a)).toEqual({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "1",
      "x-ratelimit-reset": "1",
    });
    expect(rl.takeRequest().ok).toBe(true);
    c.advance(400);
    const denied = rl.takeRequest();
    expect(denied.ok).toBe(false);
    if (denied.ok) return;
    expect(denied.retryAfterMs).toBe(600);
    expect(denied.error.status).toBe(429);
    expect(denied.error.code).toBe("rate_limited");
    expect(denied.error.headers).toEqual({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "2",
      "retry-after": "1",
    });
    expect(denied.event).toEqual({ policy: "localRateLimit", phase: "gateway", action: "rateLimited" });
    c.advance(600);
    expect(rl.takeRequest().ok).toBe(true);
    expect(rl.takeRequest().ok).toBe(false);
    c.advance(10_000);
    const full = rl.takeRequest();
    expect(full.ok && full.remaining).toBe(1);
  });

  it("a request must fit every bucket; a refusal spends nothing", () => {
    const c = clock();
    const rl = createRateLimiter(
      [
        { maxTokens: 5, tokensPerFill: 5, fillInterval: "1m" },
        { maxTokens: 1, tokensPerFill: 1, fillInterval: "1s" },
      ],
      c,
    );
    expect(rl.takeRequest().ok).toBe(true);
    const d = rl.takeRequest();
    expect(d.ok).toBe(false);
    expect(d.limit).toBe(1);
    c.advance(1000);
    const ok = rl.takeRequest();
    expect(ok.ok && ok.remaining).toBe(0);
    for (let i = 0; i < 3; i++) {
      c.advance(1000);
      expect(rl.takeRequest().ok).toBe(true);
    }
    c.advance(1000);
    const big = rl.takeRequest();
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.retryAfterMs).toBe(60_000 - 5000);
  });

  it("tokens: reserve an estimate, amend with the real usage (refund or debt)", () => {
    const c = clock();
    const rl = createRateLimiter(
      [{ maxTokens: 1000, tokensPerFill: 100, fillInterval: "1s", type: "tokens" }],
      c,
    );
    expect(rl.hasTokenBuckets && !rl.hasRequestBuckets).toBe(true);
    const r = rl.reserveTokens(600);
    if (!r.ok) throw new Error("expected ok");
    expect(r.remaining).toBe(400);
    expect(r.event).toEqual({ policy: "localRateLimit", phase: "request", action: "allow" });
    rl.amend(r.reservation, 100);
    const r2 = rl.reserveTokens(900);
    if (!r2.ok) throw new Error("expected ok after refund");
    expect(r2.remaining).toBe(0);
    rl.amend(r2.reservation, 1400);
    const r3 = rl.reserveTokens(1);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.retryAfterMs).toBe(6000);
    c.advance(6000);
    expect(rl.reserveTokens(1).ok).toBe(true);
  });

  it("an estimate larger than the bucket is charged the bucket's size, so it can pass when full", () => {
    const c = clock();
    const rl = createRateLimiter(
      [{ maxTokens: 100, tokensPerFill: 10, fillInterval: "1s", type: "tokens" }],
      c,
    );
    const r = rl.reserveTokens(5000);
    expect(r.ok && r.remaining).toBe(0);
    expect(rl.takeRequest().ok).toBe(true);
  });

  it("perKey: one bucket per gateway key name, bounded in number", () => {
    const c = clock();
    const rl = createRateLimiter([{ maxTokens: 1, tokensPerFill: 1, fillInterval: "1h", perKey: true }], {
      ...c,
      maxKeys: 2,
    });
    expect(rl.takeRequest("alice").ok).toBe(true);
    expect(rl.takeRequest("alice").ok).toBe(false);
    expect(rl.takeRequest("bob").ok).toBe(true);
    expect(rl.takeRequest().ok).toBe(true);
    expect(rl.takeRequest().ok).toBe(false);
    // "alice" was the least recently used of three keys with room for two: dropped, so fresh.
    expect(rl.takeRequest("alice").ok).toBe(true);
    expect(rl.takeRequest().ok).toBe(false);
  });
});

describe("globalRateLimit beside localRateLimit", () => {
  const hour = "1h";
  it("a global refusal gives the local tokens back; tokens are settled in the global store", async () => {
    const c = clock();
    const local = createLocalBucketStore(c);
    const global = createLocalBucketStore(c);
    // The global store as Redis would be: it answers with a promise.
    const asyncGlobal: BucketStore = {
      take: async (refs, cost) => global.take(refs, cost),
      refund: (ref, n) => global.refund(ref, n),
      charge: (ref, n) => global.charge(ref, n),
    };
    const rl = createRateLimiter(
      [{ maxTokens: 5, tokensPerFill: 5, fillInterval: hour }],
      { bucketStore: local, globalBucketStore: asyncGlobal, scope: "r" },
      [
        { maxTokens: 2, tokensPerFill: 2, fillInterval: hour },
        { maxTokens: 100, tokensPerFill: 100, fillInterval: hour, type: "tokens", perKey: true },
      ],
    );
    expect((await rl.takeRequest()).ok).toBe(true);
    expect((await rl.takeRequest()).ok).toBe(true);
    const refused = await rl.takeRequest();
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe("rate_limited");
    expect(refused.event).toEqual({ policy: "globalRateLimit", phase: "gateway", action: "rateLimited" });
    // The local bucket was charged 2, not 3: the refused request's token came back.
    const localRef = {
      list: "r#0:5/5/3600000",
      key: "",
      spec: { max: 5, perFill: 5, intervalMs: 3_600_000 },
    };
    expect(local.take([localRef], 0)).toMatchObject({ remaining: 3 });

    // Tokens: reserve an estimate of 40, settle at 10 from usage.
    const d = await rl.reserveTokens(40, "team-a");
    expect(d.ok && d.remaining).toBe(60);
    if (!d.ok) return;
    rl.amend(d.reservation, 10);
    const again = await rl.reserveTokens(90, "team-a");
    expect(again.ok && again.remaining).toBe(0);
    expect((await rl.reserveTokens(1, "team-a")).ok).toBe(false);
    expect((await rl.reserveTokens(1, "team-b")).ok).toBe(true);
  });

  it("a global store that cannot answer is 503 rate_limit_unavailable naming Redis", async () => {
    const rl = createRateLimiter(
      [],
      { globalBucketStore: { take: async () => "unavailable" as const, refund() {}, charge() {} } },
      [{ maxTokens: 2, tokensPerFill: 2, fillInterval: hour, failureMode: "closed" }],
    );
    const d = await rl.takeRequest();
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect([d.error.status, d.error.code]).toEqual([503, "rate_limit_unavailable"]);
    expect(d.error.message).toContain("Redis");
  });
});
