/**
 * Budget spend in Redis against a real redis-server (free loopback port): two instances'
 * stores on one Redis see each other's spend, keys are hashed and expire past the period's
 * end, and a stopped Redis fails open to each store's floor (what that process charged), with
 * the failure reported; a check never reads less than the floor, even once Redis is back empty.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemorySpendStore, type SpendStore } from "../../src/policies/spend-store.js";
import { connectRedis, type SharedRedis } from "../../src/process/redis.js";
import { spendKey } from "../../src/process/redis-spend.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const silent = pino({ level: "silent" });
const DAY = 86_400_000;

let redis: RedisServer;
let a: SharedRedis;
let b: SharedRedis;
let probe: Redis;
const errors = { a: 0, b: 0 };

beforeAll(async () => {
  redis = await startRedisServer();
  a = await connectRedis({ url: redis.url, keyPrefix: "s", timeout: "300ms" }, () => silent);
  b = await connectRedis({ url: redis.url, keyPrefix: "s", timeout: "300ms" }, () => silent);
  a.onError = () => void errors.a++;
  b.onError = () => void errors.b++;
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

/** Waits until `store` reaches Redis (the clients connect in the background). */
async function connected(store: SpendStore): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (a !== undefined && (await probe.ping()) === "PONG") {
      const before = { ...errors };
      await store.get("probe", 0);
      if (errors.a === before.a && errors.b === before.b) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the store never reached Redis");
}

describe("Redis spend store", () => {
  it("two stores on one Redis see each other's spend, per key and period, under a hashed expiring key", async () => {
    const sa = a.spendStore(createMemorySpendStore());
    const sb = b.spendStore(createMemorySpendStore());
    await connected(sa);
    await connected(sb);
    const start = Math.floor(Date.now() / DAY) * DAY;
    expect(await sa.add("key:team-a", 0.25, start, start + DAY)).toBeCloseTo(0.25);
    expect(await sb.add("key:team-a", 0.5, start, start + DAY)).toBeCloseTo(0.75);
    expect(await sa.get("key:team-a", start)).toBeCloseTo(0.75);
    expect(await sb.get("key:team-a", start)).toBeCloseTo(0.75);
    // Another key, another period: nothing spent.
    expect(await sa.get("key:team-b", start)).toBe(0);
    expect(await sa.get("key:team-a", start + DAY)).toBe(0);

    const k = spendKey("s", "key:team-a", start);
    expect(k).toMatch(/^s:spend:[0-9a-f]{64}$/);
    const keys = await probe.keys("s:spend:*");
    expect(keys).toContain(k);
    for (const key of keys) expect(key).not.toContain("team");
    const expireAt = await probe.pexpiretime(k);
    expect(expireAt).toBeGreaterThan(start + DAY);
    expect(expireAt).toBeLessThanOrEqual(start + 2 * DAY);
    expect(errors).toEqual({ a: 0, b: 0 });
  });

  it("counts the tiny costs of small requests (written by JavaScript in exponent form)", async () => {
    const sa = a.spendStore(createMemorySpendStore());
    await connected(sa);
    const start = Math.floor(Date.now() / DAY) * DAY;
    expect(String(2.5e-7)).toContain("e");
    await sa.add("key:tiny", 2.5e-7, start, start + DAY);
    await sa.add("key:tiny", 2.5e-7, start, start + DAY);
    const fresh = a.spendStore(createMemorySpendStore());
    expect(await fresh.get("key:tiny", start)).toBeCloseTo(5e-7, 12);
    expect(errors).toEqual({ a: 0, b: 0 });
  });

  it("Redis stopped: each store answers its floor's spend (fail open) and reports the failure; back empty: never below the floor", async () => {
    const sa = a.spendStore(createMemorySpendStore());
    const sb = b.spendStore(createMemorySpendStore());
    await connected(sa);
    const start = Math.floor(Date.now() / DAY) * DAY;
    await sa.add("key:outage", 2, start, start + DAY);
    await sb.add("key:outage", 3, start, start + DAY);
    expect(await sa.get("key:outage", start)).toBeCloseTo(5);

    await redis.stop();
    const before = { ...errors };
    expect(await sa.get("key:outage", start)).toBeCloseTo(2);
    expect(await sb.get("key:outage", start)).toBeCloseTo(3);
    // A charge during the outage is kept by the floor.
    await sa.add("key:outage", 1, start, start + DAY);
    expect(await sa.get("key:outage", start)).toBeCloseTo(3);
    expect(errors.a).toBeGreaterThan(before.a);
    expect(errors.b).toBeGreaterThan(before.b);

    await redis.start();
    await connected(sa);
    await connected(sb);
    // Redis came back empty: each store still reads its own charges.
    expect(await sa.get("key:outage", start)).toBeCloseTo(3);
    // And spend is shared again.
    await sb.add("key:outage", 10, start, start + DAY);
    expect(await sa.get("key:outage", start)).toBeCloseTo(10);
  }, 60_000);
});
