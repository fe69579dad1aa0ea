/**
 * The access log through the whole engine (serve → gateway → pipeline → mock upstream):
 * one line per request with every field, JSON and text, and no secret in any line on the
 * success and error paths.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import {
  assertNoSecret,
  authHeaders,
  CHAT,
  gatewayConfig,
  type Running,
  request,
  runServe,
  SECRETS,
} from "./harness.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(async () => {
  await mock.close();
});

type Line = Record<string, unknown>;
const accessLines = (r: Running): Line[] => r.logs.json().filter((l) => l.msg === "request");

async function waitForRequestLine(r: Running, requestId: string): Promise<Line> {
  const raw = await r.logs.waitFor((l) => l.includes(`"requestId":"${requestId}"`));
  return JSON.parse(raw) as Line;
}

describe("access log (JSON)", () => {
  let run: Running & { cleanup: () => Promise<void> };
  beforeAll(async () => {
    run = await runServe(gatewayConfig(mock.url));
  });
  afterAll(async () => {
    expect(await run.stop()).toBe(0);
    await run.cleanup();
  });

  it("a managed-route request carries every field", async () => {
    mock.script({
      reply: { text: "hi", usage: { input: 11, output: 7, cachedInput: 3 }, model: "gpt-4o-2024-08-06" },
    });
    const res = await request(run.port, {
      path: `/v1/chat/completions?api_key=${SECRETS.query}`,
      headers: authHeaders(),
      body: CHAT("gpt-4o"),
    });
    expect(res.status).toBe(200);
    const line = await waitForRequestLine(run, String(res.headers["x-agw-request-id"]));
    expect(line).toMatchObject({
      msg: "request",
      bind: run.port,
      listener: expect.any(String),
      route: expect.any(String),
      routeType: "completions",
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      provider: "openai",
      model: "gpt-4o",
      responseModel: "gpt-4o-2024-08-06",
      inputTokens: 11,
      outputTokens: 7,
      cachedTokens: 3,
      routing: "route:primary",
      strategy: "single",
      target: "managed-gpt",
      attempts: 1,
      keyName: "team-a",
    });
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.upstreamMs).toEqual(expect.any(Number));
    expect(line.upstreamMs as number).toBeLessThanOrEqual(line.durationMs as number);
  });

  it("a streamed request has a time to first token; passthrough is labelled as such", async () => {
    const res = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o-mini", { stream: true }),
    });
    expect(res.status).toBe(200);
    const line = await waitForRequestLine(run, String(res.headers["x-agw-request-id"]));
    expect(line).toMatchObject({
      routing: "passthrough",
      model: "gpt-4o-mini",
      status: 200,
      target: "openai",
    });
    expect(line.ttftMs).toEqual(expect.any(Number));
    expect(line.ttftMs as number).toBeLessThanOrEqual(line.durationMs as number);
  });

  it("error paths log the error code, and no line anywhere holds a secret", async () => {
    const unknown = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("no-such-model"),
    });
    expect(unknown.status).toBe(404);
    const l1 = await waitForRequestLine(run, String(unknown.headers["x-agw-request-id"]));
    expect(l1).toMatchObject({ status: 404, error: "model_not_found", model: "no-such-model" });

    mock.script({ error: { status: 500, format: "openai", message: `boom ${SECRETS.managed}` } });
    const failed = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o"),
    });
    expect(failed.status).toBe(500);
    const l2 = await waitForRequestLine(run, String(failed.headers["x-agw-request-id"]));
    expect(l2).toMatchObject({ status: 500, routing: "route:primary" });

    const bad = await request(run.port, {
      path: "/v1/chat/completions",
      headers: { ...authHeaders(), "content-type": "application/json" },
      body: "not json",
    });
    expect(bad.status).toBe(400);
    await waitForRequestLine(run, String(bad.headers["x-agw-request-id"]));

    // The managed key did reach the upstream (so it was live in the process) ...
    expect(mock.requests.some((r) => r.headers.authorization === `Bearer ${SECRETS.managed}`)).toBe(true);
    // ... and the caller's key on passthrough: the values were in play, yet no line has them.
    expect(mock.requests.some((r) => r.headers.authorization === `Bearer ${SECRETS.caller}`)).toBe(true);
    expect(accessLines(run).length).toBeGreaterThanOrEqual(5);
    expect(assertNoSecret(run.logs.text())).toEqual([]);
  });
});

describe("access log (text)", () => {
  it("one readable line per request with the routing path, model, tokens and timings; no secret", async () => {
    const run = await runServe(
      (port) => gatewayConfig(mock.url)(port).replace("format: json", "format: text"),
      {
        format: "text",
      },
    );
    try {
      mock.script({ reply: { text: "hi", usage: { input: 5, output: 2 }, model: "gpt-4o-2024-08-06" } });
      const res = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT("gpt-4o"),
      });
      expect(res.status).toBe(200);
      const id = String(res.headers["x-agw-request-id"]);
      const line = await run.logs.waitFor((l) => l.includes(`id=${id}`));
      expect(line).toMatch(/INFO: POST \/v1\/chat\/completions 200 [\d.]+ms /);
      expect(line).toContain("routing=route:primary");
      expect(line).toContain("target=managed-gpt");
      expect(line).toContain("model=gpt-4o→gpt-4o-2024-08-06");
      expect(line).toContain("tokens=5/2");
      expect(line).toMatch(/upstream=[\d.]+ms/);
      expect(line).toMatch(/trace=[0-9a-f]{32}/);
      expect(() => JSON.parse(line)).toThrow();
      expect(assertNoSecret(run.logs.text())).toEqual([]);
    } finally {
      expect(await run.stop()).toBe(0);
      await run.cleanup();
    }
  });
});
