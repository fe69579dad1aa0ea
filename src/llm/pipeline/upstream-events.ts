/**
 * The events of an upstream stream, whatever its framing: Server-Sent Events (every provider
 * but Bedrock), or AWS's binary event stream (Bedrock), each frame one event. A stream that
 * arrived as an event stream reaches the client as SSE, re-framed event by event, so its head
 * says `text/event-stream`.
 */
import { headValue } from "../../http/forward-headers.js";
import { createEventStreamParser, EVENT_STREAM_CONTENT_TYPE } from "../aws-event-stream.js";
import type { IrFormat, WireEvent } from "../formats/index.js";
import { bedrockStreamException } from "../providers/bedrock/stream-exception.js";
import { createSseParser } from "../sse.js";
import type { Exchange } from "./exchange.js";
import type { UpstreamResponse } from "./upstream-response.js";

export interface UpstreamEventParser {
  /** Parses a chunk; returns its decoded text for SSE (searched for echoes as it passes), else undefined. */
  push(chunk: Uint8Array): string | undefined;
  end(): void;
  /** Whether the upstream's bytes are not SSE: the client gets the events re-framed, never the bytes. */
  readonly reframed: boolean;
}

function isEventStream(up: UpstreamResponse): boolean {
  const ct = headValue(up.head, "content-type");
  return typeof ct === "string" && ct.includes(EVENT_STREAM_CONTENT_TYPE);
}

/** A response header value as the client gets it: an event stream's content type is SSE's. */
export function clientHeaderValue(lower: string, value: string): string {
  return lower === "content-type" && value.includes(EVENT_STREAM_CONTENT_TYPE) ? "text/event-stream" : value;
}

export function createUpstreamParser(
  x: Exchange,
  up: UpstreamResponse,
  wire: IrFormat,
  onEvent: (e: WireEvent) => void,
): UpstreamEventParser {
  const max = x.ctx.runtime.process.maxUpstreamEventBytes;
  if (isEventStream(up)) {
    const p = createEventStreamParser(onEvent, {
      maxEventBytes: max,
      exception: bedrockStreamException(wire),
    });
    return {
      push(chunk) {
        p.push(chunk);
        return undefined;
      },
      end: () => p.end(),
      reframed: true,
    };
  }
  const p = createSseParser(onEvent, { maxEventChars: max });
  return { push: (chunk) => p.push(chunk), end: () => p.end(), reframed: false };
}
