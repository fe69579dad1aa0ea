/**
 * What the engine calls at the two ends of every request. `start` opens the request's trace
 * span (continuing the caller's traceparent) and notes when the first body chunk goes out;
 * `end` writes the access-log line, counts the metrics, adds the request to the recent list
 * and queues the span for export. All of it is synchronous and bounded: nothing here waits.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestRecord } from "../http/record.js";
import {
  type AccessLog,
  type AccessLogEntry,
  accessLogEntry,
  accessLogJsonFields,
  finishRecord,
  memoJsonString,
} from "./access-log.js";
import type { GatewayMetrics } from "./metrics.js";
import type { RecentSink } from "./recent.js";
import { TimedResponse } from "./timed-response.js";
import { createIdSource, type IdSource, type SpanData, type SpanExporter, startTrace } from "./tracing.js";

export interface RequestObserver {
  start(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void;
  end(record: RequestRecord): void;
}

export interface ObserverParts {
  accessLog: AccessLog;
  metrics?: GatewayMetrics;
  /** The recent-requests buffer (or, in a cluster worker, a forwarder to the primary's). */
  recent?: RecentSink;
  exporter?: SpanExporter;
  ids?: IdSource;
}

export function spanOf(r: RequestRecord, e: AccessLogEntry, nowUnixMs: number): SpanData | undefined {
  if (r.traceId === undefined || r.spanId === undefined) return undefined;
  const end = BigInt(nowUnixMs) * 1_000_000n;
  const start = end - BigInt(Math.round(r.durationMs * 1e6));
  const op = e.routeType ?? "http";
  return {
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: r.parentSpanId,
    name: e.model === undefined ? `${e.method} ${op}` : `${op} ${e.model}`,
    startUnixNano: start,
    endUnixNano: end,
    error: r.status >= 500 || r.status === 0 || r.error !== undefined,
    attributes: {
      "gen_ai.system": r.provider ?? r.backend,
      "gen_ai.operation.name": e.routeType,
      "gen_ai.request.model": e.model,
      "gen_ai.response.model": e.responseModel,
      "gen_ai.usage.input_tokens": e.inputTokens,
      "gen_ai.usage.output_tokens": e.outputTokens,
      "http.request.method": e.method,
      "http.response.status_code": e.status,
      "url.path": e.path,
      "agw.request_id": e.requestId,
      "agw.route": e.route,
      "agw.routing": e.routing,
      "agw.target": e.target,
      "agw.attempts": e.attempts,
      "error.type": e.error,
    },
  };
}

export function createObserver(parts: ObserverParts): RequestObserver {
  const ids = parts.ids ?? createIdSource();
  const quote = memoJsonString();
  return {
    start(req, res, record) {
      const t = startTrace(req, ids);
      record.traceId = t.traceId;
      record.spanId = t.spanId;
      record.parentSpanId = t.parentSpanId;
      // The first streamed body chunk (res.end alone does not call write): time to first token.
      if (res instanceof TimedResponse) {
        res.firstWriteRecord = record;
        return;
      }
      const write = res.write;
      res.write = function firstWrite(this: ServerResponse, ...args: Parameters<ServerResponse["write"]>) {
        record.firstByteMs ??= performance.now();
        res.write = write;
        return write.apply(this, args);
      } as ServerResponse["write"];
    },
    end(record) {
      finishRecord(record);
      const entry = accessLogEntry(record);
      // Serialised once, for the JSON access line and the recent list alike.
      const fields = accessLogJsonFields(entry, quote);
      parts.accessLog.write(entry, fields);
      parts.metrics?.observe(record);
      parts.recent?.add(entry, fields);
      if (parts.exporter !== undefined) {
        const span = spanOf(record, entry, Date.now());
        if (span !== undefined) parts.exporter.export(span);
      }
    },
  };
}
