/**
 * The loop both guarded same-format streams (chat, Anthropic) share: the upstream's head as the
 * unguarded path passes it, each chunk parsed and what the guard lets out written (an echo of
 * the managed key redacted), the end judged, a broken upstream turned into an error event, the
 * usage noted. What a chunk becomes is each format's own (guarded-chat-stream.ts,
 * guarded-anthropic-stream.ts).
 */
import type { IrFormat, IrStreamEvent } from "../formats/index.js";
import type { SseEvent } from "../sse.js";
import { type Exchange, type StreamTracker, writeChunk } from "./exchange.js";
import { type StreamFilter, upstreamHeadsFor } from "./response-guard.js";
import { streamAbortCode, streamFailure } from "./translate-stream.js";
import { createUpstreamParser } from "./upstream-events.js";
import type { UpstreamResponse } from "./upstream-response.js";

/** One format's side of a guarded stream. */
export interface GuardedStreamSide {
  /** Judges one upstream event; what it lets out is collected for `take`. */
  onEvent(e: SseEvent): void;
  /** The text ready to write, handed over (the side keeps none of it). */
  take(): string;
  /** Whether the stream has ended early (a rejection, or the upstream's own error event). */
  stopped(): boolean;
  /** The upstream ended: judge what its decoder still holds. */
  finish(): void;
  /** The upstream broke: end with this error event. */
  fail(error: IrStreamEvent): void;
}

export async function pumpGuardedStream(
  x: Exchange,
  up: UpstreamResponse,
  filter: StreamFilter,
  tracker: StreamTracker,
  side: GuardedStreamSide,
  format: IrFormat,
): Promise<void> {
  const parser = createUpstreamParser(x, up, format, (e) => side.onEvent(e));
  // An echo of the managed key is redacted as on the unguarded paths.
  const redact = (text: string): string => (x.echo === undefined ? text : x.echo.redact(text, false));
  const res = x.res;
  x.record.status = up.statusCode;
  res.writeHead(up.statusCode, upstreamHeadsFor(x, up));
  res.flushHeaders();
  try {
    for await (const c of up.body) {
      parser.push(c as Uint8Array);
      const text = side.take();
      if (text !== "") {
        const wait = writeChunk(res, redact(text));
        if (wait !== undefined) await wait;
      }
      if (side.stopped()) break;
    }
    parser.end();
    if (!side.stopped()) side.finish();
  } catch (err) {
    if (x.abort.aborted) return;
    x.record.error ??= streamAbortCode(err);
    if (!side.stopped()) side.fail({ type: "error", error: streamFailure(err) });
  }
  await filter.end();
  if (tracker.failed) x.record.error ??= "upstream_stream_error";
  x.noteUsage(tracker.usage, tracker.model);
  if (!res.destroyed) res.end(redact(side.take()));
}
