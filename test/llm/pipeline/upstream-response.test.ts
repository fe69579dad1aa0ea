/**
 * The pipeline's upstream answer over a real socket: undici's dispatch handler feeding
 * UpstreamBody. Backpressure must hold (a reader that is slow gets every byte, in order,
 * while the upstream is paused rather than buffered without bound), a reader that stops
 * cuts the upstream request, a client abort cuts it too, and a cut answer is an error.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ClientAbort, requestUpstream } from "../../../src/llm/pipeline/upstream-response.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function server(handler: http.RequestListener): Promise<{ url: string; closed: Promise<void>[] }> {
  const closed: Promise<void>[] = [];
  const s = http.createServer((req, res) => {
    closed.push(new Promise((r) => res.once("close", () => r())));
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  cleanups.push(
    () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, closed };
}

function pool(url: string): Pool {
  const p = new Pool(url);
  cleanups.push(() => p.destroy());
  return p;
}

const CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** Writes `count` CHUNKs, each numbered in its first 4 bytes, honouring backpressure, then ends. */
function numberedChunks(res: http.ServerResponse, count: number): () => void {
  let i = 0;
  const more = (): void => {
    while (i < count) {
      const c = Buffer.from(CHUNK);
      c.writeUInt32BE(i++, 0);
      if (!res.write(c)) {
        res.once("drain", more);
        return;
      }
    }
    res.end();
  };
  return more;
}

describe("upstream answers read through the dispatch handler", () => {
  it("a slow reader gets every byte in order while the upstream waits on it", async () => {
    const { url } = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "x-up": "1" });
      numberedChunks(res, 256)();
    });
    const up = await requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, new ClientAbort());
    expect(up.statusCode).toBe(200);
    expect(up.headers["x-up"]).toBe("1");
    const all: Buffer[] = [];
    let largest = 0;
    for await (const c of up.body) {
      all.push(c);
      // What piled up while the reader slept comes out as one chunk: bounded by the high-water
      // mark plus one socket read, not by the 4 MiB the upstream had to send.
      largest = Math.max(largest, c.length);
      await new Promise((r) => setTimeout(r, 1));
    }
    const bytes = Buffer.concat(all);
    expect(bytes.length).toBe(256 * CHUNK.length);
    for (let i = 0; i < 256; i++) expect(bytes.readUInt32BE(i * CHUNK.length)).toBe(i);
    expect(largest).toBeLessThanOrEqual(256 * 1024);
  });

  it("a reader that stops early cuts the upstream request", async () => {
    const { url, closed } = await server((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write(CHUNK), 2);
      res.once("close", () => clearInterval(t));
    });
    const up = await requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, new ClientAbort());
    for await (const _ of up.body) break;
    await closed[0];
  });

  it("a client abort cuts the request in flight, and one not yet sent", async () => {
    const { url, closed } = await server((_req, res) => {
      res.writeHead(200);
      res.write("first");
    });
    const abort = new ClientAbort();
    const up = await requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, abort);
    const reading = (async () => {
      for await (const _ of up.body) abort.fire();
    })();
    await expect(reading).rejects.toThrow();
    await closed[0];
    // Already aborted: the next request is cut as soon as undici starts it.
    await expect(
      requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, abort),
    ).rejects.toThrow();
  });

  it("an answer cut midway is an error for the reader, not a short body", async () => {
    const { url } = await server((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("only part");
      setTimeout(() => res.destroy(), 5);
    });
    let ended = false;
    const up = await requestUpstream(
      pool(url),
      { origin: url, path: "/", method: "GET" },
      new ClientAbort(),
      () => {
        ended = true;
      },
    );
    const read = (async () => {
      for await (const _ of up.body) {
        // read on
      }
    })();
    await expect(read).rejects.toThrow();
    expect(ended).toBe(true);
  });

  it("no answer at all rejects with undici's error", async () => {
    const { url } = await server((req) => req.socket.destroy());
    await expect(
      requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, new ClientAbort()),
    ).rejects.toThrow();
  });

  it("whole() reads an answer larger than the high-water mark in one piece, byte for byte", async () => {
    const { url } = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      // The first part waits so the reader is already waiting when the bytes come.
      setTimeout(numberedChunks(res, 64), 10);
    });
    const up = await requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, new ClientAbort());
    expect(up.headers["content-type"]).toBe("application/json");
    const bytes = await up.body.whole();
    expect(bytes.length).toBe(64 * CHUNK.length);
    for (let i = 0; i < 64; i++) expect(bytes.readUInt32BE(i * CHUNK.length)).toBe(i);
  });

  it("whole() takes what piled up while the upstream was paused, then the rest", async () => {
    const { url } = await server((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 16; i++) res.write(CHUNK);
      res.end("tail");
    });
    const up = await requestUpstream(pool(url), { origin: url, path: "/", method: "GET" }, new ClientAbort());
    // Let the body pile up past the high-water mark (the upstream is paused) before reading.
    await new Promise((r) => setTimeout(r, 50));
    const bytes = await up.body.whole();
    expect(bytes.length).toBe(16 * CHUNK.length + 4);
    expect(bytes.subarray(-4).toString()).toBe("tail");
  });

  it("whole() stops at its limit, and rejects on an answer cut midway", async () => {
    const { url } = await server((req, res) => {
      if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100000" });
        res.write("only part");
        setTimeout(() => res.destroy(), 5);
        return;
      }
      res.writeHead(200);
      const t = setInterval(() => res.write(CHUNK), 1);
      res.once("close", () => clearInterval(t));
    });
    const endless = await requestUpstream(
      pool(url),
      { origin: url, path: "/", method: "GET" },
      new ClientAbort(),
    );
    const some = await endless.body.whole(3 * CHUNK.length);
    expect(some.length).toBeGreaterThanOrEqual(3 * CHUNK.length);
    endless.body.destroy();
    const cut = await requestUpstream(
      pool(url),
      { origin: url, path: "/cut", method: "GET" },
      new ClientAbort(),
    );
    await expect(cut.body.whole()).rejects.toThrow();
  });
});
