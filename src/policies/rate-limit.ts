/**
 * `localRateLimit`: token buckets, refilled lazily from an injected clock (no timers). A request
 * must fit in every bucket of its type. `requests` buckets cost 1 per request (gateway phase);
 * `tokens` buckets are charged an estimate before the call (`reserve`) and corrected from the
 * real usage afterwards (`amend`), which may take a bucket below zero so later requests wait.
 * `perKey` buckets are one per gateway key name (anonymous callers share one).
 *
 * The buckets live in a BucketStore (bucket-store.ts): in this process by default (decisions
 * are synchronous), or shared by the workers through the primary (decisions are promises). A
 * store that cannot answer fails closed: 503 `rate_limit_unavailable`, never an admission.
 *
 * `globalRateLimit` buckets have the same shapes but live in the global store (Redis, shared by
 * every instance: src/process/redis-buckets.ts). A request takes from its local buckets first,
 * then from its global ones; a global refusal gives the local tokens back.
 */

import { parseDuration } from "../config/duration.js";
import type { GlobalRateLimitConfig, RateLimitConfig } from "../config/schema.js";
import { GatewayError } from "../errors.js";
import {
  type BucketRef,
  type BucketSpec,
  type BucketStore,
  createLocalBucketStore,
  DEFAULT_MAX_KEYS,
  type LocalBucketStore,
  type TakeOutcome,
} from "./bucket-store.js";
import { type PolicyEvent, policyEvent } from "./events.js";

export { DEFAULT_MAX_KEYS };

export type BucketType = "requests" | "tokens";

interface Limit {
  readonly list: string;
  readonly spec: BucketSpec;
  readonly type: BucketType;
  readonly perKey: boolean;
  readonly global: boolean;
  /** The one bucket when not perKey. */
  readonly shared: BucketRef;
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
  readonly refs: readonly BucketRef[];
  /** Taken from the global store. */
  readonly globalRefs: readonly BucketRef[];
  readonly cost: number;
}

/** A decision now (the store is in this process) or once the store answers. */
export type Decided<D> = D | Promise<D>;

export interface RateLimiter<D extends Decided<RateDecision> = Decided<RateDecision>> {
  readonly hasRequestBuckets: boolean;
  readonly hasTokenBuckets: boolean;
  /** One request against every `requests` bucket. */
  takeRequest(keyName?: string): D;
  /** An estimate against every `tokens` bucket (each charge capped at the bucket's size). */
  reserveTokens(estimate: number, keyName?: string): D;
  /** Corrects a token reservation with the real count (input plus output). */
  amend(reservation: Reservation, actualTokens: number): void;
}

export interface RateLimitDeps {
  /** Milliseconds; Date.now by default. */
  readonly now?: () => number;
  /** Most perKey buckets kept per limit. */
  readonly maxKeys?: number;
  /** Where the buckets live; a store of this limiter's own when absent. */
  readonly bucketStore?: BucketStore;
  /**
   * Names this limiter's buckets in a shared store (the route), so each worker's copy of
   * the same limit finds the same buckets.
   */
  readonly scope?: string;
  /** Where `globalRateLimit` buckets live (Redis); the local store when absent (one process). */
  readonly globalBucketStore?: BucketStore;
}

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

const NONE: readonly BucketRef[] = Object.freeze([]);
const EMPTY: Reservation = Object.freeze({ refs: NONE, globalRefs: NONE, cost: 0 });

export function createRateLimiter(
  cfgs: readonly RateLimitConfig[],
  deps?: RateLimitDeps & { readonly bucketStore?: LocalBucketStore; readonly globalBucketStore?: undefined },
  globalCfgs?: readonly GlobalRateLimitConfig[],
): RateLimiter<RateDecision>;
export function createRateLimiter(
  cfgs: readonly RateLimitConfig[],
  deps: RateLimitDeps,
  globalCfgs?: readonly GlobalRateLimitConfig[],
): RateLimiter;
export function createRateLimiter(
  cfgs: readonly RateLimitConfig[],
  deps: RateLimitDeps = {},
  globalCfgs: readonly GlobalRateLimitConfig[] = [],
): RateLimiter {
  const store =
    deps.bucketStore ??
    createLocalBucketStore({
      ...(deps.now === undefined ? {} : { now: deps.now }),
      maxKeys: deps.maxKeys ?? DEFAULT_MAX_KEYS,
    });
  const globalStore = deps.globalBucketStore ?? store;
  const scope = deps.scope ?? "";
  const limitOf = (c: RateLimitConfig, i: number, global: boolean, failClosed: boolean): Limit => {
    const spec: BucketSpec = Object.freeze({
      max: c.maxTokens,
      perFill: c.tokensPerFill,
      intervalMs: Math.max(1, parseDuration(c.fillInterval)),
      ...(failClosed ? { failClosed } : {}),
    });
    // The shape is part of the name: a reload that changes a limit starts it afresh.
    const list = `${scope}#${global ? "g" : ""}${i}:${spec.max}/${spec.perFill}/${spec.intervalMs}`;
    return {
      list,
      spec,
      type: c.type ?? "requests",
      perKey: c.perKey ?? false,
      global,
      shared: Object.freeze({ list, key: "", spec }),
    };
  };
  const limits: Limit[] = [
    ...cfgs.map((c, i) => limitOf(c, i, false, false)),
    ...globalCfgs.map((c, i) => limitOf(c, i, true, c.failureMode === "closed")),
  ];
  const ofType = (type: BucketType): readonly Limit[] => limits.filter((l) => l.type === type);
  const byType = { requests: ofType("requests"), tokens: ofType("tokens") };
  const hasGlobal = {
    requests: byType.requests.some((l) => l.global),
    tokens: byType.tokens.some((l) => l.global),
  };
  // Without perKey limits, a type's buckets are the same for every request: named once.
  const fixed = {
    requests: byType.requests.some((l) => l.perKey) ? undefined : byType.requests.map((l) => l.shared),
    tokens: byType.tokens.some((l) => l.perKey) ? undefined : byType.tokens.map((l) => l.shared),
  };

  function refsOf(type: BucketType, keyName: string | undefined, global: boolean): readonly BucketRef[] {
    const f = fixed[type];
    const all =
      f ??
      byType[type].map((l) => (l.perKey ? { list: l.list, key: keyName ?? "", spec: l.spec } : l.shared));
    if (!hasGlobal[type]) return global ? NONE : all;
    return all.filter((_, i) => byType[type][i]!.global === global);
  }

  function decide(
    type: BucketType,
    refs: readonly BucketRef[],
    globalRefs: readonly BucketRef[],
    cost: number,
    r: TakeOutcome,
    policy: "localRateLimit" | "globalRateLimit",
  ): RateDecision {
    const phase = type === "requests" ? "gateway" : "request";
    if (r === "unavailable") {
      const state = { limit: 0, remaining: 0, resetMs: 0 };
      const error = new GatewayError(
        503,
        "rate_limit_unavailable",
        policy === "globalRateLimit"
          ? "The rate limit could not be checked (Redis did not answer in time); retry later."
          : "The rate limit could not be checked (the gateway's primary process did not answer); retry later.",
        { "retry-after": "1" },
      );
      return { ok: false, ...state, retryAfterMs: 1000, error, event: policyEvent(policy, phase, "reject") };
    }
    const state: RateState = { limit: r.limit, remaining: r.remaining, resetMs: r.resetMs };
    if (r.ok) {
      return {
        ok: true,
        ...state,
        reservation: type === "tokens" ? { refs, globalRefs, cost } : EMPTY,
        event: policyEvent(policy, phase, "allow"),
      };
    }
    const decision = { ok: false as const, ...state, retryAfterMs: r.retryAfterMs };
    const error = new GatewayError(
      429,
      "rate_limited",
      type === "requests" ? "Too many requests; retry later." : "Too many tokens; retry later.",
      rateLimitHeaders(decision),
    );
    return { ...decision, error, event: policyEvent(policy, phase, "rateLimited") };
  }

  /** The tighter of the local and global answers (both admitted). */
  const tighter = (a: TakeOutcome, b: TakeOutcome): TakeOutcome =>
    a === "unavailable" || b === "unavailable" ? "unavailable" : a.remaining <= b.remaining ? a : b;

  function take(type: BucketType, cost: number, keyName: string | undefined): Decided<RateDecision> {
    const refs = refsOf(type, keyName, false);
    const globalRefs = refsOf(type, keyName, true);
    if (globalRefs.length === 0) {
      const r = store.take(refs, cost);
      const d = (x: TakeOutcome) => decide(type, refs, NONE, cost, x, "localRateLimit");
      return r instanceof Promise ? r.then(d) : d(r);
    }
    const thenGlobal = (local: TakeOutcome | undefined): Decided<RateDecision> => {
      if (local !== undefined && (local === "unavailable" || !local.ok)) {
        return decide(type, refs, globalRefs, cost, local, "localRateLimit");
      }
      const finish = (g: TakeOutcome): RateDecision => {
        if (g === "unavailable" || !g.ok) {
          // Refused globally: the local buckets get their tokens back.
          for (const ref of refs) store.refund(ref, Math.min(cost, ref.spec.max));
          return decide(type, refs, globalRefs, cost, g, "globalRateLimit");
        }
        return decide(
          type,
          refs,
          globalRefs,
          cost,
          local === undefined ? g : tighter(local, g),
          "globalRateLimit",
        );
      };
      const g = globalStore.take(globalRefs, cost);
      return g instanceof Promise ? g.then(finish) : finish(g);
    };
    if (refs.length === 0) return thenGlobal(undefined);
    const r = store.take(refs, cost);
    return r instanceof Promise ? r.then(thenGlobal) : thenGlobal(r);
  }

  function amendIn(
    target: BucketStore,
    refs: readonly BucketRef[],
    cost: number,
    actualTokens: number,
  ): void {
    for (const ref of refs) {
      const delta = Math.min(cost, ref.spec.max) - actualTokens;
      if (delta > 0) target.refund(ref, delta);
      else if (delta < 0) target.charge(ref, -delta);
    }
  }

  function amend(reservation: Reservation, actualTokens: number): void {
    amendIn(store, reservation.refs, reservation.cost, actualTokens);
    amendIn(globalStore, reservation.globalRefs, reservation.cost, actualTokens);
  }

  return Object.freeze({
    hasRequestBuckets: byType.requests.length > 0,
    hasTokenBuckets: byType.tokens.length > 0,
    takeRequest: (keyName?: string) => take("requests", 1, keyName),
    reserveTokens: (estimate: number, keyName?: string) =>
      take("tokens", Math.max(0, Math.ceil(estimate)), keyName),
    amend,
  });
}
