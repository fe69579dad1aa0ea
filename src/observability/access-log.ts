/**
 * The access log: one line per request, built from the RequestRecord when the response ends.
 * JSON (one flat object) by default; `logging.format: text` writes one compact readable line.
 *
 * The record carries no secret by construction (the path has no query string, the key is a
 * name, headers are never copied into it), and the entry is built field by field from it, so
 * nothing else can slip into a line.
 */
import type { Logger } from "pino";
import type { RequestRecord } from "../server/record.js";

export interface AccessLogEntry {
  requestId: string;
  /** The bind's port. */
  bind: number;
  listener: string | undefined;
  route: string | undefined;
  routeType: string | undefined;
  backend: string | undefined;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  upstreamMs: number | undefined;
  ttftMs: number | undefined;
  provider: string | undefined;
  model: string | undefined;
  upstreamModel: string | undefined;
  responseModel: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedTokens: number | undefined;
  /** "passthrough", "route:<name>" or "function:<name>". */
  routing: string | undefined;
  strategy: string | undefined;
  target: string | undefined;
  attempts: number | undefined;
  keyName: string | undefined;
  error: string | undefined;
  traceId: string | undefined;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const msBetween = (a: bigint, b: bigint): number => Number(b - a) / 1e6;

/** Sets `durationMs` from the arrival time (call once, when the response has ended). */
export function finishRecord(r: RequestRecord, now: bigint = process.hrtime.bigint()): void {
  r.durationMs = msBetween(r.startNs, now);
  if (r.upstreamStartNs !== undefined && r.upstreamEndNs === undefined) r.upstreamEndNs = now;
}

/** Time spent waiting on upstreams, in ms; undefined when no upstream was called. */
export function upstreamMsOf(r: RequestRecord): number | undefined {
  if (r.upstreamStartNs === undefined || r.upstreamEndNs === undefined) return undefined;
  return msBetween(r.upstreamStartNs, r.upstreamEndNs);
}

export function ttftMsOf(r: RequestRecord): number | undefined {
  return r.firstByteNs === undefined ? undefined : msBetween(r.startNs, r.firstByteNs);
}

export function accessLogEntry(r: RequestRecord): AccessLogEntry {
  const upstream = upstreamMsOf(r);
  const ttft = ttftMsOf(r);
  return {
    requestId: r.id,
    bind: r.port,
    listener: r.listener,
    route: r.route,
    routeType: r.routeType,
    backend: r.backend,
    method: r.method,
    path: r.path,
    status: r.status,
    durationMs: round(r.durationMs),
    upstreamMs: upstream === undefined ? undefined : round(upstream),
    ttftMs: ttft === undefined ? undefined : round(ttft),
    provider: r.provider,
    model: r.model,
    upstreamModel: r.upstreamModel,
    responseModel: r.responseModel,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedTokens: r.cachedInputTokens,
    routing:
      r.routingPath ??
      (r.routeType === "passthrough" || r.routeType === "detect" ? "passthrough" : undefined),
    strategy: r.strategy,
    target: r.target,
    attempts: r.attempts,
    keyName: r.keyName,
    error: r.error,
    traceId: r.traceId,
  };
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** `GET /v1/chat/completions 200 12.3ms route=llm type=completions model=a→b tokens=12/34 ...` */
export function accessLogText(e: AccessLogEntry): string {
  const parts = [`${e.method} ${e.path} ${e.status} ${fmtMs(e.durationMs)}ms`];
  const kv = (k: string, v: string | number | undefined): void => {
    if (v !== undefined) parts.push(`${k}=${v}`);
  };
  kv("id", e.requestId);
  kv("bind", e.bind);
  kv("listener", e.listener);
  kv("route", e.route);
  kv("type", e.routeType);
  kv("routing", e.routing);
  kv("strategy", e.strategy);
  kv("target", e.target);
  kv("attempts", e.attempts);
  kv("provider", e.provider ?? e.backend);
  if (e.model !== undefined || e.responseModel !== undefined) {
    const asked = e.model ?? "-";
    const answered = e.responseModel ?? e.upstreamModel;
    parts.push(`model=${answered === undefined || answered === asked ? asked : `${asked}→${answered}`}`);
  }
  if (e.inputTokens !== undefined || e.outputTokens !== undefined) {
    const cached = e.cachedTokens === undefined ? "" : ` cached=${e.cachedTokens}`;
    parts.push(`tokens=${e.inputTokens ?? 0}/${e.outputTokens ?? 0}${cached}`);
  }
  if (e.upstreamMs !== undefined) parts.push(`upstream=${fmtMs(e.upstreamMs)}ms`);
  if (e.ttftMs !== undefined) parts.push(`ttft=${fmtMs(e.ttftMs)}ms`);
  kv("key", e.keyName);
  kv("error", e.error);
  kv("trace", e.traceId);
  return parts.join(" ");
}

export interface AccessLog {
  /** Writes the line for a finished record's entry. */
  write(e: AccessLogEntry): void;
}

/**
 * Lines go through the process logger (pino on an asynchronous sonic-boom destination in
 * json mode), so they share its ordering and its flush at shutdown.
 */
export function createAccessLog(logger: Logger, format: "json" | "text"): AccessLog {
  if (format === "text") {
    return {
      write(e) {
        if (logger.isLevelEnabled("info")) logger.info(accessLogText(e));
      },
    };
  }
  return {
    write(e) {
      if (logger.isLevelEnabled("info")) logger.info(e, "request");
    },
  };
}
