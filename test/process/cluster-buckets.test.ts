/**
 * The workers' shared rate-limit buckets without processes: IPC-backed stores talking to one
 * primary through in-memory channels (messages delivered asynchronously, as IPC does), a
 * primary that never answers (fail closed: 503), malformed messages, and the primary's bounds.
 */
import { describe, expect, it } from "vitest";
import type { RateLimitConfig } from "../../src/config/schema.js";
import { type BucketRef, createLocalBucketStore } from "../../src/policies/bucket-store.js";
import { createRateLimiter, type RateDecision } from "../../src/policies/rate-limit.js";
import { type IpcChannel, ipcBucketStore, primaryBuckets } from "../../src/process/cluster-buckets.js";

/** A worker's channel wired to `primary`; `deliver: false` drops every message (a stalled primary). */
function channelTo(primary: ReturnType<typeof primaryBuckets>, deliver = true): IpcChannel {
  let listener: ((m: unknown) => void) | undefined;
  return {
    send(message) {
      if (!deliver) return true;
      // Structured clone, then later: what crosses a real IPC channel.
      const copy: unknown = structuredClone(message);
      setImmediate(() =>
        primary.handle(copy, (answer) => setImmediate(() => listener?.(structuredClone(answer)))),
      );
      return true;
    },
    onMessage(l) {
      listener = l;
    },
  };
}

const REQUESTS: RateLimitConfig[] = [
  { maxTokens: 5, tokensPerFill: 5, fillInterval: "1h", type: "requests" },
];

describe("IPC bucket stores share the primary's buckets", () => {
  it("two workers' limiters for the same route admit the limit once, not once each", async () => {
    const primary = primaryBuckets();
    const workers = [0, 1].map(() =>
      createRateLimiter(REQUESTS, { bucketStore: ipcBucketStore(channelTo(primary)), scope: "llm" }),
    );
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => workers[i % 2]!.takeRequest() as Promise<RateDecision>),
    );
    expect(decisions.filter((d) => d.ok)).toHaveLength(5);
    const refused = decisions.find((d) => !d.ok);
    expect(refused?.ok === false && refused.error.status).toBe(429);
    // Another route's limit is its own budget.
    const other = createRateLimiter(REQUESTS, {
      bucketStore: ipcBucketStore(channelTo(primary)),
      scope: "r2",
    });
    expect((await other.takeRequest()).ok).toBe(true);
  });

  it("token refunds and charges reach the primary", async () => {
    const primary = primaryBuckets();
    const cfg: RateLimitConfig[] = [
      { maxTokens: 100, tokensPerFill: 100, fillInterval: "1h", type: "tokens" },
    ];
    const [a, b] = [0, 1].map(() =>
      createRateLimiter(cfg, { bucketStore: ipcBucketStore(channelTo(primary)), scope: "llm" }),
    );
    const r = await a!.reserveTokens(80);
    if (!r.ok) throw new Error("expected ok");
    expect(r.remaining).toBe(20);
    a!.amend(r.reservation, 10); // refund 70
    const r2 = await b!.reserveTokens(90);
    if (!r2.ok) throw new Error("expected ok after the refund");
    expect(r2.remaining).toBe(0);
    b!.amend(r2.reservation, 150); // charge 60 more
    const r3 = await a!.reserveTokens(1);
    expect(r3.ok).toBe(false);
    expect(r3.remaining).toBe(-60);
  });
});

describe("fail closed", () => {
  it("a primary that does not answer in time is 503 rate_limit_unavailable, not an admission", async () => {
    const store = ipcBucketStore(channelTo(primaryBuckets(), false), 20);
    const rl = createRateLimiter(REQUESTS, { bucketStore: store, scope: "llm" });
    const d = await rl.takeRequest();
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error.status).toBe(503);
    expect(d.error.code).toBe("rate_limit_unavailable");
    expect(d.error.headers).toEqual({ "retry-after": "1" });
    expect(d.event).toEqual({ policy: "localRateLimit", phase: "gateway", action: "reject" });
  });

  it("a channel that cannot send fails at once", async () => {
    const store = ipcBucketStore({ send: () => false, onMessage: () => {} }, 60_000);
    const rl = createRateLimiter(REQUESTS, { bucketStore: store });
    const d = await rl.takeRequest();
    expect(d.ok === false && d.error.code).toBe("rate_limit_unavailable");
  });

  it("the primary refuses malformed takes and ignores other messages", () => {
    const primary = primaryBuckets();
    const answers: unknown[] = [];
    const reply = (a: unknown) => answers.push(a);
    const ref = { list: "l", key: "", max: 5, perFill: 1, intervalMs: 1000 };
    expect(
      primary.handle({ type: "agw:bucket:take", id: 1, refs: [{ ...ref, max: "5" }], cost: 1 }, reply),
    ).toBe(true);
    expect(primary.handle({ type: "agw:bucket:take", id: 2, refs: [ref], cost: -1 }, reply)).toBe(true);
    expect(
      primary.handle({ type: "agw:bucket:take", id: 3, refs: new Array(65).fill(ref), cost: 1 }, reply),
    ).toBe(true);
    expect(answers).toEqual([1, 2, 3].map((id) => ({ type: "agw:bucket:took", id, result: "unavailable" })));
    expect(primary.handle({ type: "agw:recent", fields: [] }, reply)).toBe(false);
    expect(primary.handle({ type: "agw:bucket:take", id: 4, refs: [ref], cost: 1 }, reply)).toBe(true);
    expect(answers[3]).toMatchObject({ id: 4, result: { ok: true, limit: 5, remaining: 4 } });
  });
});

describe("the store's bounds", () => {
  it("keeps at most maxLists lists (the oldest forgotten) and maxKeys keys per list", () => {
    const store = createLocalBucketStore({ now: () => 0, maxLists: 2, maxKeys: 2 });
    const spec = { max: 1, perFill: 1, intervalMs: 3_600_000 };
    const ref = (list: string, key = ""): BucketRef => ({ list, key, spec });
    expect(store.take([ref("a")], 1).ok).toBe(true);
    expect(store.take([ref("a")], 1).ok).toBe(false);
    expect(store.take([ref("b")], 1).ok).toBe(true);
    expect(store.take([ref("c")], 1).ok).toBe(true);
    // "a" was the oldest of three lists with room for two: forgotten, so full again.
    expect(store.take([ref("a")], 1).ok).toBe(true);
    for (const k of ["x", "y", "z"]) expect(store.take([ref("a", k)], 1).ok).toBe(true);
    // List "a" kept its last two keys: "x" is fresh, "z" is still spent.
    expect(store.take([ref("a", "z")], 1).ok).toBe(false);
    expect(store.take([ref("a", "x")], 1).ok).toBe(true);
  });
});
