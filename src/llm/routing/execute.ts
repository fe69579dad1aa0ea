/**
 * Retry and fallback over a plan's candidates. Each candidate is tried, then retried per
 * `plan.retry` (exponential backoff with jitter, Retry-After honoured up to the cap) while the
 * failure is retryable; under `fallback` a connection error, timeout, 5xx, 408 or 429 then
 * moves on to the next candidate, and any other 4xx goes back to the caller at once. `single`
 * and `weighted` never move on. An attempt that reports `ok: true` has reached the client and
 * ends everything: nothing is retried after the first byte.
 */
import type {
  AttemptResult,
  Candidate,
  ExecutionOutcome,
  RetryPolicy,
  RoutingPlan,
  UpstreamFailure,
} from "../../runtime/plan.js";

export interface RetryEvent {
  readonly candidate: Candidate;
  /** The attempt that failed, counted across candidates from 1. */
  readonly attempt: number;
  readonly failure: UpstreamFailure;
  readonly delayMs: number;
}

export interface FallbackEvent {
  readonly from: Candidate;
  readonly to: Candidate;
  readonly failure: UpstreamFailure;
}

export interface ExecuteDeps {
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
  onRetry?: (e: RetryEvent) => void;
  onFallback?: (e: FallbackEvent) => void;
}

export type Attempt = (candidate: Candidate, attemptNo: number) => Promise<AttemptResult>;

/** Whether the same candidate may be tried again after `f`. */
export function isRetryable(f: UpstreamFailure, retry: RetryPolicy): boolean {
  if (f.kind !== "status") return true;
  return f.status !== undefined && retry.codes.has(f.status);
}

/** Whether `fallback` moves on after `f`: connection error, timeout, 5xx, 408 or 429. */
export function movesOn(f: UpstreamFailure): boolean {
  if (f.kind !== "status") return true;
  const s = f.status ?? 0;
  return s >= 500 || s === 408 || s === 429;
}

/**
 * The wait before retry number `retryNo` (0 for the first retry): the upstream's Retry-After
 * when it sent one, else backoff × 2^retryNo with "equal jitter" (between half and all of it);
 * never longer than `maxRetryAfterMs`.
 */
export function retryDelay(
  retry: RetryPolicy,
  retryNo: number,
  f: UpstreamFailure,
  random: () => number,
): number {
  const cap = retry.maxRetryAfterMs;
  if (f.retryAfterMs !== undefined && f.retryAfterMs >= 0) return Math.min(f.retryAfterMs, cap);
  const full = Math.min(retry.backoffMs * 2 ** retryNo, cap);
  return Math.round(full / 2 + random() * (full / 2));
}

export async function executePlan(
  plan: RoutingPlan,
  attempt: Attempt,
  deps: ExecuteDeps,
): Promise<ExecutionOutcome> {
  const candidates = plan.strategy === "fallback" ? plan.candidates : plan.candidates.slice(0, 1);
  const first = candidates[0];
  if (first === undefined) throw new Error("a routing plan has no candidate");
  let attempts = 0;
  let last: { candidate: Candidate; failure: UpstreamFailure } = {
    candidate: first,
    failure: { kind: "connect", message: "not attempted" },
  };
  let c = 0;
  for (; c < candidates.length; c++) {
    const candidate = candidates[c] as Candidate;
    for (let retryNo = 0; ; retryNo++) {
      attempts++;
      const result = await attempt(candidate, attempts);
      if (result.ok) return { candidate, attempts, fallbacks: c, failure: undefined };
      const failure = result.failure;
      last = { candidate, failure };
      if (retryNo >= plan.retry.attempts || !isRetryable(failure, plan.retry)) break;
      const delayMs = retryDelay(plan.retry, retryNo, failure, deps.random);
      deps.onRetry?.({ candidate, attempt: attempts, failure, delayMs });
      await deps.sleep(delayMs);
    }
    const next = candidates[c + 1];
    if (next === undefined || !movesOn(last.failure)) break;
    deps.onFallback?.({ from: candidate, to: next, failure: last.failure });
  }
  return { candidate: last.candidate, attempts, fallbacks: c, failure: last.failure };
}
