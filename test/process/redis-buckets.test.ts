/**
 * globalRateLimit's Redis store against a real redis-server (started on a free loopback port):
 * two gateways' stores sharing one Redis admit exactly the limit, 200 parallel checks never
 * exceed it, keys are hashed, and a stopped Redis follows the failure mode until it is back.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BucketRef, TakeOutcome } from "../../src/policies/bucket-store.js";
import { connectRedis, type SharedRedis } from "../../src/process/redis.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const silent = pino({ level: "silent" });
const HOUR = 3_600_000;

let redis: RedisServer;
let a: SharedRedis;
let b: SharedRedis;
let probe: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  a = await connectRedis({ url: redis.url, keyPrefix: "t", timeout: "300ms" }, () => silent);
  b = await connectRedis({ url: redis.url, keyPrefix: "t", timeout: "300ms" }, () => silent);
  probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  await probe.connect();
  await Promise.all([a.connected, b.connected]);
});

afterAll(async () => {
  probe.disconnect();
  await a?.close();
  await b?.close();
  await redis?.close();
});

const ref = (list: string, max: number, key = "", failClosed = false): BucketRef => ({
  list,
  key,
  spec: { max, perFill: max, intervalMs: HOUR, ...(failClosed ? { failClosed } : {}) },
});
const admitted = (rs: TakeOutcome[]) => rs.filter((r) => r !== "unavailable" && r.ok).length;

/** Bounded wait until a store answers from Redis again (after a restart). */
async function untilConnected(s: SharedRedis, list: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    let failed = false;
    s.onError = () => {
      failed = true;
    };
    await s.store.take([ref(list, 1_000_000)], 1);
    s.onError = () => {};
    if (!failed) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the store did not reconnect");
}

describe("Redis bucket store", () => {
  it("two stores sharing one Redis admit exactly the limit, 200 checks in parallel", async () => {
    await untilConnected(a, "warm-a");
    await untilConnected(b, "warm-b");
    const r = ref("route#g0:50/50/3600000", 50);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).store.take([r], 1)),
    );
    expect(admitted(results)).toBe(50);
    const refused = results.find((x) => x !== "unavailable" && !x.ok);
    expect(refused).toMatchObject({ ok: false, limit: 50, remaining: 0 });
    expect(refused !== undefined && refused !== "unavailable" && refused.retryAfterMs > 0).toBe(true);
  });

  it("charges every bucket or none, refunds and charges after the answer", async () => {
    const small = ref("multi#g0:3/3/3600000", 3);
    const big = ref("multi#g1:10/10/3600000", 10);
    for (let i = 0; i < 3; i++) expect(await a.store.take([small, big], 1)).toMatchObject({ ok: true });
    expect(await b.store.take([small, big], 1)).toMatchObject({ ok: false });
    // The refused take charged nothing: the big bucket holds 7.
    const big2 = await b.store.take([big], 7);
    expect(big2).toMatchObject({ ok: true, remaining: 0 });
    a.store.refund(big, 5);
    b.store.charge(big, 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(await a.store.take([big], 3)).toMatchObject({ ok: true, remaining: 0 });
  });

  it("writes hashed, fixed-size keys that expire, never a caller's key name", async () => {
    const secretName = `team-${"x".repeat(500)}`;
    await a.store.take([ref("keys#g0:5/5/3600000", 5, secretName)], 1);
    const keys = await probe.keys("t:rl:*");
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).toMatch(/^t:rl:[0-9a-f]{32}$/);
      expect(await probe.pttl(k)).toBeGreaterThan(0);
    }
    expect(keys.join(" ")).not.toContain("team-");
  });

  it("Redis stopped: open falls back to a local bucket with the same limit, closed refuses; back: shared again", async () => {
    let errors = 0;
    a.onError = () => {
      errors++;
    };
    await redis.stop();
    const open = ref("down#g0:4/4/3600000", 4);
    const results: TakeOutcome[] = [];
    for (let i = 0; i < 6; i++) results.push(await a.store.take([open], 1));
    // Each process still enforces the limit on its own.
    expect(admitted(results)).toBe(4);
    const closed = ref("down#g1:4/4/3600000", 4, "", true);
    expect(await a.store.take([closed], 1)).toBe("unavailable");
    expect(errors).toBeGreaterThanOrEqual(7);
    a.onError = () => {};

    await redis.start();
    await probe.connect().catch(() => {});
    await untilConnected(a, "back-a");
    await untilConnected(b, "back-b");
    const shared = ref("back#g0:3/3/3600000", 3);
    const after = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).store.take([shared], 1)),
    );
    expect(admitted(after)).toBe(3);
  });

  it("a password in the URL authenticates, and a wrong one is never logged", async () => {
    const guarded = await startRedisServer(["--requirepass", "s3cret-pw"]);
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
    const goodLines: string[] = [];
    const goodLogger = pino({ level: "info" }, { write: (l: string) => void goodLines.push(l) });
    const good = await connectRedis(
      { url: `redis://:s3cret-pw@127.0.0.1:${guarded.port}`, keyPrefix: "p" },
      () => goodLogger,
    );
    const bad = await connectRedis(
      { url: `redis://:wrong-pw@127.0.0.1:${guarded.port}`, keyPrefix: "p" },
      () => logger,
    );
    try {
      await untilConnected(good, "auth");
      let failures = 0;
      bad.onError = () => {
        failures++;
      };
      for (let i = 0; i < 3; i++) await bad.store.take([ref("auth#g0:9/9/3600000", 9)], 1);
      expect(failures).toBe(3);
      expect(lines.join("\n")).toContain("globalRateLimit follows its failureMode");
      // One warning for the three failures (rate-limited), and never the password.
      expect(lines.filter((l) => l.includes("failureMode"))).toHaveLength(1);
      expect([...lines, ...goodLines].join("\n")).not.toMatch(/s3cret-pw|wrong-pw/);
    } finally {
      await good.close();
      await bad.close();
      await guarded.close();
    }
  });
});
