/**
 * W3C Trace Context and OTLP span export.
 *
 * Each request gets a server span: the caller's `traceparent` is continued (same trace id,
 * the caller's span as parent), or a new trace starts when it is absent or malformed. The
 * request's `traceparent` header is rewritten to name the gateway's span, so whatever
 * forwards the caller's headers (the opaque proxy, same-format LLM calls) sends the upstream
 * a child of the gateway's span; `upstreamTraceparent` gives the same value to code that
 * builds upstream headers itself.
 *
 * Export is OTLP/HTTP JSON, batched from a bounded queue: a full queue drops spans (counted),
 * and a request never waits for the exporter.
 */
import { randomFillSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";

/** undici as a whole, imported on the first export rather than at startup (src/http/undici.ts). */
let undici: Promise<typeof import("undici")> | undefined;
function loadUndici(): Promise<typeof import("undici")> {
  undici ??= import("undici");
  return undici;
}

export interface TraceContext {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** The gateway's span for this request: 16 hex digits. */
  readonly spanId: string;
  /** The caller's span, when the caller sent a traceparent. */
  readonly parentSpanId: string | undefined;
  /** The caller's sampled flag (true for a trace the gateway starts). */
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** Parses a traceparent header; undefined when it is absent or invalid (a new trace starts). */
export function parseTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (m === null) return undefined;
  const version = m[1]!;
  // Version ff is forbidden; version 00 has no trailing fields.
  if (version === "ff" || (version === "00" && m[5] !== undefined)) return undefined;
  const traceId = m[2]!;
  const spanId = m[3]!;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(m[4]!, 16) & 1) === 1 };
}

export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}

/**
 * Random ids from a pooled buffer: one crypto call per 256 ids instead of one per request, and
 * one hex conversion of the pool, each id a slice of it (a conversion per id was ~1% of an
 * opaque passthrough's CPU under load).
 */
export function createIdSource(fill: (buf: Buffer) => void = (b) => void randomFillSync(b)): {
  traceId(): string;
  spanId(): string;
} {
  const pool = Buffer.alloc(8 * 256);
  let hex = "";
  let offset = pool.length;
  const take8 = (): string => {
    if (offset === pool.length) {
      fill(pool);
      hex = pool.toString("hex");
      offset = 0;
    }
    const s = hex.slice(offset * 2, offset * 2 + 16);
    offset += 8;
    // An all-zero id is invalid; vanishingly rare, but never emit one.
    return s === ZERO_SPAN ? "0000000000000001" : s;
  };
  return { traceId: () => take8() + take8(), spanId: take8 };
}

export type IdSource = ReturnType<typeof createIdSource>;

/** Starts the gateway's span for `req` and points the request's traceparent at it. */
export function startTrace(req: IncomingMessage, ids: IdSource): TraceContext {
  const incoming = req.headers.traceparent;
  const parent = parseTraceparent(typeof incoming === "string" ? incoming : undefined);
  const ctx: TraceContext = {
    traceId: parent?.traceId ?? ids.traceId(),
    spanId: ids.spanId(),
    parentSpanId: parent?.spanId,
    sampled: parent?.sampled ?? true,
  };
  const value = formatTraceparent(ctx.traceId, ctx.spanId, ctx.sampled);
  req.headers.traceparent = value;
  const raw = req.rawHeaders;
  let found = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 11 && raw[i]!.toLowerCase() === "traceparent") {
      raw[i + 1] = value;
      found = true;
    }
  }
  if (!found) raw.push("traceparent", value);
  return ctx;
}

/** The traceparent to send upstream for this request (the gateway's span as parent). */
export function upstreamTraceparent(req: IncomingMessage): string | undefined {
  const v = req.headers.traceparent;
  return typeof v === "string" ? v : undefined;
}

// ---------------------------------------------------------------------------------------
// OTLP/HTTP JSON export

export type AttributeValue = string | number | boolean;

export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** Unix time in nanoseconds. */
  startUnixNano: bigint;
  endUnixNano: bigint;
  /** True when the request failed (5xx or a gateway error). */
  error: boolean;
  attributes: Record<string, AttributeValue | undefined>;
}

export interface SpanExporter {
  /** Queues a span; never blocks, drops when the queue is full. */
  export(span: SpanData): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  shutdown(): Promise<void>;
  /** Spans dropped because the queue was full or the collector failed. */
  dropped(): number;
}

export interface OtlpExporterOptions {
  endpoint: string;
  logger: Logger;
  serviceName?: string;
  /** Spans per POST. */
  batchSize?: number;
  /** Spans held at most; more are dropped. */
  maxQueue?: number;
  /** A partial batch is sent after this long. */
  flushIntervalMs?: number;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** SpanKind SERVER in OTLP's enum; status codes: 1 OK, 2 ERROR. */
const SPAN_KIND_SERVER = 2;

function attributeList(attrs: Record<string, AttributeValue | undefined>): unknown[] {
  const out: unknown[] = [];
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined) continue;
    let value: unknown;
    if (typeof v === "string") value = { stringValue: v };
    else if (typeof v === "boolean") value = { boolValue: v };
    // OTLP JSON carries 64-bit integers as decimal strings.
    else if (Number.isInteger(v)) value = { intValue: String(v) };
    else value = { doubleValue: v };
    out.push({ key, value });
  }
  return out;
}

/** The OTLP ExportTraceServiceRequest JSON body for `spans`. */
export function otlpBody(spans: readonly SpanData[], serviceName: string): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attributeList({ "service.name": serviceName }) },
        scopeSpans: [
          {
            scope: { name: "agw" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: SPAN_KIND_SERVER,
              startTimeUnixNano: s.startUnixNano.toString(),
              endTimeUnixNano: s.endUnixNano.toString(),
              attributes: attributeList(s.attributes),
              status: { code: s.error ? 2 : 1 },
            })),
          },
        ],
      },
    ],
  });
}

export function createOtlpExporter(options: OtlpExporterOptions): SpanExporter {
  const batchSize = options.batchSize ?? 256;
  const maxQueue = options.maxQueue ?? 4096;
  const interval = options.flushIntervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const serviceName = options.serviceName ?? "agw";
  let queue: SpanData[] = [];
  let dropped = 0;
  let sending: Promise<void> = Promise.resolve();
  let warned = false;

  const send = async (batch: SpanData[]): Promise<void> => {
    try {
      const res = await (await loadUndici()).request(options.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: otlpBody(batch, serviceName),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`the collector answered ${res.statusCode}`);
      warned = false;
    } catch (err) {
      dropped += batch.length;
      // One warning per outage, not one per batch.
      if (!warned) options.logger.warn({ err, spans: batch.length }, "OTLP export failed");
      warned = true;
    }
  };

  const drainQueue = (): Promise<void> => {
    sending = sending.then(async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        queue = queue.slice(batch.length);
        await send(batch);
      }
    });
    return sending;
  };

  const timer = setInterval(() => {
    if (queue.length > 0) void drainQueue();
  }, interval);
  timer.unref();

  return {
    export(span) {
      if (queue.length >= maxQueue) {
        dropped++;
        return;
      }
      queue.push(span);
      if (queue.length >= batchSize) void drainQueue();
    },
    flush: drainQueue,
    async shutdown() {
      clearInterval(timer);
      await drainQueue();
    },
    dropped: () => dropped,
  };
}
