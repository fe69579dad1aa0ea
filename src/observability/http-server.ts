/** A small HTTP server on "host:port" for the operational endpoints (stats, admin). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { splitAddress } from "../server/readiness.js";
import {
  applyServerLimits,
  type ClientLimits,
  DEFAULT_CLIENT_LIMITS,
  serverOptions,
} from "../server/server-limits.js";

export interface SmallServer {
  address(): AddressInfo;
  close(): Promise<void>;
}

export async function listenSmall(
  addr: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: ClientLimits = DEFAULT_CLIENT_LIMITS,
): Promise<SmallServer> {
  const server: Server = createServer(serverOptions(limits), handler);
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

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
