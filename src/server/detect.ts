/**
 * Telemetry sniffing for `detect` passthrough: the bytes go to the client untouched while a
 * copy is read here for the requested model and token usage. Sniffers never throw and never
 * hold up the stream: they see each chunk after it was handed on, and give up quietly on
 * anything they cannot read (compressed bodies, too-large JSON, non-JSON events).
 *
 * Usage shapes read: OpenAI Chat (`usage.prompt_tokens` / `completion_tokens`, also on the
 * last stream chunk), OpenAI Responses (`usage.input_tokens` / `output_tokens`, streamed on
 * `response.completed`), Anthropic Messages (`usage.input_tokens` / `output_tokens`; streamed
 * as `message_start` then cumulative `message_delta`).
 */

import type { RequestRecord } from "../http/record.js";
import { createSseParser, type SseEvent } from "../llm/sse.js";

export interface Sniffer {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** Request bodies larger than this are not parsed for the model. */
export const REQUEST_SNIFF_LIMIT = 256 * 1024;
/** JSON responses (and single stream events) larger than this are not parsed for usage. */
export const RESPONSE_SNIFF_LIMIT = 8 * 1024 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Reads a usage object of any of the three shapes into the record. */
export function recordUsage(record: RequestRecord, usage: unknown): void {
  if (!isObject(usage)) return;
  const input = num(usage.prompt_tokens) ?? num(usage.input_tokens);
  const output = num(usage.completion_tokens) ?? num(usage.output_tokens);
  if (input !== undefined) record.inputTokens = input;
  if (output !== undefined) record.outputTokens = output;
}

/** Reads model and usage from a response object (a JSON body or one stream event). */
export function recordFromResponseObject(record: RequestRecord, obj: unknown): void {
  if (!isObject(obj)) return;
  // Anthropic message_start and OpenAI Responses events wrap the object.
  const inner = isObject(obj.message) ? obj.message : isObject(obj.response) ? obj.response : undefined;
  if (inner !== undefined) {
    if (typeof inner.model === "string") record.responseModel = inner.model;
    recordUsage(record, inner.usage);
  }
  if (typeof obj.model === "string") record.responseModel = obj.model;
  recordUsage(record, obj.usage);
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Collects up to `limit` bytes and hands them over at the end (nothing if over the limit). */
function collector(limit: number, onDone: (body: Uint8Array) => void): Sniffer {
  let chunks: Uint8Array[] | undefined = [];
  let size = 0;
  return {
    push(chunk) {
      if (chunks === undefined) return;
      size += chunk.byteLength;
      if (size > limit) chunks = undefined;
      else chunks.push(chunk);
    },
    end() {
      if (chunks === undefined) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = undefined;
      onDone(body);
    },
  };
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType);
}

/** Sniffs the requested `model` from a JSON request body; undefined when it cannot apply. */
export function requestModelSniffer(
  record: RequestRecord,
  contentType: string | undefined,
  contentLength: number | undefined,
): Sniffer | undefined {
  if (!isJsonType(contentType)) return undefined;
  if (contentLength !== undefined && contentLength > REQUEST_SNIFF_LIMIT) return undefined;
  return collector(REQUEST_SNIFF_LIMIT, (body) => {
    const obj = parseJson(body);
    if (isObject(obj) && typeof obj.model === "string") record.model = obj.model;
  });
}

/** Sniffs usage from a JSON or SSE response; undefined when it cannot apply. */
export function responseUsageSniffer(
  record: RequestRecord,
  contentType: string | undefined,
  contentEncoding: string | undefined,
): Sniffer | undefined {
  if (contentEncoding !== undefined && contentEncoding !== "identity") return undefined;
  if (contentType?.toLowerCase().startsWith("text/event-stream")) {
    const onEvent = (e: SseEvent): void => {
      const d = e.data;
      if (d.length === 0 || d.charCodeAt(0) !== 123 /* { */) return;
      try {
        recordFromResponseObject(record, JSON.parse(d));
      } catch {
        // Not JSON: nothing to record.
      }
    };
    // An event longer than the JSON limit is not read: the sniffer stops, holding nothing.
    const parser = createSseParser(onEvent, { maxEventChars: RESPONSE_SNIFF_LIMIT });
    let stopped = false;
    return {
      push(chunk) {
        if (stopped) return;
        try {
          parser.push(chunk);
        } catch {
          stopped = true;
        }
      },
      end() {
        if (!stopped) parser.end();
      },
    };
  }
  if (!isJsonType(contentType)) return undefined;
  return collector(RESPONSE_SNIFF_LIMIT, (body) => recordFromResponseObject(record, parseJson(body)));
}
