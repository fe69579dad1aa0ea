/**
 * /metrics over a real socket after real traffic, read with a real Prometheus text parser;
 * bounded model labels (`other`, updated on reload); reload counters, agw_config_synchronized
 * and readiness following a broken then fixed file; readiness "starting" before the binds.
 */
import { writeFile } from "node:fs/promises";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { newRecord } from "../../src/http/record.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { serve } from "../../src/process/serve.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort } from "../server/engine-helpers.js";
import {
  assertNoSecret,
  authHeaders,
  CHAT,
  gatewayConfig,
  type Running,
  request,
  runServe,
  SECRET_ENV,
  tempFile,
} from "./harness.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(async () => {
  await mock.close();
});

/**
 * Parses with the real parser twice: as served (families, types, and that every line is
 * valid), and with the histograms' HELP and TYPE lines removed, because the parser folds a labelled
 * histogram's series into one sample and drops its labelled _count and _sum; untyped, each
 * _bucket/_count/_sum series is read with its labels.
 */
function parse(text: string): Map<string, ParsedFamily> {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const histograms = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!);
  const untyped = text
    .split("\n")
    .filter((l) => !histograms.some((h) => l.startsWith(`# TYPE ${h} `) || l.startsWith(`# HELP ${h} `)))
    .join("\n");
  // prom-client writes each label set's _bucket/_sum/_count together, so a name recurs: merge.
  for (const f of parsePrometheusTextFormat(untyped)) {
    if (histograms.some((h) => f.name.startsWith(h))) {
      const seen = families.get(f.name);
      if (seen === undefined) families.set(f.name, { ...f, metrics: [...f.metrics] });
      else seen.metrics.push(...f.metrics);
    }
  }
  return families;
}

async function scrape(port: number): Promise<{ text: string; families: Map<string, ParsedFamily> }> {
  const res = await request(port, { path: "/metrics" });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.body, families: parse(res.body) };
}

/** Sum of the samples of `name` whose labels include `labels` (a histogram's name reads its _count). */
function value(f: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const fam = f.get(name)?.type === "HISTOGRAM" ? f.get(`${name}_count`) : f.get(name);
  if (fam === undefined) throw new Error(`no metric ${name}`);
  let sum = 0;
  for (const m of fam.metrics) {
    if (Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) sum += Number(m.value ?? 0);
  }
  return sum;
}

describe("metrics through serve", () => {
  let run: Running & { cleanup: () => Promise<void> };
  beforeAll(async () => {
    run = await runServe(gatewayConfig(mock.url));
  });
  afterAll(async () => {
    expect(await run.stop()).toBe(0);
    await run.cleanup();
  });

  it("counts requests, durations, tokens and time to first token; unknown models are `other`", async () => {
    mock.script({ reply: { text: "hi", usage: { input: 11, output: 7 } } });
    expect(
      (
        await request(run.port, {
          path: "/v1/chat/completions",
          headers: authHeaders(),
          body: CHAT("gpt-4o"),
        })
      ).status,
    ).toBe(200);
    const streamed = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o-mini", { stream: true }),
    });
    expect(streamed.status).toBe(200);
    for (const m of ["made-up-1", "made-up-2", "made-up-3"]) {
      const r = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT(m),
      });
      expect(r.status).toBe(404);
    }
    await run.logs.waitFor((l) => l.includes('"model":"made-up-3"'));

    const { text, families: f } = await scrape(run.statsPort!);
    expect(
      value(f, "agw_requests_total", { model: "gpt-4o", status: "200", route_type: "completions" }),
    ).toBe(1);
    expect(
      value(f, "agw_requests_total", { model: "gpt-4o-mini", status: "200", routing: "passthrough" }),
    ).toBe(1);
    expect(value(f, "agw_requests_total", { model: "other", status: "404" })).toBe(3);
    // Caller-chosen names never become label values.
    expect(text).not.toContain("made-up");
    expect(f.get("agw_requests_total")?.type).toBe("COUNTER");

    const hist = f.get("agw_request_duration_seconds");
    expect(hist?.type).toBe("HISTOGRAM");
    expect(value(f, "agw_request_duration_seconds")).toBe(5);
    expect(value(f, "agw_gateway_overhead_seconds")).toBe(5);
    expect(value(f, "agw_upstream_duration_seconds", { model: "gpt-4o" })).toBe(1);

    expect(f.get("gen_ai_client_token_usage")?.type).toBe("HISTOGRAM");
    const tokenSum = (type: string): number =>
      value(f, "gen_ai_client_token_usage_sum", {
        gen_ai_token_type: type,
        gen_ai_request_model: "gpt-4o",
        gen_ai_system: "openai",
      });
    expect(tokenSum("input")).toBe(11);
    expect(tokenSum("output")).toBe(7);
    expect(
      value(f, "gen_ai_server_time_to_first_token_seconds", { gen_ai_request_model: "gpt-4o-mini" }),
    ).toBe(1);

    for (const name of [
      "agw_guardrail_checks_total",
      "agw_rate_limited_total",
      "agw_upstream_retries_total",
      "agw_fallbacks_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    expect(value(f, "agw_config_synchronized")).toBe(1);
    expect(assertNoSecret(text)).toEqual([]);
  });

  it("reloads: failure marks out of sync (metric and readiness), success restores it and updates known models", async () => {
    const ready = async () => (await request(run.readinessPort!, { path: "/healthz/ready" })).status;
    expect(await ready()).toBe(200);
    const good = gatewayConfig(mock.url)(run.port);

    await writeFile(run.file, `${good}\nbogus: 1\n`);
    expect(await run.handle.watcher.reload()).toBe(false);
    let f = (await scrape(run.statsPort!)).families;
    expect(value(f, "agw_config_reloads_total", { result: "failure" })).toBe(1);
    expect(value(f, "agw_config_synchronized")).toBe(0);
    expect(await ready()).toBe(503);

    await writeFile(
      run.file,
      good.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini, brand-new-model]"),
    );
    expect(await run.handle.watcher.reload()).toBe(true);
    f = (await scrape(run.statsPort!)).families;
    expect(value(f, "agw_config_reloads_total", { result: "success" })).toBe(1);
    expect(value(f, "agw_config_synchronized")).toBe(1);
    expect(await ready()).toBe(200);

    const r = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("brand-new-model"),
    });
    expect(r.status).toBe(200);
    await run.logs.waitFor((l) => l.includes('"model":"brand-new-model"'));
    f = (await scrape(run.statsPort!)).families;
    expect(value(f, "agw_requests_total", { model: "brand-new-model" })).toBe(1);
  });
});

describe("policy metrics through serve", () => {
  it("counts a rate-limited request and the gateway-key checks", async () => {
    const run = await runServe((port) =>
      gatewayConfig(mock.url)(port).replace(
        "  policies:\n",
        "  policies:\n    localRateLimit: [{ maxTokens: 1, tokensPerFill: 1, fillInterval: 1h, type: requests }]\n",
      ),
    );
    try {
      const first = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT("gpt-4o"),
      });
      expect(first.status).toBe(200);
      const second = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT("gpt-4o"),
      });
      expect(second.status).toBe(429);
      await run.logs.waitFor((l) =>
        l.includes(`"requestId":"${String(second.headers["x-agw-request-id"])}"`),
      );
      const f = (await scrape(run.statsPort!)).families;
      expect(value(f, "agw_rate_limited_total")).toBe(1);
      expect(value(f, "agw_requests_total", { status: "429" })).toBe(1);
      expect(value(f, "agw_policy_events_total", { policy: "localRateLimit", action: "rateLimited" })).toBe(
        1,
      );
    } finally {
      expect(await run.stop()).toBe(0);
      await run.cleanup();
    }
  });
});

describe("readiness", () => {
  it("is not ready before the binds listen, then ready", async () => {
    const port = await freePort();
    const readinessPort = await freePort();
    const { file, cleanup } = await tempFile(
      gatewayConfig(mock.url)(port).replace(
        "readinessAddr: 127.0.0.1:0",
        `readinessAddr: 127.0.0.1:${readinessPort}`,
      ),
    );
    let letListen!: () => void;
    const gate = new Promise<void>((r) => {
      letListen = r;
    });
    let probed!: (status: number, body: string) => void;
    const probe = new Promise<{ status: number; body: string }>((r) => {
      probed = (status, body) => r({ status, body });
    });
    const { EventEmitter } = await import("node:events");
    const ee = new EventEmitter();
    let started!: () => void;
    const up = new Promise<void>((r) => {
      started = r;
    });
    const exit = serve({
      file,
      watch: false,
      env: SECRET_ENV,
      logger: (await import("../../src/observability/log.js")).silentLogger(),
      signals: { on: (s, fn) => ee.on(s, fn), off: (s, fn) => ee.off(s, fn) },
      beforeListen: async () => {
        const r = await request(readinessPort, { path: "/healthz/ready" });
        probed(r.status, r.body);
        await gate;
      },
      onStarted: () => started(),
    });
    const before = await probe;
    expect(before.status).toBe(503);
    expect(before.body).toContain("binds not listening");
    letListen();
    await up;
    expect((await request(readinessPort, { path: "/healthz/ready" })).status).toBe(200);
    ee.emit("SIGTERM");
    expect(await exit).toBe(0);
    await cleanup();
  });
});

describe("metrics (unit): policy events, retries and fallbacks", () => {
  it("counts guardrail checks by phase and action, rate limits, retries beyond the first try and fallbacks", async () => {
    const runtime = compileConfig(
      { llm: { port: 4000, models: [{ name: "gpt-4o", provider: "mock" }] } },
      { env: {} },
    );
    const m = createMetrics(runtime);
    const r = newRecord("a", "POST", "/v1/chat/completions", 4000);
    r.route = "llm";
    r.routeType = "completions";
    r.model = "gpt-4o";
    r.status = 200;
    r.attempts = 4;
    r.fallbacks = 1;
    r.policyEvents = [
      { policy: "promptGuard", phase: "request", action: "allow" },
      { policy: "promptGuard", phase: "response", action: "mask" },
    ];
    m.observe(r);
    const limited = newRecord("b", "POST", "/v1/chat/completions", 4000);
    limited.status = 429;
    limited.error = "rate_limited";
    limited.policyEvents = [{ policy: "localRateLimit", phase: "gateway", action: "rateLimited" }];
    m.observe(limited);
    const f = parse(await m.text());
    expect(value(f, "agw_guardrail_checks_total", { phase: "request", action: "allow" })).toBe(1);
    expect(value(f, "agw_guardrail_checks_total", { phase: "response", action: "mask" })).toBe(1);
    expect(value(f, "agw_rate_limited_total")).toBe(1);
    expect(value(f, "agw_upstream_retries_total")).toBe(2);
    expect(value(f, "agw_fallbacks_total")).toBe(1);
    expect(value(f, "agw_requests_total", { model: "gpt-4o" })).toBe(1);
  });
});
