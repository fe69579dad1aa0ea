/**
 * The Redis connection of `config.redis`, opened when agw serves (never when a file is only
 * checked or imported). Commands never queue while the connection is down: a rate-limit check
 * fails at once and its failureMode applies, and ioredis keeps reconnecting in the background,
 * so the shared state is used again as soon as Redis is back.
 *
 * The URL may carry a password: it is never logged (errors are logged by message only, and
 * ioredis messages name host and port, not the URL).
 *
 * ioredis is imported when a connection is made, not with this module: most configs have no
 * `config.redis`, and loading it cost every agw ~1.6 MB of heap and its share of startup growth.
 */
import type { Logger } from "pino";
import { parseDuration } from "../config/duration.js";
import type { RedisSettings } from "../config/schema.js";
import type { SpendStore } from "../policies/spend-store.js";
import { createRedisBucketStore, type RedisBucketStore } from "./redis-buckets.js";
import { createRedisSpendStore } from "./redis-spend.js";

export const DEFAULT_REDIS_TIMEOUT = "200ms";
export const DEFAULT_KEY_PREFIX = "agw";
/** At most one "Redis failed" log line per this many milliseconds (the rest are counted). */
export const ERROR_LOG_INTERVAL_MS = 10_000;

export interface SharedRedis {
  readonly store: RedisBucketStore;
  /** Budget spend in Redis; `floor` keeps it too and answers while Redis fails. */
  spendStore(floor: SpendStore): SpendStore;
  /** Where failures are counted (set once the metrics exist). */
  onError: (err: Error) => void;
  /**
   * Settles when the first connection is ready, or when it failed or took longer than the
   * connect timeout (checks then follow their failureMode). Serving waits for it, so a process
   * does not admit from its own buckets only because it began before Redis answered.
   */
  readonly connected: Promise<void>;
  close(): Promise<void>;
}

/** `logger` is read when a line is written (serve builds its logger after compiling). */
export async function connectRedis(settings: RedisSettings, logger: () => Logger): Promise<SharedRedis> {
  const timeoutMs = Math.max(1, parseDuration(settings.timeout ?? DEFAULT_REDIS_TIMEOUT));
  const { Redis } = await import("ioredis");
  const client = new Redis(settings.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, timeoutMs),
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastLog = 0;
  let suppressed = 0;
  const logFailure = (err: Error): void => {
    const now = Date.now();
    if (now - lastLog < ERROR_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    lastLog = now;
    logger().warn(
      { error: err.message, suppressed },
      "redis: the shared store failed; globalRateLimit follows its failureMode, budgets use this process's spend",
    );
    suppressed = 0;
  };
  // Connection errors come as events; they are reported by the checks that fail.
  client.on("error", () => {});
  client.on("ready", () => logger().info("redis: connected"));
  const keyPrefix = settings.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const reportError = (err: Error): void => {
    logFailure(err);
    shared.onError(err);
  };
  const connectTimeoutMs = Math.max(1000, timeoutMs);
  const connected = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, connectTimeoutMs);
    timer.unref();
    client.connect().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
  const shared: SharedRedis = {
    connected,
    onError: () => {},
    spendStore: (floor) =>
      createRedisSpendStore(client, { keyPrefix, timeoutMs, floor, onError: reportError }),
    store: createRedisBucketStore(client, {
      keyPrefix,
      timeoutMs,
      onError: reportError,
    }),
    async close() {
      client.disconnect();
    },
  };
  return shared;
}
