import { EventEmitter, once } from "node:events";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ServeHandle, type SignalSource, serve } from "../../src/process/serve.js";
import { captureLogs, freePort, send, startUpstream } from "../server/engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempConfig(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agw-serve-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "agw.yaml");
  await writeFile(file, text);
  return file;
}

function signalSource(): SignalSource & { emit(s: NodeJS.Signals): void } {
  const ee = new EventEmitter();
  return {
    on: (s, fn) => ee.on(s, fn),
    off: (s, fn) => ee.off(s, fn),
    emit: (s) => void ee.emit(s),
  };
}

function started(): { onStarted: (h: ServeHandle) => void; handle: Promise<ServeHandle> } {
  let resolve!: (h: ServeHandle) => void;
  const handle = new Promise<ServeHandle>((r) => {
    resolve = r;
  });
  return { onStarted: resolve, handle };
}

describe("serve", () => {
  it("prints every located error and returns 1 for an invalid file", async () => {
    const file = await tempConfig("binds:\n- port: 99999999\n  listeners: []\n  extra: 1\n");
    const err: string[] = [];
    const code = await serve({ file, watch: false, env: {}, stderr: (t) => err.push(t) });
    expect(code).toBe(1);
    const text = err.join("");
    expect(text).toMatch(/agw\.yaml:2:\d+: /);
    expect(text).toMatch(/agw\.yaml:4:\d+: /);
    expect(text).toContain("invalid");
  });

  it("drains on SIGTERM: the request in flight completes, new connections are refused, exit 0", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let arrived!: () => void;
    const inUpstream = new Promise<void>((r) => {
      arrived = r;
    });
    const up = await startUpstream((req, res) => {
      req.resume();
      arrived();
      void released.then(() => res.end("finished"));
    });
    cleanups.push(up.close);
    const port = await freePort();
    const file = await tempConfig(
      `config:\n  drainTimeout: 10s\nbinds:\n- port: ${port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${up.port}\n`,
    );
    const signals = signalSource();
    const s = started();
    const logs = captureLogs();
    const exit = serve({ file, watch: true, env: {}, signals, logger: logs.logger, onStarted: s.onStarted });
    const handle = await s.handle;
    expect(handle.gateway.addresses().get(port)?.port).toBe(port);
    await logs.waitFor((l) => l.msg === `listening on 127.0.0.1:${port}`);

    const req = http.request({ host: "127.0.0.1", port, path: "/slow", agent: false });
    req.end();
    const response = once(req, "response");
    await inUpstream;

    signals.emit("SIGTERM");
    await expect(send(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    release();
    const [res] = (await response) as [http.IncomingMessage];
    let text = "";
    for await (const c of res) text += String(c);
    expect(res.statusCode).toBe(200);
    expect(text).toBe("finished");
    expect(await exit).toBe(0);
  });

  it("cuts requests still running at the drain deadline and still exits 0", async () => {
    const up = await startUpstream((req) => {
      req.resume(); // never answers
    });
    cleanups.push(up.close);
    const port = await freePort();
    const file = await tempConfig(
      `config:\n  drainTimeout: 50ms\nbinds:\n- port: ${port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${up.port}\n`,
    );
    const signals = signalSource();
    const s = started();
    const logs = captureLogs();
    const exit = serve({ file, watch: false, env: {}, signals, logger: logs.logger, onStarted: s.onStarted });
    await s.handle;
    const req = http.request({ host: "127.0.0.1", port, path: "/hang", agent: false });
    const failed = once(req, "error");
    req.end();
    await once(up.server, "request");
    signals.emit("SIGINT");
    expect(await exit).toBe(0);
    const [err] = (await failed) as [NodeJS.ErrnoException];
    expect(err.code).toBe("ECONNRESET");
  });

  it("readiness reports out of sync after a bad reload (SIGHUP with watching off) and ready after a good one", async () => {
    const up = await startUpstream((req, res) => {
      req.resume();
      res.end("ok");
    });
    cleanups.push(up.close);
    const [port, readyPort] = [await freePort(), await freePort()];
    const good = `config:\n  readinessAddr: 127.0.0.1:${readyPort}\nbinds:\n- port: ${port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${up.port}\n`;
    const file = await tempConfig(good);
    const signals = signalSource();
    const s = started();
    const exit = serve({
      file,
      watch: false,
      env: {},
      signals,
      logger: captureLogs().logger,
      onStarted: s.onStarted,
    });
    const handle = await s.handle;
    expect((await send(readyPort, { path: "/healthz/ready" })).status).toBe(200);

    await writeFile(file, "binds: nope\n");
    expect(await handle.watcher.reload()).toBe(false);
    const notReady = await send(readyPort, { path: "/healthz/ready" });
    expect(notReady.status).toBe(503);
    expect(notReady.body.toString()).toContain("out of sync");
    expect((await send(port)).body.toString()).toBe("ok");

    await writeFile(file, good);
    signals.emit("SIGHUP");
    // SIGHUP's reload runs in the background; reload() joins it (or runs once more).
    expect(await handle.watcher.reload()).toBe(true);
    expect((await send(readyPort, { path: "/healthz/ready" })).status).toBe(200);
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("a reload that adds or changes config.redis warns once that it needs a restart, without the URL", async () => {
    const up = await startUpstream((req, res) => {
      req.resume();
      res.end("ok");
    });
    cleanups.push(up.close);
    const port = await freePort();
    const binds = `binds:\n- port: ${port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${up.port}\n`;
    const file = await tempConfig(binds);
    const logs = captureLogs();
    const signals = signalSource();
    const s = started();
    const exit = serve({ file, watch: false, env: {}, signals, logger: logs.logger, onStarted: s.onStarted });
    const handle = await s.handle;
    const warnings = () => logs.lines.filter((l) => String(l.msg).startsWith("config.redis"));

    const withRedis = `config:\n  redis: { url: "redis://:hunter2-secret@127.0.0.1:1" }\n${binds}`;
    await writeFile(file, withRedis);
    expect(await handle.watcher.reload()).toBe(true);
    expect(warnings()).toHaveLength(1);
    expect(String(warnings()[0]!.msg)).toContain("takes effect when agw restarts");
    expect(JSON.stringify(logs.lines)).not.toContain("hunter2-secret");
    // The same file again: said once, not at every reload.
    expect(await handle.watcher.reload()).toBe(true);
    expect(warnings()).toHaveLength(1);
    // Back to what agw started with: nothing to say.
    await writeFile(file, binds);
    expect(await handle.watcher.reload()).toBe(true);
    expect(warnings()).toHaveLength(1);
    expect((await send(port)).body.toString()).toBe("ok");
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("readiness says the file is missing (503) while it is deleted, and ready once it is back", async () => {
    const up = await startUpstream((req, res) => {
      req.resume();
      res.end("ok");
    });
    cleanups.push(up.close);
    const [port, readyPort] = [await freePort(), await freePort()];
    const good = `config:\n  readinessAddr: 127.0.0.1:${readyPort}\nbinds:\n- port: ${port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${up.port}\n`;
    const file = await tempConfig(good);
    const signals = signalSource();
    const s = started();
    const exit = serve({
      file,
      watch: false,
      env: {},
      signals,
      logger: captureLogs().logger,
      onStarted: s.onStarted,
    });
    const handle = await s.handle;
    expect((await send(readyPort, { path: "/healthz/ready" })).status).toBe(200);

    await unlink(file);
    expect(await handle.watcher.reload()).toBe(false);
    const notReady = await send(readyPort, { path: "/healthz/ready" });
    expect(notReady.status).toBe(503);
    expect(notReady.body.toString()).toMatch(/^not ready: config file missing: .*agw\.yaml/);
    expect((await send(port)).body.toString()).toBe("ok");

    await writeFile(file, good);
    expect(await handle.watcher.reload()).toBe(true);
    expect((await send(readyPort, { path: "/healthz/ready" })).status).toBe(200);
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });
});

describe("agw's own outbound calls", () => {
  it("the prompt-guard webhook's unasked 100 Continue is skipped: its verdict still counts", async () => {
    // A raw socket server: 100 Continue, then the verdict (undici alone would drop the connection).
    const verdict = JSON.stringify({ action: "reject", message: "the webhook says no" });
    const hook = net.createServer((socket) => {
      socket.once("data", () => {
        socket.write(
          `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${verdict.length}\r\nconnection: close\r\n\r\n${verdict}`,
        );
        socket.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => hook.close(() => r())));
    const hookPort = (hook.address() as AddressInfo).port;
    const port = await freePort();
    const file = await tempConfig(`llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - { name: "*", provider: mock }
  policies:
    ai:
      promptGuard:
        request:
          - webhook: { url: "http://127.0.0.1:${hookPort}/guard", timeout: 2s }
`);
    const signals = signalSource();
    const s = started();
    const logs = captureLogs();
    const exit = serve({ file, watch: false, env: {}, signals, logger: logs.logger, onStarted: s.onStarted });
    await s.handle;
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    const body = (await res.json()) as { error: { message: string } };
    expect(res.status).toBe(403);
    expect(body.error.message).toBe("the webhook says no");
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });
});
