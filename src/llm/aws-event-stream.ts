/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), as Bedrock streams its
 * answers: binary frames (a prelude with the total and header lengths and a CRC, typed headers,
 * a payload, a message CRC). Each frame becomes one wire event, so the formats' stream decoders
 * read Bedrock as they read SSE:
 * - an `event` frame: `event` is its `:event-type` header, `data` its payload text (Converse);
 *   a `chunk` frame (InvokeModelWithResponseStream) carries the model's own event as base64 in
 *   `{"bytes": …}`: unwrapped, named by that event's `type`, as the model's SSE would name it;
 * - an `exception` or `error` frame: what `exception` makes of its type and payload (each wire
 *   format says errors its own way).
 *
 * Frames are cut from the byte stream here, so a frame's declared length is checked against the
 * event bound before anything is buffered; the CRCs and headers are checked by Smithy's codec.
 */
import { createRequire } from "node:module";
import type { EventStreamCodec } from "@smithy/core/event-streams";
import { type SseEvent, SseEventTooLargeError } from "./sse.js";

/** One frame as an event: the shape the formats' stream decoders read from SSE. */
type WireEvent = Pick<SseEvent, "event" | "data">;

export const EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream";

/** An exception or error frame: its type (`throttlingException`) and payload text. */
export interface EventStreamException {
  readonly type: string;
  readonly payload: string;
}

/** Thrown when a frame fails its CRC or structure: the stream cannot be read further. */
export class EventStreamFrameError extends Error {
  readonly code = "EVENT_STREAM_MALFORMED";
  constructor(detail: string) {
    super(`The upstream sent a malformed event-stream frame (${detail}).`);
    this.name = "EventStreamFrameError";
  }
}

export interface EventStreamParserOptions {
  /** The longest frame kept, in bytes (prelude and CRCs included). Unbounded when absent. */
  readonly maxEventBytes?: number;
  /** The wire event an exception or error frame becomes. */
  readonly exception: (e: EventStreamException) => WireEvent;
}

export interface EventStreamParser {
  push(chunk: Uint8Array): void;
  /** The upstream ended; a partial frame left over is dropped (the decoder reports the missing end). */
  end(): void;
}

/** The smallest frame: prelude (12) and message CRC (4). */
const MIN_FRAME = 16;

let codec: EventStreamCodec | undefined;

/**
 * Smithy's codec is loaded when first needed, not with this module: most configs have no Bedrock
 * provider, and the codec with its UTF-8 helpers held ~1.1 MB of heap in every agw. It is
 * required, not imported, so that decoding stays synchronous (under Node both packages resolve
 * to their CommonJS builds either way); a config with a Bedrock provider loads it when it is
 * compiled (loadEventStreamDecoder), so no request waits for it.
 */
function sharedCodec(): EventStreamCodec {
  if (codec === undefined) {
    const require = createRequire(import.meta.url);
    const smithy = require("@smithy/core/event-streams") as typeof import("@smithy/core/event-streams");
    const utf8 = require("@smithy/util-utf8") as typeof import("@smithy/util-utf8");
    codec = new smithy.EventStreamCodec(utf8.toUtf8, utf8.fromUtf8);
  }
  return codec;
}

/** Loads the frame decoder now (a config whose providers stream in this framing is being compiled). */
export function loadEventStreamDecoder(): void {
  sharedCodec();
}

/** Whether the frame decoder is loaded (tests: a config without Bedrock leaves it unloaded). */
export function eventStreamDecoderLoaded(): boolean {
  return codec !== undefined;
}

function headerText(headers: Record<string, { type: string; value: unknown }>, name: string): string {
  const h = headers[name];
  return h !== undefined && h.type === "string" && typeof h.value === "string" ? h.value : "";
}

/** A `chunk` frame's model event: its base64 `bytes` decoded, named by its `type`. */
function unwrapChunk(payload: string): WireEvent {
  let inner: string;
  try {
    const bytes = (JSON.parse(payload) as { bytes?: unknown }).bytes;
    if (typeof bytes !== "string") throw new Error("no bytes");
    inner = Buffer.from(bytes, "base64").toString("utf8");
  } catch {
    throw new EventStreamFrameError("a chunk without base64 bytes");
  }
  let type: unknown;
  try {
    type = (JSON.parse(inner) as { type?: unknown }).type;
  } catch {
    // Not JSON: the decoder reports it as a malformed event.
  }
  return typeof type === "string" ? { event: type, data: inner } : { data: inner };
}

export function createEventStreamParser(
  onEvent: (e: WireEvent) => void,
  options: EventStreamParserOptions,
): EventStreamParser {
  const max = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  // Chunks held until a frame is complete: joined once per frame, never once per chunk, so a
  // large frame arriving in many small chunks costs one copy.
  let chunks: Buffer[] = [];
  let held = 0;

  const firstBytes = (n: number): Buffer => {
    if (chunks[0]!.length < n) chunks = [Buffer.concat(chunks)];
    return chunks[0]!.subarray(0, n);
  };
  const take = (n: number): Buffer => {
    const frame = firstBytes(n);
    const rest = chunks[0]!.subarray(n);
    chunks = rest.length === 0 ? chunks.slice(1) : [rest, ...chunks.slice(1)];
    held -= n;
    return frame;
  };

  const dispatch = (frame: Buffer): void => {
    let message: ReturnType<EventStreamCodec["decode"]>;
    try {
      message = sharedCodec().decode(frame);
    } catch (err) {
      throw new EventStreamFrameError(err instanceof Error ? err.message : "undecodable");
    }
    const headers = message.headers as Record<string, { type: string; value: unknown }>;
    const payload = Buffer.from(
      message.body.buffer,
      message.body.byteOffset,
      message.body.byteLength,
    ).toString("utf8");
    const kind = headerText(headers, ":message-type");
    if (kind === "exception") {
      onEvent(options.exception({ type: headerText(headers, ":exception-type"), payload }));
      return;
    }
    if (kind === "error") {
      const type = headerText(headers, ":error-code");
      onEvent(
        options.exception({
          type,
          payload: JSON.stringify({ message: headerText(headers, ":error-message") }),
        }),
      );
      return;
    }
    const type = headerText(headers, ":event-type");
    onEvent(type === "chunk" ? unwrapChunk(payload) : { event: type, data: payload });
  };

  return {
    push(chunk: Uint8Array): void {
      if (chunk.length === 0) return;
      chunks.push(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
      held += chunk.length;
      while (held >= 4) {
        const total = firstBytes(4).readUInt32BE(0);
        if (total < MIN_FRAME) throw new EventStreamFrameError(`a declared length of ${total} bytes`);
        if (total > max) {
          chunks = [];
          held = 0;
          throw new SseEventTooLargeError(max);
        }
        if (held < total) return;
        dispatch(take(total));
      }
    },
    end(): void {
      chunks = [];
      held = 0;
    },
  };
}
