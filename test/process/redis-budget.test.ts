/**
 * Budgets shared in Redis, run as users run them: two agw instances (the CLI in child
 * processes, one of them with `workers: 2`) on one real Redis. Once a request on one instance
 * has spent a gateway key's budget, every later request is refused by either instance (and
 * both of B's workers) with 429 budget_exceeded. With Redis stopped, budgets fail open to each
 * process's own spend: the instance that charged the key still refuses it, the other admits
 * until it has charged the budget itself, and the failure is counted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

// Every token costs 1 USD: one answer spends the 1 USD budget.
function config(o: { port: number; ready: number; stats: number; workers: number }): string {
  return `config:
  readinessAddr: 127.0.0.1:${o.ready}
  statsAddr: 127.0.0.1:${o.stats}
  logging: { level: warn }
  workers: ${o.workers}
  drainTimeout: 2s
  # generous: a cold process on a loaded machine may be slow to its first Redis reply (a stopped Redis still fails at once)
  redis: { url: "${redis.url}", keyPrefix: budget-e2e, timeout: 3s }
  modelCatalog:
    priced-model: { input: 1000000, output: 1000000 }
llm:
  port: ${o.port}
  models:
    - name: "*"
      provider: mock
  policies:
    apiKey:
      keys:
        - { name: team-a, key: agw-team-a, budget: { usd: 1, period: monthly } }
`;
}

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

async function startInstance(workers: number): Promise<Instance> {
  const [port, ready, stats] = [await freePort(), await freePort(), await freePort()];
  const { file, cleanup } = await tempFile(config({ port, ready, stats, workers }));
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

const chat = (i: Instance) =>
  request(i.port, {
    path: "/v1/chat/completions",
    headers: { "x-agw-authorization": "Bearer agw-team-a" },
    body: CHAT("priced-model"),
  });

describe("budgets shared in Redis", () => {
  it("two instances (one with workers: 2) stop a key at its budget together; Redis down: each process's own spend", async () => {
    const [a, b] = await Promise.all([startInstance(1), startInstance(2)]);

    // Every serving process (A, B's two workers) reaches Redis before the budget is spent: each
    // connects in the background.
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    await probe.connect();
    const clients = async () =>
      String(await probe.client("LIST"))
        .trim()
        .split("\n").length;
    await until(async () => (await clients()) >= 4, "three processes connected to Redis", 20_000);
    probe.disconnect();
    const first = await chat(a);
    expect(first.status).toBe(200);
    // One at a time: each request is checked after the previous one was charged.
    const refusedBy = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = await chat(i % 2 === 0 ? b : a);
      expect(r.status, r.body).toBe(429);
      expect(JSON.parse(r.body).error.code).toBe("budget_exceeded");
      if (i % 2 === 0) refusedBy.add(String(r.headers["x-agw-request-id"]).split("-")[0]!);
    }
    expect(refusedBy.size, "both of B's workers refused").toBe(2);

    // Redis stopped: A charged the key itself and still refuses it; B has charged nothing, so
    // it admits until it has spent the budget on its own, then refuses too.
    await redis.stop();
    expect((await chat(a)).status).toBe(429);
    expect((await chat(b)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await chat(b)).status).toBe(429);
    const metrics = await request(a.stats, { path: "/metrics" });
    expect(metrics.body).toMatch(/agw_rate_limit_store_errors_total [1-9]/);
  }, 120_000);
});
