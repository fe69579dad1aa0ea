/** The `retry` policy as the executor uses it: milliseconds and a set of statuses. */
import { parseDuration } from "../../config/duration.js";
import type { RetryConfig } from "../../config/schema.js";
import type { RetryPolicy } from "../../runtime/plan.js";

export const DEFAULT_RETRY_CODES: readonly number[] = Object.freeze([429, 500, 502, 503, 504]);

export const NO_RETRY: RetryPolicy = Object.freeze({
  attempts: 0,
  backoffMs: 500,
  maxRetryAfterMs: 30_000,
  codes: new Set(DEFAULT_RETRY_CODES),
});

export function retryPolicy(config: RetryConfig | undefined): RetryPolicy {
  if (config === undefined) return NO_RETRY;
  return Object.freeze({
    attempts: config.attempts,
    backoffMs: parseDuration(config.backoff ?? "500ms"),
    maxRetryAfterMs: parseDuration(config.maxRetryAfter ?? "30s"),
    codes: new Set(config.codes ?? DEFAULT_RETRY_CODES),
  });
}
