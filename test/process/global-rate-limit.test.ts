/**
 * `globalRateLimit` run as users run it: two agw instances (the CLI in child processes, one of
 * them with `workers: 2`) share one real Redis (started on a free loopback port). Together they
 * admit exactly the configured number of requests. With Redis stopped, the instance whose
 * limit fails open still admits (up to its own local bucket) and the one that fails closed
 * answers 503 rate_limit_unavailable, counted in agw_rate_limit_store_errors_total; with Redis
 * back, the shared bucket is used again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactConfig } from "../../src/observability/redact.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { CHAT, request, tempFile } from "../observability/harness.js";
import { freePort } from "../server/engine-helpers.js";

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const c of cleanups) await c();
  await redis?.close();
});

const LIMIT = 6;

function config(o: {
  port: number;
  ready: number;
  stats: number;
  workers: number;
  failureMode: string;
}): string {
  return `config:
  readinessAddr: 127.0.0.1:${o.ready}
  statsAddr: 127.0.0.1:${o.stats}
  adminAddr: 127.0.0.1:0
  logging: { level: warn }
  workers: ${o.workers}
  drainTimeout: 2s
  redis: { url: "${redis.url}", keyPrefix: e2e, timeout: 3s }
llm:
  port: ${o.port}
  models:
    - name: "*"
      provider: mock
  policies:
    globalRateLimit:
      - { maxTokens: ${LIMIT}, tokensPerFill: ${LIMIT}, fillInterval: 1h, type: requests, failureMode: ${o.failureMode} }
`;
}

// The Redis timeout is generous: cold processes on a loaded CI machine took over 500 ms for a
// first check, and an "open" instance then admits from its own bucket. A stopped Redis still
// fails at once (no offline queue), so the down phase does not wait for it.

/** Polls until `probe` holds; generous, since several processes start on a loaded machine. */
async function until(probe: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Instance {
  port: number;
  stats: number;
}

async function startInstance(workers: number, failureMode: "open" | "closed"): Promise<Instance> {
  const [port, ready, stats] = [await freePort(), await freePort(), await freePort()];
  const { file, cleanup } = await tempFile(config({ port, ready, stats, workers, failureMode }));
  cleanups.push(cleanup);
  const child = spawn(process.execPath, ["--import", "tsx", "src/agw.ts", "-f", file], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  children.push(child);
  child.stderr?.resume();
  await until(async () => (await request(ready, { path: "/healthz/ready" })).status === 200, "listening");
  return { port, stats };
}

const chat = (i: Instance) => request(i.port, { path: "/v1/chat/completions", body: CHAT("any-model") });

describe("globalRateLimit across instances", () => {
  it("two instances (one with workers: 2) admit exactly the limit together; Redis down: open admits, closed 503; back: shared", async () => {
    const [a, b] = await Promise.all([startInstance(2, "open"), startInstance(1, "closed")]);

    // 24 requests, 8 at a time, over both instances (and A's two workers).
    const replies = [];
    for (let batch = 0; batch < 3; batch++) {
      replies.push(...(await Promise.all(Array.from({ length: 8 }, (_, i) => chat(i % 2 === 0 ? a : b)))));
    }
    expect(replies.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(24 - LIMIT);
    expect(refused[0]!.headers["retry-after"]).toMatch(/^[1-9][0-9]*$/);
    expect(refused[0]!.headers["x-ratelimit-limit"]).toBe(String(LIMIT));
    expect(JSON.parse(refused[0]!.body).error.code).toBe("rate_limited");

    // Redis stopped: A (open) falls back to its own buckets; B (closed) refuses.
    await redis.stop();
    const down = await chat(a);
    expect(down.status).toBe(200);
    const closed = await chat(b);
    expect(closed.status).toBe(503);
    expect(JSON.parse(closed.body).error.code).toBe("rate_limit_unavailable");
    const metrics = await request(b.stats, { path: "/metrics" });
    expect(metrics.body).toMatch(/agw_rate_limit_store_errors_total [1-9]/);

    // Redis back (empty): every process uses the shared bucket again. A's workers reconnect on
    // their own: wait until consecutive requests to A (round-robin over its workers) each
    // take from the bucket in Redis.
    await redis.start();
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    await probe.connect();
    const reset = async () => {
      const keys = await probe.keys("e2e:rl:*");
      if (keys.length > 0) await probe.del(...keys);
    };
    const tokensLeft = async () => {
      const keys = await probe.keys("e2e:rl:*");
      return keys.length === 1 ? Number(await probe.hget(keys[0]!, "t")) : LIMIT;
    };
    try {
      await until(async () => (await chat(b)).status === 200, "B admits through Redis again", 20_000);
      await until(
        async () => {
          await reset();
          for (let k = 1; k <= 4; k++) {
            if ((await chat(a)).status !== 200 || (await tokensLeft()) !== LIMIT - k) return false;
          }
          return true;
        },
        "A's workers take from Redis again",
        20_000,
      );
      await reset();
      const again = [];
      for (let i = 0; i < 2 * LIMIT; i++) again.push(await chat(i % 2 === 0 ? a : b));
      expect(again.filter((r) => r.status === 200)).toHaveLength(LIMIT);
      expect(again.at(-1)!.status).toBe(429);
    } finally {
      probe.disconnect();
    }
  }, 120_000);

  it("config_dump never shows the Redis URL (it may carry a password)", () => {
    const dumped = JSON.stringify(redactConfig({ config: { redis: { url: "redis://:hunter2@r:6379" } } }));
    expect(dumped).not.toContain("hunter2");
  });
});
