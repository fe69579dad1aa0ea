/**
 * Cross-format streams: upstream SSE → provider decoder → IR events → client encoder → SSE,
 * written as each upstream chunk is decoded (one write per chunk, with backpressure). A
 * failure in the middle (reset, idle timeout, malformed or truncated stream) ends the client
 * stream with an error event in its own format, never a clean end.
 */
import { EventStreamFrameError } from "../aws-event-stream.js";
import type { IrError, IrFormat, IrStreamEvent, StreamDecoder, StreamEncoder } from "../formats/index.js";
import { SseEventTooLargeError } from "../sse.js";
import { type Exchange, StreamTracker, sseText, writeChunk } from "./exchange.js";
import { streamFilterOf, upstreamHeadsFor } from "./response-guard.js";
import { withIdentity } from "./translate-json.js";
import { createUpstreamParser } from "./upstream-events.js";
import type { UpstreamResponse } from "./upstream-response.js";

/** The access log's error code for a stream the upstream broke. */
export function streamAbortCode(err: unknown): string {
  if (err instanceof SseEventTooLargeError) return "upstream_response_too_large";
  return err instanceof EventStreamFrameError ? "upstream_stream_malformed" : "upstream_aborted";
}

/** The IR error a broken upstream stream becomes. */
export function streamFailure(err: unknown): IrError {
  if (err instanceof SseEventTooLargeError) {
    return {
      status: 502,
      type: "server",
      code: "upstream_response_too_large",
      message: `The upstream sent a stream event longer than ${err.limit} characters, the limit (config.maxUpstreamEvent).`,
    };
  }
  if (err instanceof EventStreamFrameError) {
    return { status: 502, type: "server", code: "upstream_stream_malformed", message: err.message };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "UND_ERR_BODY_TIMEOUT") {
    return {
      status: 504,
      type: "timeout",
      code: "upstream_timeout",
      message: "The upstream stream went idle for longer than the stream idle timeout.",
    };
  }
  return {
    status: 502,
    type: "server",
    code: "upstream_stream_error",
    message: "The upstream connection failed in the middle of the stream.",
  };
}

export async function streamTranslated(
  x: Exchange,
  up: UpstreamResponse,
  wire: IrFormat,
  decoder: StreamDecoder,
  encoder: StreamEncoder,
  /** A same-format stream read only for the response guards: its upstream headers are kept. */
  sameFormat: boolean,
): Promise<void> {
  const body = up.body;
  const tracker = new StreamTracker(x.record);
  const filter = streamFilterOf(x);
  let out = "";
  const write = (events: readonly IrStreamEvent[]): void => {
    for (const e of events) {
      const ev = e.type === "message_start" ? withIdentity(x, e) : e;
      tracker.see(ev);
      const wire = encoder.push(ev);
      if (wire.length > 0) out += sseText(wire);
    }
  };
  // The response guards (if any) see every event before the client does.
  const emit = (events: readonly IrStreamEvent[]): void => {
    if (filter === undefined) write(events);
    else for (const ev of events) write(filter.push(ev));
  };
  const parser = createUpstreamParser(x, up, wire, (e) => emit(decoder.push(e)));
  // The head goes out with the first events when the first chunk is already buffered.
  const buffered = (body as { readableLength?: unknown }).readableLength;
  let headPending = typeof buffered === "number" && buffered > 0;
  x.startSse(!headPending, sameFormat ? upstreamHeadsFor(x, up) : undefined);
  const res = x.res;
  try {
    for await (const chunk of body) {
      parser.push(chunk as Uint8Array);
      if (out !== "") {
        headPending = false;
        const text = x.echo === undefined ? out : x.echo.redact(out, false);
        out = "";
        const wait = writeChunk(res, text);
        if (wait !== undefined) await wait;
      } else if (headPending) {
        headPending = false;
        res.flushHeaders();
      }
      if (tracker.failed) break;
    }
    parser.end();
    if (!tracker.failed) emit(decoder.finish());
  } catch (err) {
    if (x.abort.aborted) return;
    if (!tracker.failed) emit([{ type: "error", error: streamFailure(err) }]);
    x.record.error ??= streamAbortCode(err);
  }
  if (filter !== undefined) write(await filter.end());
  if (tracker.failed) x.record.error ??= "upstream_stream_error";
  x.noteUsage(tracker.usage, tracker.model);
  if (!res.destroyed) res.end(x.echo === undefined ? out : x.echo.redact(out, false));
}

/** Writes a list of IR events (the mock provider's stream) through the response guards and the client's encoder. */
export async function writeIrStream(
  x: Exchange,
  events: readonly IrStreamEvent[],
  encoder: StreamEncoder,
): Promise<void> {
  const tracker = new StreamTracker(x.record);
  const filter = streamFilterOf(x);
  x.startSse();
  const res = x.res;
  const write = (list: readonly IrStreamEvent[]): void => {
    for (const ev of list) {
      tracker.see(ev);
      const wire = encoder.push(ev);
      if (wire.length > 0) res.write(sseText(wire));
    }
  };
  for (const ev of events) write(filter === undefined ? [ev] : filter.push(ev));
  if (filter !== undefined) write(await filter.end());
  x.noteUsage(tracker.usage, tracker.model);
  res.end();
}
