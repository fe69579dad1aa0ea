/**
 * `/healthz/ready` on `config.readinessAddr`: 200 while the serving snapshot matches the
 * file, 503 (with the reason) while a broken file is pending or the gateway is draining.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  applyServerLimits,
  type ClientLimits,
  DEFAULT_CLIENT_LIMITS,
  serverOptions,
} from "./server-limits.js";

export interface ReadinessState {
  ready(): { ok: true } | { ok: false; reason: string };
}

export interface ReadinessServer {
  address(): AddressInfo;
  close(): Promise<void>;
}

/** Splits "host:port" (IPv6 in brackets). */
export function splitAddress(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(":");
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(addr.slice(colon + 1)) };
}

export async function startReadiness(
  addr: string,
  state: ReadinessState,
  limits: ClientLimits = DEFAULT_CLIENT_LIMITS,
): Promise<ReadinessServer> {
  const server: Server = createServer(serverOptions(limits), (req, res) => {
    if (req.url !== "/healthz/ready") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const r = state.ready();
    if (r.ok) res.writeHead(200, { "content-type": "text/plain" }).end("ready\n");
    else res.writeHead(503, { "content-type": "text/plain" }).end(`not ready: ${r.reason}\n`);
  });
  applyServerLimits(server, limits);
  const { host, port } = splitAddress(addr);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    address: () => server.address() as AddressInfo,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
