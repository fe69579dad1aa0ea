/**
 * `globalRateLimit` buckets in Redis, shared by every agw instance and worker. Each check is
 * one Lua script run atomically by Redis (EVALSHA, EVAL when Redis does not know the script
 * yet): it refills every bucket from Redis's own clock (`TIME`), charges all of them or none,
 * and answers the tightest, so concurrent instances never race on a read-modify-write.
 *
 * Keys are `<keyPrefix>:rl:<sha256 of list and key>`: a caller's key name never reaches Redis
 * raw and every key has the same size. A bucket's key expires once it would be full again (a
 * missing key is a full bucket), so Redis keeps only buckets in use.
 *
 * When Redis does not answer within `timeout` (down, slow, unreachable), the limit's
 * failureMode decides: closed answers "unavailable" (503 `rate_limit_unavailable`); open (the
 * default) takes from a bucket of this process with the same shape, so each process still
 * enforces the limit on its own. Either way `onError` is told (a metric and a log line).
 */
import { createHash } from "node:crypto";
import {
  type BucketRef,
  type BucketStore,
  createLocalBucketStore,
  type TakeOutcome,
  type TakeResult,
} from "../policies/bucket-store.js";
import { withinRedisTimeout } from "./redis-deadline.js";

/** The two commands the store needs (an ioredis client has them). */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisBucketStoreOptions {
  readonly keyPrefix: string;
  /** Milliseconds a take waits for Redis. */
  readonly timeoutMs: number;
  /** Redis failed or was late (for the metric and the log). */
  readonly onError?: (err: Error) => void;
}

/**
 * ARGV[1]: "take" (charge ARGV[2] to every bucket if all hold it) or "add" (add ARGV[2], which
 * may be negative, to the one bucket). Then per key: size, tokens per fill, fill interval (ms).
 * Answers { ok, retryAfterMs, limit, remaining, resetMs } of the tightest bucket.
 */
export const BUCKET_SCRIPT = `
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local mode = ARGV[1]
local amount = tonumber(ARGV[2])
local n = #KEYS
local tokens, lasts, maxs, fills, ivs, fulls = {}, {}, {}, {}, {}, {}
local retry = 0
for i = 1, n do
  local max = tonumber(ARGV[3 * i])
  local pf = tonumber(ARGV[3 * i + 1])
  local iv = tonumber(ARGV[3 * i + 2])
  local h = redis.call('HMGET', KEYS[i], 't', 'l')
  local tk = tonumber(h[1])
  local last = tonumber(h[2])
  if tk == nil or last == nil then tk = max; last = t end
  local f = math.floor((t - last) / iv)
  if f > 0 then
    tk = math.min(max, tk + f * pf)
    if tk >= max then last = t else last = last + f * iv end
  end
  if mode == 'take' then
    local need = math.min(amount, max)
    if tk < need then
      retry = math.max(retry, math.ceil((need - tk) / pf) * iv - (t - last))
    end
  end
  tokens[i], lasts[i], maxs[i], fills[i], ivs[i] = tk, last, max, pf, iv
end
local ok = retry == 0
local tightest = 0
for i = 1, n do
  if mode == 'take' then
    if ok then tokens[i] = tokens[i] - math.min(amount, maxs[i]) end
  else
    tokens[i] = math.min(maxs[i], tokens[i] + amount)
  end
  local full = 0
  if tokens[i] < maxs[i] then
    full = math.ceil((maxs[i] - tokens[i]) / fills[i]) * ivs[i] - (t - lasts[i])
  end
  if full > 0 then
    redis.call('HSET', KEYS[i], 't', tokens[i], 'l', lasts[i])
    redis.call('PEXPIRE', KEYS[i], full + ivs[i])
  else
    redis.call('DEL', KEYS[i])
  end
  fulls[i] = math.max(0, full)
  if tightest == 0 or tokens[i] < tokens[tightest] then tightest = i end
end
if tightest == 0 then return {ok and 1 or 0, retry, 0, 0, 0} end
return {ok and 1 or 0, retry, maxs[tightest], tokens[tightest], fulls[tightest]}
`;

const SCRIPT_SHA = createHash("sha1").update(BUCKET_SCRIPT).digest("hex");

/** A fixed-size Redis key for a bucket: the names are hashed, never written raw. */
export function bucketKey(prefix: string, ref: BucketRef): string {
  const h = createHash("sha256").update(ref.list).update("\0").update(ref.key).digest("hex").slice(0, 32);
  return `${prefix}:rl:${h}`;
}

export interface RedisBucketStore extends BucketStore {
  /** The process-local buckets used while Redis fails (failureMode open). */
  readonly floor: BucketStore;
}

export function createRedisBucketStore(
  client: RedisScriptClient,
  options: RedisBucketStoreOptions,
): RedisBucketStore {
  const floor = createLocalBucketStore();
  const onError = options.onError ?? (() => {});

  async function run(keys: readonly string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return client.eval(BUCKET_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  const withTimeout = <T>(p: Promise<T>): Promise<T> => withinRedisTimeout(p, options.timeoutMs);

  const shapeArgs = (refs: readonly BucketRef[]): number[] =>
    refs.flatMap((r) => [r.spec.max, r.spec.perFill, r.spec.intervalMs]);

  function parse(reply: unknown): TakeResult {
    if (!Array.isArray(reply) || reply.length !== 5)
      throw new Error("unexpected reply from the rate-limit script");
    const [ok, retryAfterMs, limit, remaining, resetMs] = reply.map((v) => Number(v));
    return {
      ok: ok === 1,
      retryAfterMs: retryAfterMs ?? 0,
      limit: limit ?? 0,
      remaining: remaining ?? 0,
      resetMs: resetMs ?? 0,
    };
  }

  const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

  function adjust(ref: BucketRef, delta: number): void {
    const keys = [bucketKey(options.keyPrefix, ref)];
    withTimeout(run(keys, ["add", delta, ...shapeArgs([ref])])).catch((err: unknown) => {
      onError(asError(err));
      // Redis is failing: the floor carries the correction instead.
      if (delta > 0) floor.refund(ref, delta);
      else floor.charge(ref, -delta);
    });
  }

  return Object.freeze({
    floor,
    async take(refs: readonly BucketRef[], cost: number): Promise<TakeOutcome> {
      const keys = refs.map((r) => bucketKey(options.keyPrefix, r));
      try {
        return parse(await withTimeout(run(keys, ["take", cost, ...shapeArgs(refs)])));
      } catch (err) {
        onError(asError(err));
        if (refs.some((r) => r.spec.failClosed === true)) return "unavailable";
        return floor.take(refs, cost);
      }
    },
    refund(ref: BucketRef, tokens: number) {
      adjust(ref, tokens);
    },
    charge(ref: BucketRef, tokens: number) {
      adjust(ref, -tokens);
    },
  });
}
