/**
 * `/metrics` on `config.statsAddr`: the Prometheus text exposition. A request whose Host could
 * be a rebound DNS name gets 403 (src/http/host-check.ts).
 */
import type { Logger } from "pino";
import { forbiddenHostText, hostCheck } from "../http/host-check.js";
import { listenSmall, type SmallServer } from "../http/small-server.js";
import type { ClientLimits } from "../runtime/client-limits.js";
import { pathOf, sendText } from "./http-server.js";

export interface StatsSource {
  /** The exposition text (one process, or aggregated across cluster workers). */
  metrics(): Promise<string>;
  contentType: string;
}

export function startStatsServer(
  addr: string,
  source: StatsSource,
  logger: Logger,
  limits?: ClientLimits,
  allowedHosts: readonly string[] = [],
): Promise<SmallServer> {
  const hostOk = hostCheck(addr, allowedHosts);
  return listenSmall(
    addr,
    (req, res) => {
      if (!hostOk(req.headers.host)) {
        sendText(res, 403, forbiddenHostText(req.headers.host ?? ""));
        return;
      }
      if (pathOf(req) !== "/metrics") {
        sendText(res, 404, "not found; metrics are on /metrics\n");
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        sendText(res, 405, "method not allowed\n");
        return;
      }
      source.metrics().then(
        (text) => sendText(res, 200, text, source.contentType),
        (err: unknown) => {
          logger.error({ err }, "cannot collect metrics");
          sendText(res, 500, "cannot collect metrics\n");
        },
      );
    },
    limits,
  );
}
