import { afterEach, describe, expect, it } from "vitest";
import type { BackendConfig, Config, PoliciesConfig } from "../../src/config/schema.js";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, type LogCapture, send, startFromConfig, startUpstream } from "./engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mock(): Promise<MockUpstream> {
  const m = await startMockUpstream();
  cleanups.push(() => m.close());
  return m;
}

async function gatewayWith(
  backends: BackendConfig[],
  policies?: PoliciesConfig,
  extra: { random?: () => number; env?: Record<string, string> } = {},
): Promise<{ port: number; gateway: Gateway; logs: LogCapture }> {
  const port = await freePort();
  const config: Config = {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [{ routes: [{ name: "r", backends, ...(policies ? { policies } : {}) }] }],
      },
    ],
  };
  const { gateway, logs } = await startFromConfig(config, extra);
  cleanups.push(() => gateway.drain(1000));
  return { port, gateway, logs };
}

const chat = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });

describe("ai backends", () => {
  it("backendAuth key, OpenAI style: Authorization Bearer replaces the caller's credentials", async () => {
    const m = await mock();
    const { port, logs } = await gatewayWith(
      [{ ai: { name: "o", provider: { openAI: {} }, baseUrl: `${m.url}/v1` } }],
      { backendAuth: { key: "env::K" } },
      { env: { K: "sk-managed" } },
    );
    const r = await send(port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", authorization: "Bearer caller", "x-api-key": "caller2" },
      body: chat,
    });
    expect(r.status).toBe(200);
    const seen = await m.nextRequest();
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.headers.authorization).toBe("Bearer sk-managed");
    expect(seen.headers["x-api-key"]).toBeUndefined();
    await logs.waitFor((l) => l.msg === "request");
    expect(JSON.stringify(logs.lines)).not.toContain("sk-managed");
    expect(JSON.stringify(logs.lines)).not.toContain("caller");
  });

  it("backendAuth key, Anthropic style: x-api-key plus a default anthropic-version, the caller's version kept", async () => {
    const m = await mock();
    const { port } = await gatewayWith(
      [{ ai: { name: "a", provider: { anthropic: {} }, baseUrl: `${m.url}/v1` } }],
      { backendAuth: { key: "ak-managed" } },
    );
    const body = JSON.stringify({
      model: "claude",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    const r1 = await send(port, {
      method: "POST",
      path: "/v1/messages",
      headers: { "content-type": "application/json", authorization: "Bearer caller" },
      body,
    });
    expect(r1.status).toBe(200);
    const s1 = await m.nextRequest();
    expect(s1.path).toBe("/v1/messages");
    expect(s1.headers["x-api-key"]).toBe("ak-managed");
    expect(s1.headers["anthropic-version"]).toBe("2023-06-01");
    expect(s1.headers.authorization).toBeUndefined();
    await send(port, {
      method: "POST",
      path: "/v1/messages",
      headers: { "content-type": "application/json", "anthropic-version": "2099-01-01" },
      body,
    });
    const s2 = await m.nextRequest();
    expect(s2.headers["anthropic-version"]).toBe("2099-01-01");
  });

  it("backendAuth passthrough sends the caller's credential as sent", async () => {
    const m = await mock();
    const { port } = await gatewayWith(
      [{ ai: { name: "o", provider: { openAI: {} }, baseUrl: `${m.url}/v1` } }],
      { backendAuth: { passthrough: {} } },
    );
    await send(port, {
      method: "POST",
      path: "/v1/files",
      headers: { authorization: "Bearer caller-key", "x-agw-authorization": "Bearer gw" },
      body: "x",
    });
    const seen = await m.nextRequest();
    expect(seen.headers.authorization).toBe("Bearer caller-key");
    expect(seen.headers["x-agw-authorization"]).toBeUndefined();
  });

  it("joins URLs: /v1 dropped only when the base path ends in /v1; query kept", async () => {
    const m = await mock();
    // Paths with no parsed route type, so they take the opaque proxy and its joining rule.
    const cases: Array<[string, string, string]> = [
      [`${m.url}/v1`, "/v1/files?x=1", "/v1/files?x=1"],
      [`${m.url}/v1/`, "/v1", "/v1"],
      [`${m.url}/v1`, "/v10/files", "/v1/v10/files"],
      [`${m.url}/v1`, "/files", "/v1/files"],
      [`${m.url}/openai`, "/v1/batches", "/openai/v1/batches"],
      [m.url, "/v1/batches?a=b", "/v1/batches?a=b"],
    ];
    for (const [baseUrl, incoming, expected] of cases) {
      const { port, gateway } = await gatewayWith([{ ai: { name: "o", provider: { openAI: {} }, baseUrl } }]);
      await send(port, { path: incoming, headers: { "x-case": incoming } });
      const seen = await m.nextRequest();
      expect(`${baseUrl} + ${incoming} → ${seen.path}`).toBe(`${baseUrl} + ${incoming} → ${expected}`);
      await gateway.drain(1000);
    }
  });

  it("hostOverride dials another address, keeps the URL's path and sends the base URL's Host", async () => {
    const m = await mock();
    const { port } = await gatewayWith([
      {
        ai: {
          name: "o",
          provider: { openAI: {} },
          baseUrl: "http://api.upstream.invalid/v1",
          hostOverride: `127.0.0.1:${m.port}`,
        },
      },
    ]);
    const r = await send(port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", authorization: "Bearer caller-key" },
      body: chat,
    });
    expect(r.status).toBe(200);
    const seen = await m.nextRequest();
    expect(seen.headers.host).toBe("api.upstream.invalid");
    expect(seen.path).toBe("/v1/chat/completions");
  });

  it("chooses among weighted backends with the injected random source", async () => {
    const hits: string[] = [];
    const a = await startUpstream((_q, s) => {
      hits.push("a");
      s.end();
    });
    const b = await startUpstream((_q, s) => {
      hits.push("b");
      s.end();
    });
    cleanups.push(a.close, b.close);
    const rolls = [0.1, 0.3, 0.5, 0.99, 0.24];
    let i = 0;
    const { port } = await gatewayWith(
      [
        { host: `127.0.0.1:${a.port}`, weight: 1 },
        { host: `127.0.0.1:${b.port}`, weight: 3 },
      ],
      undefined,
      { random: () => rolls[i++ % rolls.length]! },
    );
    for (let n = 0; n < rolls.length; n++) await send(port, { path: "/" });
    // weight 1 of 4: rolls below 0.25 go to a.
    expect(hits).toEqual(["a", "b", "b", "b", "a"]);
  });

  it("a parsed route type whose provider speaks another format is translated for it", async () => {
    const m = await mock();
    const { port } = await gatewayWith([
      { ai: { name: "a", provider: { anthropic: {} }, baseUrl: `${m.url}/v1` } },
    ]);
    const r = await send(port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", "x-api-key": "caller-key" },
      body: chat,
    });
    expect(r.status).toBe(200);
    const seen = await m.nextRequest();
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("caller-key");
    expect(seen.json).toMatchObject({ model: "gpt-4o", messages: [{ role: "user" }], max_tokens: 4096 });
    expect(JSON.parse(r.body.toString("utf8")).object).toBe("chat.completion");
  });
});
