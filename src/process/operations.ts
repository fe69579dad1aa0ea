/**
 * Everything operational around one serving process, built from the file's `config`
 * section: the request observer (access log, metrics, recent requests, tracing), the
 * /metrics server on statsAddr and the admin server on adminAddr (each opened only when the
 * file sets its address, like readinessAddr), and what a reload updates (known model labels,
 * the redacted config, reload counters).
 */
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { Env } from "../config/credential.js";
import type { Config } from "../config/schema.js";
import { interimSafeAgent } from "../http/interim-responses.js";
import type { SmallServer } from "../http/small-server.js";
import { createAccessLog } from "../observability/access-log.js";
import { startAdmin } from "../observability/admin.js";
import { createMetrics, type GatewayMetrics } from "../observability/metrics.js";
import { createObserver, type ObserverParts, type RequestObserver } from "../observability/observer.js";
import { createRecentRequests, type RecentRequests } from "../observability/recent.js";
import { redactConfig, referencedEnvValues } from "../observability/redact.js";
import { type StatsSource, startStatsServer } from "../observability/stats-server.js";
import { createOtlpExporter, type SpanExporter } from "../observability/tracing.js";
import type { Runtime } from "../runtime/snapshot.js";

export interface OperationsOptions {
  file: string;
  env: Env;
  config: Config;
  runtime: Runtime;
  logger: Logger;
  /** Serve admin and stats here (false in a cluster worker: the primary serves them). */
  servers?: boolean;
  /** Where finished requests go besides the local buffer (a cluster worker forwards them). */
  recentSink?: ObserverParts["recent"];
  /** Where /metrics reads from (the primary aggregates its workers'); this process's registry by default. */
  stats?: StatsSource;
}

export interface Operations {
  observer: RequestObserver;
  metrics: GatewayMetrics;
  recent: RecentRequests;
  /** The current configuration, redacted. */
  configDump(): unknown;
  /** After a successful swap. */
  applied(runtime: Runtime, config: Config): void;
  /** After every reload attempt. */
  reloaded(ok: boolean): void;
  admin: SmallServer | undefined;
  stats: SmallServer | undefined;
  /** Flushes spans and closes the servers. */
  close(): Promise<void>;
}

/** The redacted config of `file` as loaded (`config`), with values from the environment hidden. */
export function dumpOf(file: string, config: Config, env: Env): unknown {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // The file may be gone between load and dump; the secret-path rule still applies.
  }
  return redactConfig(config, referencedEnvValues(text, env));
}

export async function startOperations(options: OperationsOptions): Promise<Operations> {
  const { logger, env, file } = options;
  const p = options.config.config;
  const metrics = createMetrics(options.runtime);
  const recent = createRecentRequests();
  let dump = dumpOf(file, options.config, env);
  const endpoint = p?.tracing?.otlpEndpoint;
  const exporter: SpanExporter | undefined =
    endpoint === undefined
      ? undefined
      : // The collector's interim (1xx) answers are skipped as the upstream pools skip them.
        createOtlpExporter({ endpoint, logger, dispatcher: interimSafeAgent() });
  const observer = createObserver({
    accessLog: createAccessLog(logger, p?.logging?.format ?? "json"),
    metrics,
    recent: options.recentSink ?? recent,
    ...(exporter === undefined ? {} : { exporter }),
  });

  let admin: SmallServer | undefined;
  let stats: SmallServer | undefined;
  if (options.servers !== false) {
    const limits = options.runtime.process.clientLimits;
    const hosts = p?.adminAllowedHosts ?? [];
    const statsSource: StatsSource = options.stats ?? {
      metrics: () => metrics.text(),
      contentType: metrics.registry.contentType,
    };
    try {
      if (p?.statsAddr !== undefined) {
        stats = await startStatsServer(p.statsAddr, statsSource, logger, limits, hosts);
        logger.info({ address: p.statsAddr }, `metrics on ${p.statsAddr}/metrics`);
      }
      if (p?.adminAddr !== undefined) {
        admin = await startAdmin(p.adminAddr, { config: () => dump, recent }, logger, limits, hosts);
        logger.info({ address: p.adminAddr }, `admin on ${p.adminAddr}/ui`);
      }
    } catch (err) {
      await stats?.close();
      throw err;
    }
  }

  return {
    observer,
    metrics,
    recent,
    admin,
    stats,
    configDump: () => dump,
    applied(runtime, config) {
      metrics.setRuntime(runtime);
      dump = dumpOf(file, config, env);
    },
    reloaded(ok) {
      metrics.configReload(ok ? "success" : "failure");
      metrics.setSynchronized(ok);
    },
    async close() {
      await exporter?.shutdown();
      await Promise.all([admin?.close(), stats?.close()]);
    },
  };
}
