/**
 * Prometheus metrics on the gateway's own prom-client Registry (never the global one, so
 * several gateways in one process, and tests, do not share series). Every label value is
 * bounded: names the configuration knows, closed sets, or `other` (see labels.ts).
 *
 * Token and time-to-first-token histograms follow the OpenTelemetry GenAI semantic
 * conventions (gen_ai.client.token.usage, gen_ai.server.time_to_first_token) with their
 * recommended buckets, in Prometheus naming.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { RequestRecord } from "../http/record.js";
import type { Runtime } from "../runtime/snapshot.js";
import { ttftMsOf, upstreamMsOf } from "./access-log.js";
import {
  boundedKey,
  boundedModel,
  boundedProvider,
  boundedRoute,
  type LabelSets,
  labelSetsOf,
  systemOf,
} from "./labels.js";
import { CounterFamily, type CounterSeries, HistogramFamily, type HistogramSeries } from "./series.js";

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type ReloadResult = "success" | "failure";

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts one finished request (durations must be set: see finishRecord). */
  observe(r: RequestRecord): void;
  /** Replaces the known label values (call with each snapshot, at start and on reload). */
  setRuntime(runtime: Runtime): void;
  configReload(result: ReloadResult): void;
  /** globalRateLimit's Redis failed or was late (its failureMode applied). */
  rateLimitStoreError(): void;
  setSynchronized(ok: boolean): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
}

const LABEL_CACHE_MAX = 4096;

/** The series one request counts into, resolved once per label combination (cached). */
interface RequestSeries {
  route: string;
  requests: CounterSeries;
  duration: HistogramSeries;
  overhead: HistogramSeries;
  upstream: HistogramSeries;
  tokensIn: HistogramSeries;
  tokensOut: HistogramSeries;
  ttft: HistogramSeries;
}

interface RequestFamilies {
  requests: CounterFamily;
  duration: HistogramFamily;
  overhead: HistogramFamily;
  upstream: HistogramFamily;
  tokens: HistogramFamily;
  ttft: HistogramFamily;
}

function requestSeries(
  f: RequestFamilies,
  sets: LabelSets,
  r: RequestRecord,
  model: string,
  rawProvider: string | undefined,
): RequestSeries {
  const route = boundedRoute(sets, r.route);
  const routeType = r.routeType ?? "";
  const provider = boundedProvider(sets, rawProvider);
  const system = systemOf(sets, rawProvider);
  return {
    route,
    requests: f.requests.series({
      route,
      route_type: routeType,
      status: String(r.status),
      model,
      provider,
      routing: r.routingPath === undefined ? "" : r.routingPath.split(":")[0]!,
    }),
    duration: f.duration.series({ route, route_type: routeType, model }),
    overhead: f.overhead.series({ route, route_type: routeType }),
    upstream: f.upstream.series({ provider, model }),
    tokensIn: f.tokens.series({
      gen_ai_token_type: "input",
      gen_ai_request_model: model,
      gen_ai_system: system,
    }),
    tokensOut: f.tokens.series({
      gen_ai_token_type: "output",
      gen_ai_request_model: model,
      gen_ai_system: system,
    }),
    ttft: f.ttft.series({ gen_ai_request_model: model, gen_ai_system: system }),
  };
}

export function createMetrics(runtime?: Runtime): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  let sets: LabelSets =
    runtime === undefined
      ? { models: new Set(), systems: new Map(), routes: new Set() }
      : labelSetsOf(runtime);

  // The per-request families (series.ts); the rarer events below stay prom-client's.
  const families: RequestFamilies = {
    requests: new CounterFamily(
      "agw_requests_total",
      "Requests answered, by route, route type, HTTP status, requested model (or other) and provider.",
      ["route", "route_type", "status", "model", "provider", "routing"],
    ).register(registry),
    duration: new HistogramFamily(
      "agw_request_duration_seconds",
      "Time from a request's arrival to the end of its response.",
      ["route", "route_type", "model"],
      DURATION_BUCKETS,
    ).register(registry),
    overhead: new HistogramFamily(
      "agw_gateway_overhead_seconds",
      "Time spent inside agw for a request, upstream time excluded.",
      ["route", "route_type"],
      OVERHEAD_BUCKETS,
    ).register(registry),
    upstream: new HistogramFamily(
      "agw_upstream_duration_seconds",
      "Time from the first upstream request to the end of the last upstream response.",
      ["provider", "model"],
      DURATION_BUCKETS,
    ).register(registry),
    tokens: new HistogramFamily(
      "gen_ai_client_token_usage",
      "Tokens used per request (OpenTelemetry gen_ai.client.token.usage), by token type.",
      ["gen_ai_token_type", "gen_ai_request_model", "gen_ai_system"],
      TOKEN_BUCKETS,
    ).register(registry),
    ttft: new HistogramFamily(
      "gen_ai_server_time_to_first_token_seconds",
      "Time from a request's arrival to the first streamed chunk sent to the client.",
      ["gen_ai_request_model", "gen_ai_system"],
      TTFT_BUCKETS,
    ).register(registry),
  };
  const guardrails = new Counter({
    name: "agw_guardrail_checks_total",
    help: "Prompt guard checks, by phase (request, response, stream) and action (allow, mask, reject, failOpen).",
    labelNames: ["phase", "action"] as const,
    registers,
  });
  const policyEvents = new Counter({
    name: "agw_policy_events_total",
    help: "Every policy outcome, by policy, phase and action.",
    labelNames: ["policy", "phase", "action"] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: "agw_rate_limited_total",
    help: "Requests refused by a rate limit.",
    labelNames: ["route"] as const,
    registers,
  });
  const cost = new Counter({
    name: "agw_gen_ai_client_cost_usd_total",
    help: "USD spent (usage × the model price catalog), by provider, requested model (or other) and gateway key name.",
    labelNames: ["provider", "model", "key"] as const,
    registers,
  });
  const retries = new Counter({
    name: "agw_upstream_retries_total",
    help: "Upstream attempts beyond the first one per candidate.",
    labelNames: ["route"] as const,
    registers,
  });
  const fallbacks = new Counter({
    name: "agw_fallbacks_total",
    help: "Times a fallback route moved on to its next target.",
    labelNames: ["route"] as const,
    registers,
  });
  const storeErrors = new Counter({
    name: "agw_rate_limit_store_errors_total",
    help: "globalRateLimit checks and corrections Redis did not answer in time (the limit's failureMode applied).",
    registers,
  });
  const reloads = new Counter({
    name: "agw_config_reloads_total",
    help: "Configuration reloads, by result (success, failure).",
    labelNames: ["result"] as const,
    registers,
  });
  const synchronized = new Gauge({
    name: "agw_config_synchronized",
    help: "1 when the configuration serving is the file's current content, 0 after a failed reload.",
    registers,
    // Across cluster workers: out of sync if any one is.
    aggregator: "min",
  });
  synchronized.set(1);
  // Series that exist before the first event, so a dashboard sees 0 rather than nothing.
  reloads.inc({ result: "success" }, 0);
  reloads.inc({ result: "failure" }, 0);

  /** Series per label combination, resolved once: no label objects or hashing per request. */
  const labelCache = new Map<string, RequestSeries>();

  return {
    registry,
    setRuntime(rt) {
      sets = labelSetsOf(rt);
      labelCache.clear();
    },
    observe(r) {
      const model = boundedModel(sets, r.model);
      const rawProvider = r.provider ?? r.backend;
      const routeType = r.routeType ?? "";
      // Every part of the key is bounded: config names, closed sets, the bounded model.
      const key = `${r.route ?? "\u0000"}\u0001${routeType}\u0001${r.status}\u0001${model}\u0001${rawProvider ?? "\u0000"}\u0001${r.routingPath ?? "\u0000"}`;
      let l = labelCache.get(key);
      if (l === undefined) {
        l = requestSeries(families, sets, r, model, rawProvider);
        if (labelCache.size >= LABEL_CACHE_MAX) labelCache.clear();
        labelCache.set(key, l);
      }
      l.requests.inc();
      l.duration.observe(r.durationMs / 1000);
      const up = upstreamMsOf(r);
      l.overhead.observe(Math.max(0, r.durationMs - (up ?? 0)) / 1000);
      if (up !== undefined) l.upstream.observe(up / 1000);
      if (r.inputTokens !== undefined) l.tokensIn.observe(r.inputTokens);
      if (r.outputTokens !== undefined) l.tokensOut.observe(r.outputTokens);
      const route = l.route;
      const first = ttftMsOf(r);
      if (first !== undefined && r.routeType !== undefined && r.status < 400) {
        l.ttft.observe(first / 1000);
      }
      let limited = r.error === "rate_limited";
      for (const e of r.policyEvents ?? []) {
        policyEvents.inc({ policy: e.policy, phase: e.phase, action: e.action });
        if (e.policy === "promptGuard") guardrails.inc({ phase: e.phase, action: e.action });
        if (e.action === "rateLimited") limited = true;
      }
      if (limited) rateLimited.inc({ route });
      if (r.costUsd !== undefined && r.costUsd > 0) {
        cost.inc(
          { provider: boundedProvider(sets, rawProvider), model, key: boundedKey(sets, r.keyName) },
          r.costUsd,
        );
      }
      const fb = r.fallbacks ?? 0;
      if (fb > 0) fallbacks.inc({ route }, fb);
      if (r.attempts !== undefined) {
        const extra = r.attempts - 1 - fb;
        if (extra > 0) retries.inc({ route }, extra);
      }
    },
    rateLimitStoreError() {
      storeErrors.inc();
    },
    configReload(result) {
      reloads.inc({ result });
    },
    setSynchronized(ok) {
      synchronized.set(ok ? 1 : 0);
    },
    text: () => registry.metrics(),
  };
}
