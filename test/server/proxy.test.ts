import { once } from "node:events";
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, hostBind, send, startFromConfig, startUpstream } from "./engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function track(g: Gateway): Gateway {
  cleanups.push(() => g.drain(1000));
  return g;
}

function allBytes(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

describe("opaque proxy over real sockets", () => {
  it("passes a binary body byte-exact both ways (every byte value, 4 MiB)", async () => {
    const payload = allBytes(4 * 1024 * 1024);
    expect(new Set(payload).size).toBe(256);
    let received: Buffer | undefined;
    const up = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received = Buffer.concat(chunks);
        // Answer with the bytes reversed so the response is not a copy of the request.
        const out = Buffer.from(received).reverse();
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(out);
      });
    });
    cleanups.push(up.close);
    const port = await freePort();
    const { gateway } = await startFromConfig(hostBind(port, up.port));
    track(gateway);
    const r = await send(port, {
      method: "POST",
      path: "/upload",
      headers: { "content-type": "application/octet-stream" },
      body: payload,
    });
    expect(r.status).toBe(200);
    expect(received!.equals(payload)).toBe(true);
    expect(r.body.equals(Buffer.from(payload).reverse())).toBe(true);
    expect(r.headers["x-agw-request-id"]).toMatch(/^[0-9a-f]+-[0-9a-z]+$/);
  });

  it("streams an upload: the upstream sees the first bytes before the client has finished sending", async () => {
    let firstBytes!: () => void;
    const upstreamSawData = new Promise<void>((r) => {
      firstBytes = r;
    });
    let total = 0;
    const up = await startUpstream((req, res) => {
      req.once("data", () => firstBytes());
      req.on("data", (c: Buffer) => {
        total += c.length;
      });
      req.on("end", () => res.end(String(total)));
    });
    cleanups.push(up.close);
    const port = await freePort();
    track((await startFromConfig(hostBind(port, up.port))).gateway);

    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "PUT",
      path: "/big",
      headers: { "transfer-encoding": "chunked" },
      agent: false,
    });
    const response = once(req, "response");
    const chunk = Buffer.alloc(64 * 1024, 1);
    req.write(chunk);
    // The client has not ended its body; the upstream must still get bytes.
    await upstreamSawData;
    for (let i = 0; i < 15; i++) req.write(chunk);
    req.end();
    const [res] = (await response) as [http.IncomingMessage];
    let text = "";
    for await (const c of res) text += String(c);
    expect(text).toBe(String(16 * 64 * 1024));
  });

  it.each([
    ["streamed", false],
    ["of declared length", true],
  ])(
    "respects backpressure downstream (%s): a client that stops reading stops the upstream",
    async (_kind, sized) => {
      const total = 64 * 1024 * 1024;
      const piece = Buffer.alloc(64 * 1024, 7);
      let written = 0;
      let waitingForDrain = false;
      const up = await startUpstream((req, res) => {
        req.resume();
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          ...(sized ? { "content-length": String(total) } : {}),
        });
        const pump = (): void => {
          while (written < total) {
            written += piece.length;
            if (!res.write(piece)) {
              waitingForDrain = true;
              res.once("drain", () => {
                waitingForDrain = false;
                pump();
              });
              return;
            }
          }
          res.end();
        };
        pump();
      });
      cleanups.push(up.close);
      const port = await freePort();
      track((await startFromConfig(hostBind(port, up.port))).gateway);
      const req = http.request({ host: "127.0.0.1", port, path: "/download", agent: false });
      req.end();
      const [res] = (await once(req, "response")) as [http.IncomingMessage];
      res.pause();
      // "Nothing more happens" has no event: wait (bounded) until the upstream sits blocked on
      // 'drain' with an unchanged count for several turns. A buffering proxy would instead let
      // the upstream write all 64 MiB.
      let last = -1;
      let steady = 0;
      for (let i = 0; i < 500 && steady < 5; i++) {
        await new Promise((r) => setTimeout(r, 10));
        steady = waitingForDrain && written === last ? steady + 1 : 0;
        last = written;
      }
      expect(steady).toBe(5);
      // Kernel and stream buffers hold a few MiB at most; the rest waits for the client.
      expect(written).toBeLessThan(total / 2);
      let received = 0;
      res.on("data", (c: Buffer) => {
        received += c.length;
      });
      res.resume();
      await once(res, "end");
      expect(received).toBe(total);
    },
  );

  it("SSE: the first chunk reaches the client before the upstream sends the second", async () => {
    const mock = await startMockUpstream();
    cleanups.push(() => mock.close());
    const port = await freePort();
    track((await startFromConfig(hostBind(port, mock.port))).gateway);
    const handle = mock.script({
      reply: { text: "one two three", usage: { input: 3, output: 3 } },
      gate: true,
    });
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      agent: false,
    });
    req.end(JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] }));
    const [res] = (await once(req, "response")) as [http.IncomingMessage];
    expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
    const chunks: string[] = [];
    const it = res[Symbol.asyncIterator]();
    const first = await it.next();
    chunks.push(String(first.value));
    // The client holds chunk 1 while the upstream has sent only chunk 1.
    expect(handle.gate.chunksSent).toBe(1);
    handle.gate.releaseAll();
    for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(String(r.value));
    const text = chunks.join("");
    expect(text).toContain("data: [DONE]");
    expect(handle.gate.totalChunks).toBeGreaterThan(1);
  });

  it("a client abort mid-stream aborts the upstream request", async () => {
    const mock = await startMockUpstream();
    cleanups.push(() => mock.close());
    const port = await freePort();
    track((await startFromConfig(hostBind(port, mock.port))).gateway);
    const handle = mock.script({ reply: { text: "a b c d e f" }, gate: true });
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/v1/chat/completions",
      agent: false,
    });
    req.on("error", () => {});
    req.end(JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }));
    const [res] = (await once(req, "response")) as [http.IncomingMessage];
    res.on("error", () => {});
    await once(res, "data");
    req.destroy();
    const upstreamReq = await handle.request;
    await upstreamReq.finished;
    expect(upstreamReq.aborted).toBe(true);
    expect(upstreamReq.completed).toBe(false);
  });

  it("answers 502 upstream_unavailable when the upstream refuses, 404 route_not_found when nothing matches", async () => {
    const dead = await freePort();
    const port = await freePort();
    const { gateway } = await startFromConfig({
      binds: [
        {
          port,
          address: "127.0.0.1",
          listeners: [
            {
              routes: [
                {
                  name: "dead",
                  matches: [{ path: { pathPrefix: "/dead" } }],
                  backends: [{ host: `127.0.0.1:${dead}` }],
                },
              ],
            },
          ],
        },
      ],
    });
    track(gateway);
    const r = await send(port, { path: "/dead/x" });
    expect(r.status).toBe(502);
    expect(r.headers["x-agw-error-code"]).toBe("upstream_unavailable");
    expect(r.headers["x-agw-request-id"]).toBeDefined();
    expect(JSON.parse(r.body.toString())).toEqual({
      error: {
        message: "The upstream could not be reached.",
        type: "upstream_unavailable",
        code: "upstream_unavailable",
      },
    });
    const n = await send(port, { path: "/other" });
    expect(n.status).toBe(404);
    expect(n.headers["x-agw-error-code"]).toBe("route_not_found");
    expect(n.headers["x-agw-request-id"]).toBeDefined();
  });

  it("drops hop-by-hop headers both ways, rewrites Host, adds X-Forwarded-*, never forwards x-agw-authorization", async () => {
    let seen: http.IncomingHttpHeaders = {};
    const up = await startUpstream((req, res) => {
      seen = req.headers;
      res.writeHead(200, {
        connection: "keep-alive, x-up-hop",
        "keep-alive": "timeout=99",
        "x-up-hop": "1",
        "x-up-kept": "2",
        "proxy-authenticate": "Basic",
      });
      res.end("ok");
    });
    cleanups.push(up.close);
    const port = await freePort();
    track((await startFromConfig(hostBind(port, up.port))).gateway);
    const r = await send(port, {
      path: "/h?q=1",
      headers: {
        host: "gateway.example",
        connection: "keep-alive, x-hop",
        "x-hop": "secret-hop",
        "keep-alive": "timeout=5",
        "proxy-authorization": "Basic abc",
        te: "trailers",
        upgrade: "websocket",
        "x-forwarded-for": "10.0.0.1",
        "x-agw-authorization": "Bearer gateway-key",
        authorization: "Bearer caller",
        "x-custom": "kept",
      },
    });
    expect(r.status).toBe(200);
    expect(seen.host).toBe(`127.0.0.1:${up.port}`);
    for (const h of ["x-hop", "keep-alive", "proxy-authorization", "te", "upgrade", "x-agw-authorization"]) {
      expect(seen[h], h).toBeUndefined();
    }
    expect(seen["x-forwarded-for"]).toBe("10.0.0.1, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen.authorization).toBe("Bearer caller");
    expect(seen["x-custom"]).toBe("kept");
    expect(r.headers["x-up-kept"]).toBe("2");
    expect(r.headers["x-up-hop"]).toBeUndefined();
    expect(r.headers["proxy-authenticate"]).toBeUndefined();
    // Node's own server may announce its keep-alive; the upstream's must not pass through.
    expect(r.headers["keep-alive"]).not.toBe("timeout=99");
  });

  it("passes repeated response headers through in order, with the upstream's status", async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(201, [
        ["Set-Cookie", "a=1"],
        ["X-Multi", "first"],
        ["Set-Cookie", "b=2"],
        ["X-Multi", "second"],
      ]);
      res.end("made");
    });
    cleanups.push(up.close);
    const port = await freePort();
    track((await startFromConfig(hostBind(port, up.port))).gateway);
    const r = await send(port, { path: "/multi" });
    expect(r.status).toBe(201);
    expect(r.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(r.headers["x-multi"]).toBe("first, second");
    expect(r.body.toString()).toBe("made");
  });

  it("an upstream that breaks mid-body cuts the client, recorded as upstream_aborted", async () => {
    const mock = await startMockUpstream();
    cleanups.push(() => mock.close());
    const port = await freePort();
    const { gateway, logs } = await startFromConfig(hostBind(port, mock.port));
    track(gateway);
    mock.script({ reply: { text: "a b c d e f g h" }, fault: { resetAfterBytes: 40 } });
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/v1/chat/completions",
      agent: false,
    });
    req.end(JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }));
    const [res] = (await once(req, "response")) as [http.IncomingMessage];
    expect(res.statusCode).toBe(200);
    const outcome = await new Promise<string>((resolve) => {
      res.on("data", () => {});
      res.once("end", () => resolve("complete"));
      res.once("error", () => resolve("cut"));
      res.once("aborted", () => resolve("cut"));
    });
    expect(outcome).toBe("cut");
    const line = await logs.waitFor((l) => l.msg === "request");
    expect(line.error).toBe("upstream_aborted");
  });

  it("keeps the upstream's status, and the upstream's error body as sent", async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" });
      res.end('{"error":"slow down"}');
    });
    cleanups.push(up.close);
    const port = await freePort();
    track((await startFromConfig(hostBind(port, up.port))).gateway);
    const r = await send(port, { path: "/x" });
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("3");
    expect(r.body.toString()).toBe('{"error":"slow down"}');
  });
});
