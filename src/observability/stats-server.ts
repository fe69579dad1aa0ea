/** `/metrics` on `config.statsAddr`: the Prometheus text exposition. */
import type { Logger } from "pino";
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
): Promise<SmallServer> {
  return listenSmall(
    addr,
    (req, res) => {
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
