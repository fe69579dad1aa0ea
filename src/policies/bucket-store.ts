/**
 * Where `localRateLimit` keeps its token buckets. The limiter (rate-limit.ts) names the
 * buckets a request must fit and how much it costs; a store takes, refunds and charges
 * tokens atomically over those buckets. One process keeps them in memory (the local store
 * below, synchronous: no promise, no message). With `workers: N` every worker asks the
 * primary, which holds one local store for all of them (src/process/cluster-buckets.ts), so N
 * workers share one budget. A store shared across machines plugs in the same way.
 *
 * Buckets are grouped in lists, one per configured limit (its route, position and shape), and
 * keyed in a list by gateway key name ("" when the limit is not perKey). Both are bounded: the
 * oldest list and the least recently used key are forgotten first, which only forgets tokens
 * spent (a forgotten bucket comes back full).
 */

/** A bucket's shape; a list's buckets all have the same. */
export interface BucketSpec {
  readonly max: number;
  readonly perFill: number;
  readonly intervalMs: number;
  /** A shared store that cannot answer refuses (503) instead of falling back to a local bucket. */
  readonly failClosed?: boolean;
}

/** One bucket: which list, which key in it, and its shape. */
export interface BucketRef {
  readonly list: string;
  readonly key: string;
  readonly spec: BucketSpec;
}

/** The tightest bucket after a take. */
export interface BucketState {
  readonly limit: number;
  readonly remaining: number;
  /** Until that bucket is full again. */
  readonly resetMs: number;
}

export interface TakeResult extends BucketState {
  /** Every bucket held the cost (capped at its size) and was charged it; else none was. */
  readonly ok: boolean;
  /** When refused: until every bucket holds the cost. */
  readonly retryAfterMs: number;
}

/** The store could not answer (the primary process did not answer in time): fail closed. */
export type TakeOutcome = TakeResult | "unavailable";

export interface BucketStore {
  /** Charges `min(cost, size)` to every bucket if all hold it, atomically. */
  take(refs: readonly BucketRef[], cost: number): TakeOutcome | Promise<TakeOutcome>;
  /** Gives tokens back (a bucket never exceeds its size). */
  refund(ref: BucketRef, tokens: number): void;
  /** Charges more tokens than were taken, possibly below zero so later takes wait. */
  charge(ref: BucketRef, tokens: number): void;
}

/** A store that answers at once. */
export interface LocalBucketStore extends BucketStore {
  take(refs: readonly BucketRef[], cost: number): TakeResult;
}

export interface LocalBucketStoreOptions {
  /** Milliseconds; Date.now by default. */
  readonly now?: () => number;
  /** Most lists kept (the oldest is forgotten first). */
  readonly maxLists?: number;
  /** Most keys kept per list (the least recently used is forgotten first). */
  readonly maxKeys?: number;
}

export const DEFAULT_MAX_LISTS = 4096;
export const DEFAULT_MAX_KEYS = 10_000;

interface Bucket {
  tokens: number;
  last: number;
}

export function createLocalBucketStore(options: LocalBucketStoreOptions = {}): LocalBucketStore {
  const now = options.now ?? Date.now;
  const maxLists = Math.max(1, options.maxLists ?? DEFAULT_MAX_LISTS);
  const maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
  const lists = new Map<string, Map<string, Bucket>>();

  function bucketOf(ref: BucketRef, t: number): Bucket {
    let list = lists.get(ref.list);
    if (list === undefined) {
      list = new Map();
      lists.set(ref.list, list);
      if (lists.size > maxLists) {
        const oldest = lists.keys().next().value;
        if (oldest !== undefined) lists.delete(oldest);
      }
    }
    let b = list.get(ref.key);
    if (b === undefined) {
      b = { tokens: ref.spec.max, last: t };
      list.set(ref.key, b);
      if (list.size > maxKeys) {
        const oldest = list.keys().next().value;
        if (oldest !== undefined) list.delete(oldest);
      }
    } else if (list.size > 1) {
      // Least recently used order: a used key moves to the end.
      list.delete(ref.key);
      list.set(ref.key, b);
    }
    return b;
  }

  function refill(spec: BucketSpec, b: Bucket, t: number): void {
    const fills = Math.floor((t - b.last) / spec.intervalMs);
    if (fills <= 0) return;
    b.tokens = Math.min(spec.max, b.tokens + fills * spec.perFill);
    b.last = b.tokens >= spec.max ? t : b.last + fills * spec.intervalMs;
  }

  /** Time until the bucket holds `need` tokens. */
  function waitFor(spec: BucketSpec, b: Bucket, need: number, t: number): number {
    const deficit = need - b.tokens;
    if (deficit <= 0) return 0;
    return Math.ceil(deficit / spec.perFill) * spec.intervalMs - (t - b.last);
  }

  function take(refs: readonly BucketRef[], cost: number): TakeResult {
    const t = now();
    const buckets: Bucket[] = new Array(refs.length);
    let retryAfterMs = 0;
    for (let i = 0; i < refs.length; i++) {
      const spec = refs[i]!.spec;
      const b = bucketOf(refs[i]!, t);
      buckets[i] = b;
      refill(spec, b, t);
      const need = Math.min(cost, spec.max);
      if (b.tokens < need) retryAfterMs = Math.max(retryAfterMs, waitFor(spec, b, need, t));
    }
    const ok = retryAfterMs === 0;
    let tightest = -1;
    for (let i = 0; i < refs.length; i++) {
      const b = buckets[i]!;
      if (ok) b.tokens -= Math.min(cost, refs[i]!.spec.max);
      if (tightest === -1 || b.tokens < buckets[tightest]!.tokens) tightest = i;
    }
    if (tightest === -1) return { ok, retryAfterMs, limit: 0, remaining: 0, resetMs: 0 };
    const spec = refs[tightest]!.spec;
    const b = buckets[tightest]!;
    return { ok, retryAfterMs, limit: spec.max, remaining: b.tokens, resetMs: waitFor(spec, b, spec.max, t) };
  }

  return Object.freeze({
    take,
    refund(ref: BucketRef, tokens: number) {
      const b = bucketOf(ref, now());
      b.tokens = Math.min(ref.spec.max, b.tokens + tokens);
    },
    charge(ref: BucketRef, tokens: number) {
      const b = bucketOf(ref, now());
      b.tokens = Math.min(ref.spec.max, b.tokens - tokens);
    },
  });
}
