/**
 * The admin endpoints on `config.adminAddr` (127.0.0.1 by default: the page shows traffic):
 *
 *   /config_dump          the configuration serving now, secrets redacted (JSON)
 *   /ui                   the admin page (recent requests, live; the configuration)
 *   /api/recent           recent requests, oldest first (JSON); ?after=<seq> for newer ones
 *   /api/recent/stream    the same as Server-Sent Events, live
 *
 * A request whose Host could be a rebound DNS name gets 403 (src/http/host-check.ts).
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { forbiddenHostText, hostCheck } from "../http/host-check.js";
import { listenSmall, type SmallServer } from "../http/small-server.js";
import type { ClientLimits } from "../runtime/client-limits.js";
import { ADMIN_PAGE } from "./admin-page.js";
import { pathOf, sendText } from "./http-server.js";
import type { RecentEntry, RecentRequests } from "./recent.js";

export interface AdminSource {
  /** The current configuration, already redacted (see redact.ts). */
  config(): unknown;
  recent: RecentRequests;
}

const HEARTBEAT_MS = 15_000;

function afterOf(url: string | undefined): number {
  const m = /[?&]after=(\d+)/.exec(url ?? "");
  return m === null ? 0 : Number(m[1]);
}

function sseEvent(e: RecentEntry): string {
  return `id: ${e.seq}\nevent: request\ndata: ${JSON.stringify(e)}\n\n`;
}

function stream(res: ServerResponse, recent: RecentRequests, after: number): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
  });
  res.write(": agw recent requests\n\n");
  for (const e of recent.list(after)) res.write(sseEvent(e));
  const unsubscribe = recent.subscribe((e) => void res.write(sseEvent(e)));
  const heartbeat = setInterval(() => void res.write(": ping\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  res.once("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

export function startAdmin(
  addr: string,
  source: AdminSource,
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
      if (req.method !== "GET" && req.method !== "HEAD") {
        sendText(res, 405, "method not allowed\n");
        return;
      }
      try {
        switch (pathOf(req)) {
          case "/":
            res.writeHead(302, { location: "/ui" }).end();
            return;
          case "/ui":
            sendText(res, 200, ADMIN_PAGE, "text/html; charset=utf-8");
            return;
          case "/config_dump":
            sendText(res, 200, `${JSON.stringify(source.config(), null, 2)}\n`, "application/json");
            return;
          case "/api/recent":
            sendText(res, 200, JSON.stringify(source.recent.list(afterOf(req.url))), "application/json");
            return;
          case "/api/recent/stream": {
            const last = req.headers["last-event-id"];
            const after = typeof last === "string" && /^\d+$/.test(last) ? Number(last) : afterOf(req.url);
            stream(res, source.recent, after);
            return;
          }
          default:
            sendText(res, 404, "not found; try /ui or /config_dump\n");
        }
      } catch (err) {
        logger.error({ err }, "admin request failed");
        if (!res.headersSent) sendText(res, 500, "internal error\n");
        else res.destroy();
      }
    },
    limits,
  );
}
