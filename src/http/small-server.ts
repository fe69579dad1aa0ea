/**
 * A small HTTP server on "host:port" for the operational endpoints (readiness, stats, admin),
 * with the same client limits as the binds (headers and request timeouts, head size).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ClientLimits, DEFAULT_CLIENT_LIMITS } from "../runtime/client-limits.js";
import { applyServerLimits, serverOptions } from "./server-limits.js";

export interface SmallServer {
  address(): AddressInfo;
  close(): Promise<void>;
}

/** Splits "host:port" (IPv6 in brackets). */
export function splitAddress(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(":");
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(addr.slice(colon + 1)) };
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
