/**
 * Shared pieces of the engine tests: free ports, a gateway started from a Config, a raw HTTP
 * client, a dispatcher factory that sends every upstream connection to a local port (so a
 * config naming https://api.openai.com never leaves the machine), and a log capture.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Pool } from "undici";
import { compileConfig } from "../../src/config/compile.js";
import type { Config } from "../../src/config/schema.js";
import { createLogger, type Logger } from "../../src/observability/log.js";
import { type Gateway, type GatewayOptions, startGateway } from "../../src/server/gateway.js";
import type { DispatcherFactory } from "../../src/server/pool-cache.js";

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Every upstream connection dials 127.0.0.1:port in plain TCP, whatever the origin says. */
export function localDispatcher(port: number, dialed?: string[]): DispatcherFactory {
  return (target) =>
    new Pool(target.connectOrigin, {
      connect: (_opts, cb) => {
        dialed?.push(target.connectOrigin);
        const s = net.connect(port, "127.0.0.1");
        s.once("connect", () => cb(null, s));
        s.once("error", (e) => cb(e, null));
      },
    });
}

export interface LogCapture {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first access-log line matching `pred` (now or later). */
  waitFor(pred: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const lines: Array<Record<string, unknown>> = [];
  let waiters: Array<{
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (text === "") continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        waiters = waiters.filter((w) => {
          if (!w.pred(line)) return true;
          w.resolve(line);
          return false;
        });
      }
      cb();
    },
  });
  return {
    logger: createLogger({ level: "info", destination: dest }),
    lines,
    waitFor(pred) {
      const found = lines.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

export async function startFromConfig(
  config: Config,
  options: Partial<Omit<GatewayOptions, "runtime">> & { env?: Record<string, string> } = {},
): Promise<{ gateway: Gateway; logs: LogCapture }> {
  const logs = captureLogs();
  const runtime = compileConfig(config, { env: options.env ?? {} });
  const gateway = await startGateway({ logger: logs.logger, ...options, runtime });
  return { gateway, logs };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request on a fresh connection (no agent pooling between tests). */
export function send(
  port: number,
  opts: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "GET",
        path: opts.path ?? "/",
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A local upstream whose handler the test writes. */
export async function startUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function hostBind(port: number, upstreamPort: number): Config {
  return {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [{ routes: [{ name: "up", backends: [{ host: `127.0.0.1:${upstreamPort}` }] }] }],
      },
    ],
  };
}
