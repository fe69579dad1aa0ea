/**
 * What the gateway knows about one request, filled in as it goes and logged once when the
 * response ends (the access-log line). Later issues add fields (key name, cost, ...); the
 * shape stays flat so a log line is one object.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { RouteTypeName } from "../config/schema.js";
import type { PolicyEvent } from "../policies/events.js";
import { clip } from "./clip.js";

export interface RequestRecord {
  id: string;
  method: string;
  /** Without the query string (which may carry secrets). */
  path: string;
  port: number;
  listener: string | undefined;
  route: string | undefined;
  backend: string | undefined;
  routeType: RouteTypeName | undefined;
  status: number;
  durationMs: number;
  /** The model the caller asked for. */
  model: string | undefined;
  /** The model the upstream says answered. */
  responseModel: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** The gateway error code, or "client_aborted" / "upstream_aborted". */
  error: string | undefined;
  /** performance.now() at arrival (monotonic ms: a number, no BigInt allocated per stamp). */
  startMs: number;
  // ---- Optional: filled by whoever knows them; read by the access log, metrics and traces.
  /** The configured provider that served (llm.providers[].name or the backend's name). */
  provider?: string;
  /** The model sent upstream, when routing replaced the requested one. */
  upstreamModel?: string;
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (a part of inputTokens). */
  cacheWriteTokens?: number;
  /** What the request cost in USD (usage × the price catalog); absent when the model has no price. */
  costUsd?: number;
  /** Adds the request's cost to the budgets it counts against (set by the gateway phase). */
  chargeSpend?: (usd: number) => void;
  /** Model routing: "passthrough", "route:<name>" or "function:<name>". */
  routingPath?: string;
  strategy?: string;
  /** The target (or passthrough provider) that answered, or the last one tried. */
  target?: string;
  /** Upstream attempts in all, across candidates (1 when the first try answered). */
  attempts?: number;
  /** Candidates moved past under the fallback strategy. */
  fallbacks?: number;
  /** Hosted tools left out of a translated request (comma-separated types, e.g. "web_search"). */
  droppedTools?: string;
  /** The name of the gateway key (apiKey policy) the caller presented; never the key. */
  keyName?: string;
  /** Policy outcomes (PolicyEvent of src/policies/events.ts), counted by the metrics. */
  policyEvents?: Array<{ readonly policy: string; readonly phase: string; readonly action: string }>;
  /** W3C trace context of the gateway's span (src/observability/tracing.ts). */
  traceId?: string;
  spanId?: string;
  /** The caller's span, when it sent a traceparent. */
  parentSpanId?: string;
  /** performance.now() when the first upstream request was sent, and when the last upstream response ended. */
  upstreamStartMs?: number;
  upstreamEndMs?: number;
  /** performance.now() when the first body chunk was written to the client (streams). */
  firstByteMs?: number;
}

export function newRecord(id: string, method: string, path: string, port: number): RequestRecord {
  return {
    id,
    method,
    path,
    port,
    listener: undefined,
    route: undefined,
    backend: undefined,
    routeType: undefined,
    status: 0,
    durationMs: 0,
    model: undefined,
    responseModel: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    error: undefined,
    startMs: performance.now(),
  };
}

export function logRecord(logger: Logger, r: RequestRecord): void {
  r.durationMs = performance.now() - r.startMs;
  logger.info(
    {
      requestId: r.id,
      method: clip(r.method),
      path: clip(r.path),
      port: r.port,
      listener: r.listener,
      route: r.route,
      backend: r.backend,
      routeType: r.routeType,
      status: r.status,
      durationMs: Math.round(r.durationMs * 1000) / 1000,
      model: clip(r.model),
      responseModel: clip(r.responseModel),
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      droppedTools: r.droppedTools,
      error: r.error,
    },
    "request",
  );
}

/** Policy outcomes go on the request record, where the metrics and the access log read them. */
export function notePolicyEvents(record: RequestRecord, events: readonly PolicyEvent[]): void {
  if (events.length === 0) return;
  const list = record.policyEvents ?? [];
  record.policyEvents = list;
  for (const e of events) list.push(e);
}
