/**
 * The access log: one line per request, built from the RequestRecord when the response ends.
 * JSON (one flat object) by default; `logging.format: text` writes one compact readable line.
 *
 * The record carries no secret by construction (the path has no query string, the key is a
 * name, headers are never copied into it), and the entry is built field by field from it, so
 * nothing else can slip into a line.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { clip } from "../http/clip.js";
import type { RequestRecord } from "../http/record.js";
import { jsonLineSink } from "./log.js";

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
  /** USD, from usage and the model price catalog; absent when the model has no price. */
  cost?: number | undefined;
  /** "passthrough", "route:<name>" or "function:<name>". */
  routing: string | undefined;
  strategy: string | undefined;
  target: string | undefined;
  attempts: number | undefined;
  keyName: string | undefined;
  /** Hosted tools (web_search, ...) left out of a request for an upstream that cannot run them. */
  droppedTools?: string | undefined;
  error: string | undefined;
  traceId: string | undefined;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Sets `durationMs` from the arrival time (call once, when the response has ended). */
export function finishRecord(r: RequestRecord, now: number = performance.now()): void {
  r.durationMs = now - r.startMs;
  if (r.upstreamStartMs !== undefined && r.upstreamEndMs === undefined) r.upstreamEndMs = now;
}

/** Time spent waiting on upstreams, in ms; undefined when no upstream was called. */
export function upstreamMsOf(r: RequestRecord): number | undefined {
  if (r.upstreamStartMs === undefined || r.upstreamEndMs === undefined) return undefined;
  return r.upstreamEndMs - r.upstreamStartMs;
}

export function ttftMsOf(r: RequestRecord): number | undefined {
  return r.firstByteMs === undefined ? undefined : r.firstByteMs - r.startMs;
}

/**
 * The entry for a finished record. Every string a caller or an upstream controls is clipped
 * (clip.ts): the entry outlives the request (recent list, spans), and its size must not depend
 * on what they send. Names from the configuration are bounded by the file.
 */
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
    method: clip(r.method),
    path: clip(r.path),
    status: r.status,
    durationMs: round(r.durationMs),
    upstreamMs: upstream === undefined ? undefined : round(upstream),
    ttftMs: ttft === undefined ? undefined : round(ttft),
    provider: r.provider,
    model: clip(r.model),
    upstreamModel: clip(r.upstreamModel),
    responseModel: clip(r.responseModel),
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedTokens: r.cachedInputTokens,
    cost: r.costUsd,
    routing:
      r.routingPath ??
      (r.routeType === "passthrough" || r.routeType === "detect" ? "passthrough" : undefined),
    strategy: r.strategy,
    target: r.target,
    attempts: r.attempts,
    keyName: r.keyName,
    droppedTools: r.droppedTools,
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
  kv("cost", e.cost);
  if (e.upstreamMs !== undefined) parts.push(`upstream=${fmtMs(e.upstreamMs)}ms`);
  if (e.ttftMs !== undefined) parts.push(`ttft=${fmtMs(e.ttftMs)}ms`);
  kv("key", e.keyName);
  kv("droppedTools", e.droppedTools);
  kv("error", e.error);
  kv("trace", e.traceId);
  return parts.join(" ");
}

/** A JSON string literal, escaped as JSON.stringify does; short plain strings skip it. */
function jsonString(s: string): string {
  if (s.length < 64) {
    let plain = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Quote, backslash, control characters and lone surrogates need escaping.
      if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
        plain = false;
        break;
      }
    }
    if (plain) return `"${s}"`;
  }
  return JSON.stringify(s);
}

const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

const FRACTION = ["", "0", "00"];

/**
 * A millisecond figure rounded to the microsecond (k / 1000), as JSON.stringify writes it,
 * from integer parts: a double's shortest-form conversion cost ~0.5 µs per access line,
 * three per request (perf profile). Anything not exactly k / 1000 goes the generic way.
 */
export function jsonMs(ms: number): string {
  const k = Math.round(ms * 1000);
  if (k / 1000 !== ms || k < 0 || k > 0x7fffffff) return jsonNumber(ms);
  const whole = (k / 1000) | 0;
  let frac = k - whole * 1000;
  if (frac === 0) return String(whole);
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const f = String(frac);
  return `${whole}.${FRACTION[digits - f.length] ?? ""}${f}`;
}

/** Distinct values a line's quoted-string memo holds before it starts over. */
const QUOTE_MEMO_SIZE = 1024;
/** Longer values are quoted each time, not memoised: the memo stays within about 256 KiB. */
const QUOTE_MEMO_MAX_CHARS = 128;

/**
 * jsonString with a bounded memo: route, backend, model and the like repeat on every line, and
 * a lookup costs a quarter of escaping the value again and allocates nothing (measured). The
 * request id, path and trace id differ per request and are not memoised.
 */
export function memoJsonString(): (s: string) => string {
  const memo = new Map<string, string>();
  return (s) => {
    if (s.length > QUOTE_MEMO_MAX_CHARS) return jsonString(s);
    let q = memo.get(s);
    if (q === undefined) {
      if (memo.size >= QUOTE_MEMO_SIZE) memo.clear();
      q = jsonString(s);
      memo.set(s, q);
    }
    return q;
  };
}

/**
 * The fields of a JSON access-log line, in the entry's order, undefined ones left out:
 * exactly what pino's serialisation of the entry gives, without its generic walk over the
 * object (and without the redaction pass, which no entry field is subject to).
 */
export function accessLogJsonFields(e: AccessLogEntry, quote: (s: string) => string = jsonString): string {
  let s = `,"requestId":${jsonString(e.requestId)},"bind":${jsonNumber(e.bind)}`;
  if (e.listener !== undefined) s += `,"listener":${quote(e.listener)}`;
  if (e.route !== undefined) s += `,"route":${quote(e.route)}`;
  if (e.routeType !== undefined) s += `,"routeType":${quote(e.routeType)}`;
  if (e.backend !== undefined) s += `,"backend":${quote(e.backend)}`;
  s += `,"method":${quote(e.method)},"path":${jsonString(e.path)},"status":${jsonNumber(e.status)}`;
  s += `,"durationMs":${jsonMs(e.durationMs)}`;
  if (e.upstreamMs !== undefined) s += `,"upstreamMs":${jsonMs(e.upstreamMs)}`;
  if (e.ttftMs !== undefined) s += `,"ttftMs":${jsonMs(e.ttftMs)}`;
  if (e.provider !== undefined) s += `,"provider":${quote(e.provider)}`;
  if (e.model !== undefined) s += `,"model":${quote(e.model)}`;
  if (e.upstreamModel !== undefined) s += `,"upstreamModel":${quote(e.upstreamModel)}`;
  if (e.responseModel !== undefined) s += `,"responseModel":${quote(e.responseModel)}`;
  if (e.inputTokens !== undefined) s += `,"inputTokens":${jsonNumber(e.inputTokens)}`;
  if (e.outputTokens !== undefined) s += `,"outputTokens":${jsonNumber(e.outputTokens)}`;
  if (e.cachedTokens !== undefined) s += `,"cachedTokens":${jsonNumber(e.cachedTokens)}`;
  if (e.cost !== undefined) s += `,"cost":${jsonNumber(e.cost)}`;
  if (e.routing !== undefined) s += `,"routing":${quote(e.routing)}`;
  if (e.strategy !== undefined) s += `,"strategy":${quote(e.strategy)}`;
  if (e.target !== undefined) s += `,"target":${quote(e.target)}`;
  if (e.attempts !== undefined) s += `,"attempts":${jsonNumber(e.attempts)}`;
  if (e.keyName !== undefined) s += `,"keyName":${quote(e.keyName)}`;
  if (e.droppedTools !== undefined) s += `,"droppedTools":${quote(e.droppedTools)}`;
  if (e.error !== undefined) s += `,"error":${quote(e.error)}`;
  if (e.traceId !== undefined) s += `,"traceId":${jsonString(e.traceId)}`;
  return s;
}

export interface AccessLog {
  /** Writes the line for a finished record's entry; `fields` are its accessLogJsonFields when known. */
  write(e: AccessLogEntry, fields?: string): void;
}

/**
 * Lines go through the process logger's destination (pino on an asynchronous sonic-boom
 * destination in json mode), so they share its ordering and its flush at shutdown. For a
 * logger made by createLogger in json mode the line is composed here and written to that
 * destination directly, in the shape pino gives it: pino's generic serialisation and
 * redaction check cost ~15 µs per request (profiled). Any other logger gets `info(entry)`.
 */
export function createAccessLog(logger: Logger, format: "json" | "text"): AccessLog {
  if (format === "text") {
    return {
      write(e) {
        if (logger.isLevelEnabled("info")) logger.info(accessLogText(e));
      },
    };
  }
  const sink = jsonLineSink(logger);
  if (sink !== undefined) {
    const quote = memoJsonString();
    return {
      write(e, fields) {
        if (logger.isLevelEnabled("info")) {
          sink(
            `{"level":30,"time":${Date.now()}${fields ?? accessLogJsonFields(e, quote)},"msg":"request"}\n`,
          );
        }
      },
    };
  }
  return {
    write(e) {
      if (logger.isLevelEnabled("info")) logger.info(e, "request");
    },
  };
}
