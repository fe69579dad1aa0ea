/**
 * `localRateLimit`: token buckets, refilled lazily from an injected clock (no timers). A request
 * must fit in every bucket of its type. `requests` buckets cost 1 per request (gateway phase);
 * `tokens` buckets are charged an estimate before the call (`reserve`) and corrected from the
 * real usage afterwards (`amend`), which may take a bucket below zero so later requests wait.
 * `perKey` buckets are one per gateway key name (anonymous callers share one); their map is
 * bounded (least recently used dropped), and a dropped bucket only forgets spent tokens.
 */

import { parseDuration } from "../config/duration.js";
import type { RateLimitConfig } from "../config/schema.js";
import { GatewayError } from "../errors.js";
import { type PolicyEvent, policyEvent } from "./events.js";

export type BucketType = "requests" | "tokens";

interface Bucket {
  tokens: number;
  last: number;
}

interface Spec {
  readonly max: number;
  readonly perFill: number;
  readonly intervalMs: number;
  readonly type: BucketType;
  readonly perKey: boolean;
  readonly shared: Bucket;
  readonly byKey: Map<string, Bucket>;
}

export interface RateState {
  readonly limit: number;
  readonly remaining: number;
  /** Until the tightest bucket is full again. */
  readonly resetMs: number;
}

export type RateDecision =
  | (RateState & { readonly ok: true; readonly reservation: Reservation; readonly event: PolicyEvent })
  | (RateState & {
      readonly ok: false;
      readonly retryAfterMs: number;
      readonly error: GatewayError;
      readonly event: PolicyEvent;
    });

/** What a reserve charged, so amend can correct it. Opaque to callers. */
export interface Reservation {
  readonly charges: ReadonlyArray<{ readonly spec: Spec; readonly bucket: Bucket; readonly charged: number }>;
}

export interface RateLimiter {
  readonly hasRequestBuckets: boolean;
  readonly hasTokenBuckets: boolean;
  /** One request against every `requests` bucket. */
  takeRequest(keyName?: string): RateDecision;
  /** An estimate against every `tokens` bucket (each charge capped at the bucket's size). */
  reserveTokens(estimate: number, keyName?: string): RateDecision;
  /** Corrects a token reservation with the real count (input plus output). */
  amend(reservation: Reservation, actualTokens: number): void;
}

export interface RateLimitDeps {
  /** Milliseconds; Date.now by default. */
  readonly now?: () => number;
  /** Most perKey buckets kept per limit. */
  readonly maxKeys?: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

/** x-ratelimit-* for any decision; Retry-After too when `retryAfterMs` is given (429). */
export function rateLimitHeaders(d: RateState & { readonly retryAfterMs?: number }): Record<string, string> {
  const h: Record<string, string> = {
    "x-ratelimit-limit": String(d.limit),
    "x-ratelimit-remaining": String(Math.max(0, Math.floor(d.remaining))),
    "x-ratelimit-reset": String(Math.ceil(d.resetMs / 1000)),
  };
  if (d.retryAfterMs !== undefined) h["retry-after"] = String(Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
  return h;
}

export function createRateLimiter(cfgs: readonly RateLimitConfig[], deps: RateLimitDeps = {}): RateLimiter {
  const now = deps.now ?? Date.now;
  const maxKeys = deps.maxKeys ?? DEFAULT_MAX_KEYS;
  const start = now();
  const specs: Spec[] = cfgs.map((c) => ({
    max: c.maxTokens,
    perFill: c.tokensPerFill,
    intervalMs: Math.max(1, parseDuration(c.fillInterval)),
    type: c.type ?? "requests",
    perKey: c.perKey ?? false,
    shared: { tokens: c.maxTokens, last: start },
    byKey: new Map(),
  }));

  function bucketOf(spec: Spec, keyName: string | undefined): Bucket {
    if (!spec.perKey) return spec.shared;
    const k = keyName ?? "";
    let b = spec.byKey.get(k);
    if (b !== undefined) spec.byKey.delete(k);
    else b = { tokens: spec.max, last: now() };
    spec.byKey.set(k, b);
    if (spec.byKey.size > maxKeys) {
      const oldest = spec.byKey.keys().next().value;
      if (oldest !== undefined) spec.byKey.delete(oldest);
    }
    return b;
  }

  function refill(spec: Spec, b: Bucket, t: number): void {
    const fills = Math.floor((t - b.last) / spec.intervalMs);
    if (fills <= 0) return;
    b.tokens = Math.min(spec.max, b.tokens + fills * spec.perFill);
    b.last = b.tokens >= spec.max ? t : b.last + fills * spec.intervalMs;
  }

  /** Time until the bucket holds `need` tokens. */
  function waitFor(spec: Spec, b: Bucket, need: number, t: number): number {
    const deficit = need - b.tokens;
    if (deficit <= 0) return 0;
    return Math.ceil(deficit / spec.perFill) * spec.intervalMs - (t - b.last);
  }

  function take(type: BucketType, cost: number, keyName: string | undefined): RateDecision {
    const t = now();
    const phase = type === "requests" ? "gateway" : "request";
    const active = specs
      .filter((s) => s.type === type)
      .map((spec) => ({ spec, bucket: bucketOf(spec, keyName) }));
    let retryAfterMs = 0;
    for (const { spec, bucket } of active) {
      refill(spec, bucket, t);
      const need = Math.min(cost, spec.max);
      if (bucket.tokens < need) retryAfterMs = Math.max(retryAfterMs, waitFor(spec, bucket, need, t));
    }
    const charges =
      retryAfterMs > 0
        ? []
        : active.map(({ spec, bucket }) => {
            const charged = Math.min(cost, spec.max);
            bucket.tokens -= charged;
            return { spec, bucket, charged };
          });
    let state: RateState = { limit: 0, remaining: Number.POSITIVE_INFINITY, resetMs: 0 };
    for (const { spec, bucket } of active) {
      if (bucket.tokens < state.remaining) {
        state = { limit: spec.max, remaining: bucket.tokens, resetMs: waitFor(spec, bucket, spec.max, t) };
      }
    }
    if (active.length === 0) state = { limit: 0, remaining: 0, resetMs: 0 };
    if (retryAfterMs === 0) {
      return {
        ok: true,
        ...state,
        reservation: { charges },
        event: policyEvent("localRateLimit", phase, "allow"),
      };
    }
    const decision = { ok: false as const, ...state, retryAfterMs };
    const error = new GatewayError(
      429,
      "rate_limited",
      type === "requests" ? "Too many requests; retry later." : "Too many tokens; retry later.",
      rateLimitHeaders(decision),
    );
    return { ...decision, error, event: policyEvent("localRateLimit", phase, "rateLimited") };
  }

  function amend(reservation: Reservation, actualTokens: number): void {
    for (const { spec, bucket, charged } of reservation.charges) {
      bucket.tokens = Math.min(spec.max, bucket.tokens + charged - actualTokens);
    }
  }

  return Object.freeze({
    hasRequestBuckets: specs.some((s) => s.type === "requests"),
    hasTokenBuckets: specs.some((s) => s.type === "tokens"),
    takeRequest: (keyName?: string) => take("requests", 1, keyName),
    reserveTokens: (estimate: number, keyName?: string) =>
      take("tokens", Math.max(0, Math.ceil(estimate)), keyName),
    amend,
  });
}
