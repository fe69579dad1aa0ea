/**
 * Cost and budgets through the gateway, over real sockets in front of the mock upstream: the
 * cost of a request with usage in the access log and in agw_gen_ai_client_cost_usd_total
 * (priced by config.modelCatalog over the shipped catalog), none for a model without a price,
 * and a gateway key's budget: once spent, 429 budget_exceeded in the client's envelope (the
 * official OpenAI and Anthropic SDKs), with Retry-After up to the period's end; the next
 * period (an injected clock) admits again.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import type { Config } from "../../../src/config/schema.js";
import { createAccessLog } from "../../../src/observability/access-log.js";
import { createMetrics, type GatewayMetrics } from "../../../src/observability/metrics.js";
import { createObserver } from "../../../src/observability/observer.js";
import { createMemorySpendStore } from "../../../src/policies/spend-store.js";
import { type Gateway, startGateway } from "../../../src/server/gateway.js";
import { llmConfig } from "../../e2e/harness.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture } from "../../server/engine-helpers.js";
import { headerOf, rejection } from "./harness.js";

const DAY = 86_400_000;
// 2026-12-06T12:00:00Z
const NOON = Date.UTC(2026, 11, 6, 12);

interface Setup {
  mock: MockUpstream;
  gateway: Gateway;
  access: LogCapture;
  metrics: GatewayMetrics;
  clock: { t: number };
  openai(key: string): OpenAI;
  anthropic(key: string): Anthropic;
  close(): Promise<void>;
}

async function start(): Promise<Setup> {
  const mock = await startMockUpstream();
  const port = await freePort();
  const config: Config = llmConfig(port, mock.url, {
    policies: {
      apiKey: {
        keys: [
          { name: "team-a", key: "agw-key-a", budget: { usd: 0.01, period: "daily" } },
          { name: "team-b", key: "agw-key-b" },
        ],
      },
    },
  });
  // gpt-upstream (what oai-* sends) is priced here; claude-upstream has no price anywhere.
  config.config = { modelCatalog: { "gpt-upstream": { input: 2, output: 8, cacheRead: 0.5 } } };
  const clock = { t: NOON };
  const runtime = compileConfig(config, {
    env: {},
    policyDeps: { now: () => clock.t, spendStore: createMemorySpendStore() },
  });
  const access = captureLogs();
  const metrics = createMetrics(runtime);
  const gateway = await startGateway({
    logger: access.logger,
    runtime,
    observer: createObserver({ accessLog: createAccessLog(access.logger, "json"), metrics }),
  });
  const url = `http://127.0.0.1:${port}`;
  const headers = (key: string) => ({ "x-agw-authorization": `Bearer ${key}` });
  return {
    mock,
    gateway,
    access,
    metrics,
    clock,
    openai: (key) =>
      new OpenAI({ apiKey: "sk-caller", baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: headers(key) }),
    anthropic: (key) =>
      new Anthropic({ apiKey: "sk-caller", baseURL: url, maxRetries: 0, defaultHeaders: headers(key) }),
    async close() {
      await gateway.drain(1000);
      await mock.close();
    },
  };
}

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "oai-x", messages: [{ role: "user", content: "hi" }] });

describe("cost per request", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s.close();
  });

  it("is in the access log and the cost metric: uncached input, cache reads and output each at its price", async () => {
    s.mock.script({ reply: { text: "ok", usage: { input: 1000, output: 500, cachedInput: 200 } } });
    await ask(s.openai("agw-key-b"));
    const line = await s.access.waitFor((l) => l.msg === "request" && l.keyName === "team-b");
    // (1000 - 200) × 2 + 200 × 0.5 + 500 × 8 = 5700 USD per million tokens.
    expect(line.cost).toBeCloseTo(0.0057, 12);
    expect(line.cachedTokens).toBe(200);
    const text = await s.metrics.text();
    const row = text.split("\n").find((l) => l.startsWith("agw_gen_ai_client_cost_usd_total{"));
    expect(row).toBeDefined();
    expect(row).toContain('key="team-b"');
    expect(row).toContain('provider="openAI"');
    expect(Number(row?.split(" ").pop())).toBeCloseTo(0.0057, 12);
  });

  it("is counted for a streamed answer from the usage of its last chunk", async () => {
    s.mock.script({ reply: { text: "ok", usage: { input: 100, output: 50 } } });
    const stream = await s.openai("agw-key-b").chat.completions.create({
      model: "oai-stream",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    });
    for await (const _ of stream) {
      // drained
    }
    const line = await s.access.waitFor((l) => l.msg === "request" && l.model === "oai-stream");
    // 100 × 2 + 50 × 8 = 600 USD per million tokens.
    expect(line.cost).toBeCloseTo(0.0006, 12);
  });

  it("is left out when the model has no price", async () => {
    s.mock.script({ reply: { text: "ok", usage: { input: 10, output: 5 } } });
    await s.anthropic("agw-key-b").messages.create({
      model: "ant-x",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    const line = await s.access.waitFor((l) => l.msg === "request" && l.path === "/v1/messages");
    expect(line.inputTokens).toBe(10);
    expect(line).not.toHaveProperty("cost");
  });
});

describe("a gateway key's budget", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s.close();
  });

  it("is 429 budget_exceeded once spent, in both envelopes, until the period ends", async () => {
    const a = s.openai("agw-key-a");
    // 1000 × 2 + 500 × 8 = 0.006 USD each: the second reaches the 0.01 budget.
    s.mock.always({ reply: { text: "ok", usage: { input: 1000, output: 500 } } });
    await ask(a);
    await s.access.waitFor((l) => l.msg === "request" && l.cost !== undefined);
    await ask(a);
    await s.access.waitFor(() => s.access.lines.filter((l) => l.cost !== undefined).length === 2);

    const r = await rejection(ask(a));
    expect(r.status).toBe(429);
    expect(headerOf(r.headers, "x-agw-error-code")).toBe("budget_exceeded");
    // Noon: 12 hours to the next day.
    expect(headerOf(r.headers, "retry-after")).toBe(String(12 * 3600));
    expect(headerOf(r.headers, "x-agw-budget-reset")).toBe("2026-12-07T00:00:00.000Z");
    expect(r.error).toMatchObject({ code: "budget_exceeded" });
    expect(r.message).toContain("2026-12-07T00:00:00.000Z");

    const ra = await rejection(
      s.anthropic("agw-key-a").messages.create({
        model: "ant-x",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(ra.status).toBe(429);
    expect(ra.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(ra.message).toContain("budget");

    // Another key has no budget; the refused requests never reached the upstream.
    expect(s.mock.requests.length).toBe(2);
    await ask(s.openai("agw-key-b"));
    expect(s.mock.requests.length).toBe(3);

    // The next day is a new period.
    s.clock.t = NOON + DAY;
    const again = await ask(a);
    expect(again.choices[0]?.message.content).toBe("ok");
    s.mock.always(undefined);
  });
});
