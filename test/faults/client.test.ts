/**
 * Client faults: a client that leaves mid-request or mid-stream (the upstream request is
 * closed within 100 ms and nothing stays in flight), bad JSON, bodies over the limit (413 on
 * parsed routes, streamed through on passthrough ones), request smuggling shapes, oversized
 * or too many headers, and slowloris clients cut off by the headers timeout. Each time the
 * gateway keeps serving.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { startAdmin } from "../../src/observability/admin.js";
import { silentLogger } from "../../src/observability/log.js";
import { createRecentRequests } from "../../src/observability/recent.js";
import { startStatsServer } from "../../src/observability/stats-server.js";
import { startReadiness } from "../../src/process/readiness.js";
import { startGateway } from "../../src/server/gateway.js";
import { startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort } from "../server/engine-helpers.js";
import {
  bodyOf,
  CALLER_KEY,
  type Combo,
  call,
  combos,
  expectEnvelope,
  type FaultGateway,
  loadYaml,
  pathOf,
  post,
  rawExchange,
  startFaultGateway,
  stillServes,
  until,
  within,
} from "./harness.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway({
    headersMs: 5000,
    idleMs: 5000,
    maxBody: "64KiB",
    processYaml: "  clientHeadersTimeout: 300ms\n  clientRequestTimeout: 2s\n  maxHeaders: 50",
  });
});
afterAll(async () => {
  await g.close();
});

const chatJson: Combo = { client: "chat", upstream: "oai", stream: false, label: "chat" };

/** Starts a request with Node's client so it can be destroyed at a chosen moment. */
function startRequest(
  path: string,
  body: string | undefined,
  opts: { headers?: http.OutgoingHttpHeaders; end?: boolean } = {},
): { req: http.ClientRequest; response: Promise<http.IncomingMessage> } {
  const req = http.request({
    host: "127.0.0.1",
    port: g.port,
    method: "POST",
    path,
    agent: false,
    headers: { "content-type": "application/json", authorization: `Bearer ${CALLER_KEY}`, ...opts.headers },
  });
  req.on("error", () => {});
  const response = new Promise<http.IncomingMessage>((resolve) => req.once("response", resolve));
  if (body !== undefined) req.write(body);
  if (opts.end !== false) req.end();
  return { req, response };
}

describe("client aborts", () => {
  it.each(combos().filter((c) => !c.stream))(
    "$label: leaving while the upstream works closes the upstream request within 100 ms",
    async (c) => {
      g.mock.reset();
      g.mock.script({ fault: "hang" });
      const model = c.upstream === "oai" ? "oai-x" : "ant-x";
      const { req } = startRequest(pathOf(c.client), bodyOf(c.client, model, false));
      const seen = await within(g.mock.nextRequest(), 2000, "upstream request");
      expect(g.gateway.inFlight()).toBe(1);
      const t0 = Date.now();
      req.destroy();
      await within(seen.finished, 100 + 20, "upstream closed");
      expect(Date.now() - t0).toBeLessThanOrEqual(100);
      expect(seen.aborted).toBe(true);
      await until(() => g.gateway.inFlight() === 0, 500, "in flight back to 0");
      await stillServes(g, c);
    },
  );

  it.each(combos().filter((c) => c.stream))(
    "$label: leaving mid-stream closes the upstream stream within 100 ms",
    async (c) => {
      g.mock.reset();
      const h = g.mock.script({ reply: { text: "one two three four five six" }, gate: true });
      const model = c.upstream === "oai" ? "oai-x" : "ant-x";
      const { req, response } = startRequest(pathOf(c.client), bodyOf(c.client, model, true));
      const res = await within(response, 2000, "response headers");
      expect(res.statusCode).toBe(200);
      // The client has the first bytes of the stream: it is mid-stream.
      await within(new Promise<void>((r) => res.once("data", () => r())), 2000, "first stream bytes");
      const seen = await h.request;
      const t0 = Date.now();
      req.destroy();
      await within(seen.finished, 100 + 20, "upstream closed");
      expect(Date.now() - t0).toBeLessThanOrEqual(100);
      expect(seen.aborted).toBe(true);
      expect(h.gate.chunksSent).toBeLessThan(h.gate.totalChunks ?? 0);
      await until(() => g.gateway.inFlight() === 0, 500, "in flight back to 0");
      await stillServes(g, c);
    },
  );

  it("leaving mid-upload on a parsed route: no upstream call, nothing in flight, no error logged", async () => {
    g.mock.reset();
    const errorsBefore = g.logs.lines.filter((l) => Number(l.level) >= 50).length;
    const { req } = startRequest("/v1/chat/completions", '{"model": "oai-x", "messages": [', {
      headers: { "content-length": "5000" },
      end: false,
    });
    await until(() => g.gateway.inFlight() === 1, 1000, "request in flight");
    req.destroy();
    await until(() => g.gateway.inFlight() === 0, 500, "in flight back to 0");
    expect(g.mock.requests.length).toBe(0);
    const errors = g.logs.lines.filter((l) => Number(l.level) >= 50).slice(errorsBefore);
    expect(errors).toEqual([]);
    const access = await within(
      g.logs.waitFor((l) => l.msg === "request" && l.error === "client_aborted"),
      1000,
      "access line",
    );
    expect(access.error).toBe("client_aborted");
    await stillServes(g, chatJson);
  });

  it("leaving mid-upload on a passthrough route closes the upstream request within 100 ms", async () => {
    g.mock.reset();
    const { req } = startRequest("/v1/files", "x".repeat(1000), {
      headers: { "content-length": "100000", "content-type": "application/octet-stream" },
      end: false,
    });
    await until(() => g.gateway.inFlight() === 1, 1000, "request in flight");
    // The upstream has the request head (undici streams the body): wait for it to connect.
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    req.destroy();
    const seen = await within(g.mock.nextRequest(), 1000, "upstream saw the request");
    await within(seen.finished, 100 + 20, "upstream closed");
    expect(Date.now() - t0).toBeLessThanOrEqual(120);
    expect(seen.aborted).toBe(true);
    expect(seen.body.length).toBeLessThan(100000);
    await until(() => g.gateway.inFlight() === 0, 500, "in flight back to 0");
    await stillServes(g, chatJson);
  });
});

describe("bad bodies", () => {
  it.each(["chat", "messages"] as const)("%s: malformed JSON → 400 invalid_request_body", async (client) => {
    g.mock.reset();
    const r = await post(g.url, pathOf(client), '{"model": "oai-x", "messages": [');
    expect(r.status).toBe(400);
    expect(r.headers.get("x-agw-error-code")).toBe("invalid_request_body");
    expectEnvelope(client, r.text);
    expect(g.mock.requests.length).toBe(0);
  });

  it.each(["chat", "messages"] as const)(
    "%s: a body over the limit → 413 (declared length)",
    async (client) => {
      g.mock.reset();
      const r = await post(g.url, pathOf(client), bodyOf(client, "oai-x", false, "y".repeat(70 * 1024)));
      expect(r.status).toBe(413);
      expect(r.headers.get("x-agw-error-code")).toBe("request_body_too_large");
      expectEnvelope(client, r.text);
      expect(g.mock.requests.length).toBe(0);
    },
  );

  it("a chunked body over the limit → 413, and the connection is not left hanging", async () => {
    g.mock.reset();
    const { req, response } = startRequest("/v1/chat/completions", undefined, { end: false });
    const chunk = "z".repeat(16 * 1024);
    for (let i = 0; i < 6; i++) req.write(chunk);
    const res = await within(response, 2000, "413 before the body ends");
    expect(res.statusCode).toBe(413);
    req.destroy();
    expect(g.mock.requests.length).toBe(0);
    await stillServes(g, chatJson);
  });

  it("a large body streams through a passthrough route untouched", async () => {
    g.mock.reset();
    const big = Buffer.alloc(1024 * 1024, 97);
    const r = await fetch(`${g.url}/v1/files`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", authorization: `Bearer ${CALLER_KEY}` },
      body: big,
    });
    await r.arrayBuffer();
    expect(r.status).toBe(404); // the mock has no /files; what matters is what it received
    const seen = g.mock.requests[0];
    expect(seen?.pathname).toBe("/v1/files");
    expect(seen?.body.length).toBe(big.length);
    expect(seen?.body.equals(big)).toBe(true);
  });
});

describe("request smuggling and header abuse (raw sockets)", () => {
  const head = (extra: string) =>
    `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${extra}\r\n`;

  it("Content-Length with Transfer-Encoding → 400 and the connection closes", async () => {
    g.mock.reset();
    const body = bodyOf("chat", "oai-x", false);
    const r = await rawExchange(g.port, [
      head(`content-length: ${body.length}\r\ntransfer-encoding: chunked\r\n`),
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ]);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.closed).toBe(true);
    expect(g.mock.requests.length).toBe(0);
    await stillServes(g, chatJson);
  });

  it("two different Content-Length values → 400", async () => {
    const r = await rawExchange(g.port, [head("content-length: 5\r\ncontent-length: 6\r\n"), "hello!"]);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    await stillServes(g, chatJson);
  });

  it("a head larger than maxHeaderSize → 431", async () => {
    const r = await rawExchange(g.port, [head(`x-big: ${"a".repeat(20 * 1024)}\r\n`)]);
    expect(r.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(r.closed).toBe(true);
    await stillServes(g, chatJson);
  });

  it("more headers than maxHeaders → 431 too_many_headers", async () => {
    let many = "";
    for (let i = 0; i < 60; i++) many += `x-h${i}: v\r\n`;
    const body = bodyOf("chat", "oai-x", false);
    const r = await rawExchange(g.port, [head(`${many}content-length: ${body.length}\r\n`), body]);
    expect(r.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(r.text).toContain("too_many_headers");
    await stillServes(g, chatJson);
  });

  it("slowloris: a client dripping its headers is cut off near clientHeadersTimeout", async () => {
    const parts: string[] = ["POST /v1/chat/completions HTTP/1.1\r\n", "host: 127.0.0.1\r\n"];
    const t0 = Date.now();
    const answer = new Promise<{ text: string; ms: number }>((resolve) => {
      import("node:net").then(({ default: net }) => {
        const s = net.connect(g.port, "127.0.0.1");
        let text = "";
        let i = 0;
        const drip = setInterval(() => {
          if (s.writable) s.write(parts[i++ % parts.length] === "" ? "" : `x-slow-${i}: 1\r\n`);
        }, 50);
        s.on("connect", () => s.write(parts[0]!));
        s.on("data", (d: Buffer) => {
          text += d.toString("latin1");
        });
        s.on("close", () => {
          clearInterval(drip);
          resolve({ text, ms: Date.now() - t0 });
        });
        s.on("error", () => {});
        setTimeout(() => s.destroy(), 3000);
      });
    });
    const r = await answer;
    expect(r.ms).toBeGreaterThanOrEqual(250);
    expect(r.ms).toBeLessThan(1000);
    expect(r.text === "" || r.text.startsWith("HTTP/1.1 408")).toBe(true);
    await stillServes(g, chatJson);
  });
});

describe("every server has the limits", () => {
  const slowHead = (port: number) =>
    rawExchange(port, ["GET /healthz/ready HTTP/1.1\r\n", "host: 127.0.0.1\r\n"], 3000);
  const limits = { headersTimeoutMs: 200, requestTimeoutMs: 1000, maxHeaderSize: 4096, maxHeaders: 20 };

  it("readiness: a head that never ends is cut off near the headers timeout", async () => {
    const r = await startReadiness("127.0.0.1:0", { ready: () => ({ ok: true }) }, limits);
    try {
      const a = await slowHead(r.address().port);
      expect(a.closed).toBe(true);
      expect(a.ms).toBeLessThan(1000);
      expect(a.text === "" || a.text.startsWith("HTTP/1.1 408")).toBe(true);
    } finally {
      await r.close();
    }
  });

  it("admin and stats servers: the same, with the configured limits", async () => {
    const admin = await startAdmin(
      "127.0.0.1:0",
      { config: () => ({}), recent: createRecentRequests() },
      silentLogger(),
      limits,
    );
    const stats = await startStatsServer(
      "127.0.0.1:0",
      { metrics: async () => "", contentType: "text/plain" },
      silentLogger(),
      limits,
    );
    try {
      for (const s of [admin, stats]) {
        const a = await slowHead(s.address().port);
        expect(a.closed).toBe(true);
        expect(a.ms).toBeLessThan(1000);
        // 5000 bytes of head: over the configured 4096, under the 16KiB default.
        const big = await rawExchange(s.address().port, [`GET / HTTP/1.1\r\nx: ${"a".repeat(5000)}\r\n\r\n`]);
        expect(big.text).toMatch(/^HTTP\/1\.1 431 /);
      }
    } finally {
      await admin.close();
      await stats.close();
    }
  });
});

describe("slow bodies", () => {
  it("a body dripped past clientRequestTimeout is cut off (408 or close), the upstream never called", async () => {
    const slow = await startFaultGateway({
      processYaml: "  clientHeadersTimeout: 200ms\n  clientRequestTimeout: 400ms",
    });
    try {
      const body = bodyOf("chat", "oai-x", false);
      const t0 = Date.now();
      const r = await new Promise<{ text: string; ms: number }>((resolve) => {
        import("node:net").then(({ default: net }) => {
          const s = net.connect(slow.port, "127.0.0.1");
          let text = "";
          let i = 0;
          const drip = setInterval(() => {
            if (s.writable && i < body.length) s.write(body[i++]!);
          }, 40);
          s.on("connect", () =>
            s.write(
              `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
            ),
          );
          s.on("data", (d: Buffer) => {
            text += d.toString("latin1");
          });
          s.on("error", () => {});
          s.on("close", () => {
            clearInterval(drip);
            resolve({ text, ms: Date.now() - t0 });
          });
          setTimeout(() => s.destroy(), 4000);
        });
      });
      expect(r.ms).toBeGreaterThanOrEqual(350);
      expect(r.ms).toBeLessThan(1500);
      expect(r.text === "" || r.text.startsWith("HTTP/1.1 408")).toBe(true);
      expect(slow.mock.requests.length).toBe(0);
      await until(() => slow.gateway.inFlight() === 0, 500, "in flight back to 0");
    } finally {
      await slow.close();
    }
  });
});

describe("upstream faults on passthrough routes", () => {
  it("refused → 502 upstream_unavailable; a hang → 504 upstream_timeout", async () => {
    const fast = await startFaultGateway({ headersMs: 300 });
    try {
      fast.mock.script({ fault: "hang" });
      const hung = await fetch(`${fast.url}/v1/files`, { method: "POST", body: "x" });
      expect(hung.status).toBe(504);
      expect(hung.headers.get("x-agw-error-code")).toBe("upstream_timeout");
      await fast.mock.closeListener();
      const refused = await fetch(`${fast.url}/v1/files`, { method: "POST", body: "x" });
      expect(refused.status).toBe(502);
      expect(refused.headers.get("x-agw-error-code")).toBe("upstream_unavailable");
      await fast.mock.reopenListener();
      const ok = await fetch(`${fast.url}/v1/models/x`, {
        headers: { authorization: `Bearer ${CALLER_KEY}` },
      });
      expect(ok.status).toBeLessThan(500);
    } finally {
      await fast.close();
    }
  });
});

describe("path tricks", () => {
  it.each([
    ["/x/../v1/chat/completions"],
    ["/v1/./chat//completions"],
    ["/x/%2e%2e/v1/chat/completions"],
    ["/x/%2E%2E/v1/chat/%63ompletions"],
    ["//v1/chat/completions"],
  ])("%s is served as /v1/chat/completions", async (path) => {
    g.mock.reset();
    const r = await post(g.url, path, bodyOf("chat", "oai-x", false, "dots"));
    expect(r.status).toBe(200);
    expect(r.text).toContain("dots");
    expect(g.mock.requests[0]?.pathname).toBe("/v1/chat/completions");
    // It went through the completions pipeline (managed key, model rewritten), not passthrough.
    expect((g.mock.requests[0]?.json as { model?: string } | undefined)?.model).toBe("gpt-upstream");
  });

  it.each([["/v1/chat%2fcompletions"], ["/v1%5cchat/completions"], ["/v1/chat/completions%"]])(
    "%s is refused with 400 invalid_path",
    async (path) => {
      g.mock.reset();
      const r = await rawExchange(g.port, [
        `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`,
      ]);
      expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
      expect(g.mock.requests.length).toBe(0);
    },
  );

  it("a guarded route cannot be bypassed through another route's prefix (binds form)", async () => {
    const mock = await startMockUpstream();
    const port = await freePort();
    const config = loadYaml(
      `
binds:
  - port: ${port}
    address: 127.0.0.1
    listeners:
      - routes:
          - name: guarded
            matches: [{ path: { pathPrefix: /v1/admin } }]
            backends: [{ host: "127.0.0.1:${mock.port}" }]
            policies:
              apiKey: { keys: [{ name: k, key: gateway-key-123 }] }
          - name: open
            matches: [{ path: { pathPrefix: / } }]
            backends: [{ host: "127.0.0.1:${mock.port}" }]
`,
      {},
    );
    const gw = await startGateway({
      runtime: compileConfig(config, { env: {} }),
      logger: captureLogs().logger,
    });
    try {
      for (const path of [
        "/x/../v1/admin/keys",
        "/x/%2e%2e/v1/admin/keys",
        "//v1//admin/keys",
        "/v1/./admin/keys",
      ]) {
        const r = await rawExchange(port, [
          `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`,
        ]);
        expect(r.text, path).toMatch(/^HTTP\/1\.1 401 /);
      }
      expect(mock.requests.length).toBe(0);
      const ok = await rawExchange(port, [
        "GET /x/../other HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
      ]);
      expect(ok.text).toMatch(/^HTTP\/1\.1 404 /); // the mock's own 404: it was forwarded
      expect(mock.requests[0]?.path).toBe("/other");
    } finally {
      await gw.drain(200);
      await mock.close();
    }
  });

  it("dot segments never climb above the root", async () => {
    g.mock.reset();
    const r = await rawExchange(g.port, [
      "GET /../../../etc/passwd HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
    ]);
    expect(r.text).toMatch(/^HTTP\/1\.1 \d{3} /);
    // Resolved to /etc/passwd, then joined under the provider's base path (…/v1).
    expect(g.mock.requests[0]?.pathname).toBe("/v1/etc/passwd");
  });
});

describe("the gateway is still whole", () => {
  it("serves every combination after all of the above, with nothing in flight", async () => {
    for (const c of combos()) await stillServes(g, c);
    expect(g.gateway.inFlight()).toBe(0);
    const r = await call(g, chatJson);
    expect(r.status).toBe(200);
  });
});
