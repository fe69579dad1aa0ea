/** executePlan: attempt counts for retry, fallback, 4xx, 408/429, Retry-After, with a fake sleep. */
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/llm/providers/registry.js";
import { executePlan, retryDelay } from "../../../src/llm/routing/execute.js";
import { retryPolicy } from "../../../src/llm/routing/retry-policy.js";
import type { AttemptResult, Candidate, RoutingPlan, UpstreamFailure } from "../../../src/runtime/plan.js";

function cand(name: string): Candidate {
  return {
    name,
    providerName: name,
    provider: PROVIDERS.openAI,
    upstream: undefined,
    model: "m",
    auth: { kind: "caller" },
    responsesApi: true,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
  };
}

function plan(
  strategy: RoutingPlan["strategy"],
  names: string[],
  retry = retryPolicy(undefined),
): RoutingPlan {
  return { requestedModel: "m", path: { kind: "passthrough" }, strategy, candidates: names.map(cand), retry };
}

const fail = (f: Partial<UpstreamFailure> & { kind: UpstreamFailure["kind"] }): AttemptResult => ({
  ok: false,
  failure: { message: "x", ...f },
});
const status = (s: number, retryAfterMs?: number) =>
  fail({ kind: "status", status: s, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const OK: AttemptResult = { ok: true };

/** Scripted results per candidate name, in order; records every call and sleep. */
function world(script: Record<string, AttemptResult[]>, random = () => 0.5) {
  const calls: string[] = [];
  const sleeps: number[] = [];
  const fallbacks: string[] = [];
  const attempt = async (c: Candidate, n: number) => {
    calls.push(`${c.name}#${n}`);
    const next = script[c.name]?.shift();
    if (next === undefined) throw new Error(`no scripted result for ${c.name}`);
    return next;
  };
  const deps = {
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random,
    onFallback: (e: { from: Candidate; to: Candidate }) => fallbacks.push(`${e.from.name}->${e.to.name}`),
  };
  return { calls, sleeps, fallbacks, attempt, deps };
}

const retry2 = retryPolicy({ attempts: 2, backoff: "100ms", maxRetryAfter: "5s" });

describe("executePlan", () => {
  it("a first success ends it: one attempt, no sleep", async () => {
    const w = world({ a: [OK] });
    const out = await executePlan(plan("fallback", ["a", "b"], retry2), w.attempt, w.deps);
    expect(out).toMatchObject({ attempts: 1, failure: undefined });
    expect(out.candidate.name).toBe("a");
    expect(w.calls).toEqual(["a#1"]);
    expect(w.sleeps).toEqual([]);
  });

  it("retries a candidate per retry.attempts with exponential backoff before giving up (single)", async () => {
    const w = world({ a: [status(503), status(503), status(503)] });
    const out = await executePlan(plan("single", ["a"], retry2), w.attempt, w.deps);
    expect(w.calls).toEqual(["a#1", "a#2", "a#3"]);
    // random 0.5: half + a quarter of 100ms, then of 200ms.
    expect(w.sleeps).toEqual([75, 150]);
    expect(out).toMatchObject({ attempts: 3, failure: { status: 503 } });
  });

  it("a retry that succeeds stops there", async () => {
    const w = world({ a: [fail({ kind: "connect" }), OK] });
    const out = await executePlan(plan("single", ["a"], retry2), w.attempt, w.deps);
    expect(out).toMatchObject({ attempts: 2, failure: undefined });
  });

  it("without a retry policy each candidate is tried once; fallback moves on after 5xx, connect and timeout", async () => {
    const w = world({
      a: [status(500)],
      b: [fail({ kind: "connect" })],
      c: [fail({ kind: "timeout" })],
      d: [OK],
    });
    const out = await executePlan(plan("fallback", ["a", "b", "c", "d"]), w.attempt, w.deps);
    expect(w.calls).toEqual(["a#1", "b#2", "c#3", "d#4"]);
    expect(w.fallbacks).toEqual(["a->b", "b->c", "c->d"]);
    expect(out).toMatchObject({ attempts: 4, fallbacks: 3, failure: undefined });
    expect(out.candidate.name).toBe("d");
  });

  it("fallback retries each target first, then moves on", async () => {
    const w = world({ a: [status(502), status(502), status(502)], b: [status(500), OK] });
    const out = await executePlan(plan("fallback", ["a", "b"], retry2), w.attempt, w.deps);
    expect(w.calls).toEqual(["a#1", "a#2", "a#3", "b#4", "b#5"]);
    expect(w.sleeps).toEqual([75, 150, 75]);
    expect(out).toMatchObject({ attempts: 5, fallbacks: 1 });
  });

  it("a 4xx other than 408/429 returns to the caller at once: no retry, no fallback", async () => {
    for (const s of [400, 401, 403, 404, 422]) {
      const w = world({ a: [status(s)], b: [OK] });
      const out = await executePlan(plan("fallback", ["a", "b"], retry2), w.attempt, w.deps);
      expect(w.calls).toEqual(["a#1"]);
      expect(out).toMatchObject({ attempts: 1, fallbacks: 0, failure: { status: s } });
    }
  });

  it("408 and 429 move on under fallback (429 retried first; 408 is not in the default codes)", async () => {
    const w = world({ a: [status(429), status(429), status(429)], b: [status(408)], c: [OK] });
    const out = await executePlan(plan("fallback", ["a", "b", "c"], retry2), w.attempt, w.deps);
    expect(w.calls).toEqual(["a#1", "a#2", "a#3", "b#4", "c#5"]);
    expect(out).toMatchObject({ attempts: 5, fallbacks: 2, failure: undefined });
  });

  it("single and weighted never move on, even past a 5xx", async () => {
    for (const s of ["single", "weighted"] as const) {
      const w = world({ a: [status(500)], b: [OK] });
      const out = await executePlan(plan(s, ["a", "b"]), w.attempt, w.deps);
      expect(w.calls).toEqual(["a#1"]);
      expect(out).toMatchObject({ attempts: 1, failure: { status: 500 } });
    }
  });

  it("Retry-After is honoured, capped at maxRetryAfter", async () => {
    const w = world({ a: [status(429, 2000), status(429, 60_000), OK] });
    await executePlan(plan("single", ["a"], retry2), w.attempt, w.deps);
    expect(w.sleeps).toEqual([2000, 5000]);
  });

  it("only the configured codes are retried", async () => {
    const only500 = retryPolicy({ attempts: 3, backoff: "10ms", codes: [500] });
    const w = world({ a: [status(503)], b: [status(500), OK] });
    const out = await executePlan(plan("fallback", ["a", "b"], only500), w.attempt, w.deps);
    expect(w.calls).toEqual(["a#1", "b#2", "b#3"]);
    expect(out.failure).toBeUndefined();
  });

  it("all candidates failing returns the last failure and its candidate", async () => {
    const w = world({ a: [status(500)], b: [status(503)] });
    const out = await executePlan(plan("fallback", ["a", "b"]), w.attempt, w.deps);
    expect(out.candidate.name).toBe("b");
    expect(out.failure?.status).toBe(503);
  });
});

describe("retryDelay jitter", () => {
  const f: UpstreamFailure = { kind: "status", status: 503, message: "x" };
  it("stays within [half, all] of the doubled backoff, and under the cap", () => {
    const policy = retryPolicy({ attempts: 10, backoff: "100ms", maxRetryAfter: "1s" });
    for (let n = 0; n < 8; n++) {
      const full = Math.min(100 * 2 ** n, 1000);
      expect(retryDelay(policy, n, f, () => 0)).toBe(full / 2);
      expect(retryDelay(policy, n, f, () => 0.999999)).toBeLessThanOrEqual(full);
      expect(retryDelay(policy, n, f, () => 0.999999)).toBeGreaterThan(full * 0.99);
    }
  });
});
