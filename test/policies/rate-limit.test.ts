import { describe, expect, it } from "vitest";
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
