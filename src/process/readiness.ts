/**
 * `/healthz/ready` on `config.readinessAddr`: 200 while the serving snapshot matches the
 * file, 503 (with the reason) while a broken file is pending, the file is missing, or the
 * gateway is draining.
 */

import { listenSmall, type SmallServer } from "../http/small-server.js";
import type { ClientLimits } from "../runtime/client-limits.js";

export interface ReadinessState {
  ready(): { ok: true } | { ok: false; reason: string };
}

export type ReadinessServer = SmallServer;

/** Ready, or not for `problem`. */
export function readyUnless(problem: string | undefined): { ok: true } | { ok: false; reason: string } {
  return problem === undefined ? { ok: true } : { ok: false, reason: problem };
}

export function startReadiness(
  addr: string,
  state: ReadinessState,
  limits?: ClientLimits,
): Promise<ReadinessServer> {
  return listenSmall(
    addr,
    (req, res) => {
      if (req.url !== "/healthz/ready") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      const r = state.ready();
      if (r.ok) res.writeHead(200, { "content-type": "text/plain" }).end("ready\n");
      else res.writeHead(503, { "content-type": "text/plain" }).end(`not ready: ${r.reason}\n`);
    },
    limits,
  );
}
