/**
 * Budget spend in Redis, shared by every agw instance and worker (`config.redis`). A charge is
 * one small script run atomically by Redis: INCRBYFLOAT on the spend's key, then an expiry
 * past the period's end, so Redis keeps only current periods. A check is one GET.
 *
 * Keys are `<keyPrefix>:spend:<sha256 hex of the store key and the period start>`: a gateway
 * key's name never reaches Redis raw, and a new period is a new key (its spend starts at 0).
 *
 * When Redis does not answer within `timeout` (down, slow, unreachable), budgets fail open to
 * a floor: a store of this process (or the cluster's primary) that every charge also goes to,
 * so each process still stops a key at its budget by what it charged itself; a check never reads
 * less than the floor's spend (Redis restarted empty, say). `onError` is told
 * (the agw_rate_limit_store_errors_total metric and a rate-limited log line).
 */
import { createHash } from "node:crypto";
import type { SpendStore } from "../policies/spend-store.js";
import { withinRedisTimeout } from "./redis-deadline.js";

/** The two commands the store needs (an ioredis client has them). */
export interface RedisSpendClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

export interface RedisSpendStoreOptions {
  readonly keyPrefix: string;
  /** Milliseconds a command waits for Redis. */
  readonly timeoutMs: number;
  /** Where spend is kept as well, and read from while Redis fails. */
  readonly floor: SpendStore;
  /** Redis failed or was late (for the metric and the log). */
  readonly onError?: (err: Error) => void;
  /** For tests. */
  readonly now?: () => number;
}

/** KEYS[1]: the spend; ARGV[1]: USD to add; ARGV[2]: when the key expires (ms since the epoch). */
export const SPEND_SCRIPT = `
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return v
`;

const DAY = 86_400_000;
/** Without a known period end, a spend key is kept this long (the longest period is a month). */
const DEFAULT_KEEP_MS = 32 * DAY;

/** A fixed-size Redis key for a spend: the names are hashed, never written raw. */
export function spendKey(prefix: string, key: string, periodStart: number): string {
  const h = createHash("sha256").update(key).update("\0").update(String(periodStart)).digest("hex");
  return `${prefix}:spend:${h}`;
}

export function createRedisSpendStore(client: RedisSpendClient, options: RedisSpendStoreOptions): SpendStore {
  const onError = options.onError ?? (() => {});
  const now = options.now ?? Date.now;
  const floor = options.floor;

  const withTimeout = <T>(p: Promise<T>): Promise<T> => withinRedisTimeout(p, options.timeoutMs);

  const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

  /** Keeps the key a while past the period's end (a request that began before it may still charge). */
  function expiresAt(periodStart: number, periodEnd: number | undefined): number {
    const end = periodEnd ?? periodStart + DEFAULT_KEEP_MS;
    const grace = Math.min(DAY, Math.max(60_000, end - periodStart));
    return Math.max(end, now()) + grace;
  }

  return Object.freeze({
    async add(key: string, usd: number, periodStart: number, periodEnd?: number): Promise<number> {
      if (!(usd > 0)) return Number.NaN;
      const local = Promise.resolve(floor.add(key, usd, periodStart, periodEnd)).catch(() => Number.NaN);
      try {
        const reply = await withTimeout(
          client.eval(
            SPEND_SCRIPT,
            1,
            spendKey(options.keyPrefix, key, periodStart),
            usd,
            expiresAt(periodStart, periodEnd),
          ),
        );
        return Number(reply);
      } catch (err) {
        onError(asError(err));
        return local;
      }
    },
    async get(key: string, periodStart: number): Promise<number> {
      const local = Promise.resolve(floor.get(key, periodStart));
      // Handled here too: the floor may fail before Redis answers.
      local.catch(() => undefined);
      let shared: number;
      try {
        const reply = await withTimeout(client.get(spendKey(options.keyPrefix, key, periodStart)));
        shared = reply === null ? 0 : Number(reply);
      } catch (err) {
        onError(asError(err));
        // Fail open to what the floor has seen (a floor that cannot answer rejects: 503).
        return local;
      }
      // Never below this process's own charges (Redis restarted empty, say).
      // A floor that is late (a busy primary) does not hold the check up past the timeout.
      const own = await withTimeout(local).catch(() => 0);
      return Math.max(Number.isFinite(shared) ? shared : 0, own);
    },
  });
}
