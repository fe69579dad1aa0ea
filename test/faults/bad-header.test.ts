/**
 * A header value that cannot be written (here a responseHeaderModifier value with CR/LF,
 * compiled without the loader's checks, standing in for any computed or upstream value)
 * must become an error answer, never an exception that kills the process.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BackendConfig, Config } from "../../src/config/schema.js";
import { startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, send, startFromConfig, startUpstream } from "../server/engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gatewayWith(backends: BackendConfig[], cors = false) {
  const port = await freePort();
  const config: Config = {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [
          {
            routes: [
              {
                name: "r",
                backends,
                policies: {
                  responseHeaderModifier: { set: { "x-injected": "a\r\nset-cookie: pwned=1" } },
                  ...(cors ? { cors: { allowOrigins: ["https://a.test"] } } : {}),
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const started = await startFromConfig(config);
  cleanups.push(() => started.gateway.drain(1000));
  return { port, ...started };
}

const chat = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });

describe("a header that cannot be written", () => {
  it("opaque proxy, preflight and LLM paths answer 500 and the server keeps serving", async () => {
    const up = await startUpstream((req, res) => {
      req.resume();
      res.end("ok");
    });
    cleanups.push(up.close);
    const mock = await startMockUpstream();
    cleanups.push(() => mock.close());

    const opaque = await gatewayWith([{ host: `127.0.0.1:${up.port}` }], true);
    for (let i = 0; i < 3; i++) {
      const r = await send(opaque.port);
      expect(r.status).toBe(500);
      expect(r.headers["x-agw-error-code"]).toBe("internal_error");
      expect(r.headers["x-injected"]).toBeUndefined();
      expect(r.headers["set-cookie"]).toBeUndefined();
    }
    const preflight = await send(opaque.port, {
      method: "OPTIONS",
      headers: { origin: "https://a.test", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(500);
    const line = await opaque.logs.waitFor((l) => String(l.msg).startsWith("a response header could not"));
    expect(line.level).toBe(50);

    const llm = await gatewayWith([
      { ai: { name: "o", provider: { openAI: {} }, baseUrl: `${mock.url}/v1` } },
    ]);
    const r = await send(llm.port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: chat,
    });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body.toString())).toMatchObject({ error: { code: "internal_error" } });
    // Still alive: the same port answers again.
    expect((await send(opaque.port)).status).toBe(500);
  });
});
