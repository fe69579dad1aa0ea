/**
 * Same-format fast path: the body goes upstream as received, with only the model replaced
 * (spliced into the bytes, no re-serialisation) and, for a chat stream, usage requested; the
 * answer comes back untouched. Streams pass through byte for byte while a decoder of the
 * same format watches them for usage and for an end that never came; the one exception is
 * the usage-only chat chunk injected for accounting, removed when the client did not ask, and
 * an echo of the managed key, redacted (secret-echo.ts).
 */

import { flushHeadUnlessBuffered } from "../../http/flush-head.js";
import { headValue } from "../../http/forward-headers.js";
import { SecretEchoStream } from "../../http/secret-echo.js";
import { EVENT_STREAM_CONTENT_TYPE } from "../aws-event-stream.js";
import { converterFor, type IrFormat, type IrStreamEvent } from "../formats/index.js";
import { jsonStringEnd } from "../formats/util.js";
import { encodeSseEvent, type SseEvent } from "../sse.js";
import type { ParsedBody } from "./body.js";
import { type Exchange, StreamTracker, sseText, writeChunk } from "./exchange.js";
import { upstreamHeadsFor } from "./response-guard.js";
import { routineEventText } from "./routine-events.js";
import { readJsonAnswer } from "./translate-json.js";
import { streamAbortCode, streamFailure } from "./translate-stream.js";
import { createUpstreamParser } from "./upstream-events.js";
import type { UpstreamResponse } from "./upstream-response.js";

const QUOTE = 34;
function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
  return i;
}

/**
 * The span of the top-level `key`'s string value in a JSON object text (the last one, as
 * JSON.parse keeps), or undefined. String contents are skipped by jsonStringEnd's native
 * scan, so the walk costs little even on large prompts (the text was parsed already, so
 * every literal in it is valid).
 */
export function topLevelStringSpan(text: string, key: string): [number, number] | undefined {
  let depth = 0;
  let found: [number, number] | undefined;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = jsonStringEnd(text, i);
      if (end === -1) return undefined;
      if (depth === 1) {
        const colon = skipSpace(text, end);
        if (text.charCodeAt(colon) === 58 /* : */ && text.slice(i + 1, end - 1) === key) {
          const v = skipSpace(text, colon + 1);
          if (text.charCodeAt(v) === QUOTE) {
            const vEnd = jsonStringEnd(text, v);
            if (vEnd === -1) return undefined;
            found = [v, vEnd];
            i = vEnd;
            continue;
          }
        }
      }
      i = end;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
    i++;
  }
  return found;
}

/** Whether the client asked for the usage chunk of a chat stream. */
export function clientWantsUsage(json: Record<string, unknown>): boolean {
  const so = json.stream_options;
  return typeof so === "object" && so !== null && (so as { include_usage?: unknown }).include_usage === true;
}

/**
 * The body to send upstream: the bytes as received when nothing changes, else spliced.
 * `injectUsage` asks a chat stream for its usage chunk.
 */
export function sameFormatBody(
  body: ParsedBody,
  model: string | undefined,
  injectUsage: boolean,
): string | Buffer {
  const newModel = model !== undefined && model !== body.model ? model : undefined;
  if (newModel === undefined && !injectUsage) return body.bytes;
  if (injectUsage && body.json.stream_options !== undefined) {
    // Rare: the client sent stream_options without include_usage. Re-serialise once.
    const so = body.json.stream_options;
    return JSON.stringify({
      ...body.json,
      ...(newModel === undefined ? {} : { model: newModel }),
      stream_options: { ...(typeof so === "object" && so !== null ? so : {}), include_usage: true },
    });
  }
  let text = body.text;
  if (newModel !== undefined) {
    const span = topLevelStringSpan(text, "model");
    if (span === undefined) return JSON.stringify({ ...body.json, model: newModel });
    text = text.slice(0, span[0]) + JSON.stringify(newModel) + text.slice(span[1]);
  }
  if (injectUsage) {
    const brace = text.indexOf("{");
    text = `${text.slice(0, brace + 1)}"stream_options":{"include_usage":true},${text.slice(brace + 1)}`;
  }
  return text;
}

/** An SSE answer, or an AWS event stream (Bedrock's streams). */
export function isStreamResponse(up: UpstreamResponse): boolean {
  const ct = headValue(up.head, "content-type");
  return (
    typeof ct === "string" && (ct.includes("text/event-stream") || ct.includes(EVENT_STREAM_CONTENT_TYPE))
  );
}

/** A JSON answer of the same format: written untouched, usage read from it. */
export async function passJson(
  x: Exchange,
  up: UpstreamResponse,
  format: IrFormat | "embeddings" | "count_tokens",
): Promise<void> {
  // A success that is not JSON is broken for any SDK: readJsonAnswer says so in the caller's envelope.
  const { raw, parsed } = await readJsonAnswer(up.body, x.ctx.runtime.process.maxUpstreamResponseBytes);
  x.record.status = up.statusCode;
  const body = x.echo === undefined ? raw : x.echo.redactBytes(raw);
  const head = upstreamHeadsFor(x, up, body === raw);
  if (body !== raw) head.push("content-length", String(body.byteLength));
  x.res.writeHead(up.statusCode, head);
  x.res.end(body);
  if (typeof parsed !== "object" || parsed === null) return;
  const obj = parsed as Record<string, unknown>;
  if (format === "embeddings" || format === "count_tokens") {
    const u = obj.usage as { prompt_tokens?: unknown } | undefined;
    const n = format === "count_tokens" ? obj.input_tokens : u?.prompt_tokens;
    if (typeof n === "number") x.record.inputTokens = n;
    if (typeof obj.model === "string") x.record.responseModel = obj.model;
    return;
  }
  // An array is no response of any format (responseToIR refuses it too): nothing to count.
  if (Array.isArray(parsed)) return;
  const { usage, model } = converterFor(format).responseUsage(obj);
  x.noteUsage(usage, model);
}

const USAGE_ONLY = /"choices"\s*:\s*\[\s*\]/;

function isUsageOnlyChunk(e: SseEvent): boolean {
  return e.data.includes('"usage"') && USAGE_ONLY.test(e.data);
}

/**
 * A stream of the same format: bytes pass through (or, when the injected usage chunk must
 * be hidden or the upstream framed its events otherwise than SSE, each event re-framed with
 * its data untouched) while a decoder tracks usage.
 */
export async function passStream(
  x: Exchange,
  up: UpstreamResponse,
  format: IrFormat,
  hideUsageChunk: boolean,
): Promise<void> {
  const decoder = converterFor(format).createDecoder();
  const routine = routineEventText(format);
  const tracker = new StreamTracker(x.record);
  let failure: IrStreamEvent | undefined;
  const see = (events: readonly IrStreamEvent[]): void => {
    for (const ev of events) {
      tracker.see(ev);
      // The upstream's own error events pass through; a malformed one is ours to report.
      if (ev.type === "error" && ev.error.code === "upstream_stream_malformed") failure ??= ev;
    }
  };
  let out = "";
  // Raw bytes are searched for an echo of the managed key as they pass (re-framed events when hidden).
  const echo = x.echo;
  let reframe = hideUsageChunk;
  const parser = createUpstreamParser(x, up, format, (e) => {
    // Content deltas after the first event tell the tracker nothing: not decoded (see routine-events.ts).
    const text = routine !== undefined && tracker.model !== undefined ? routine(e) : undefined;
    const isRoutine = text !== undefined;
    if (isRoutine) tracker.count(text.length);
    else see(decoder.push(e));
    // A routine event is a content delta, never the usage-only chunk.
    if (reframe && (!hideUsageChunk || isRoutine || !isUsageOnlyChunk(e))) out += encodeSseEvent(e);
  });
  reframe ||= parser.reframed;
  const rawEcho = echo === undefined || reframe ? undefined : new SecretEchoStream(echo);
  const res = x.res;
  x.record.status = up.statusCode;
  res.writeHead(up.statusCode, upstreamHeadsFor(x, up));
  let headPending = !flushHeadUnlessBuffered(res, up.body);
  try {
    for await (const c of up.body) {
      const chunk = c as Uint8Array;
      const text = parser.push(chunk);
      let wait: Promise<void> | undefined;
      let wrote = true;
      if (!reframe) wait = writeChunk(res, rawEcho === undefined ? chunk : rawEcho.push(chunk, text ?? ""));
      else if (out !== "") {
        wait = writeChunk(res, echo === undefined ? out : echo.redact(out, false));
        out = "";
      } else wrote = false;
      if (headPending) {
        headPending = false;
        if (!wrote) res.flushHeaders();
      }
      if (wait !== undefined) await wait;
    }
    parser.end();
    if (!tracker.failed) {
      const tail = decoder.finish();
      see(tail);
      failure = tail.find((e) => e.type === "error");
    }
  } catch (err) {
    if (x.abort.aborted) return;
    x.record.error ??= streamAbortCode(err);
    if (!tracker.failed) failure = { type: "error", error: streamFailure(err) };
  }
  x.noteUsage(tracker.usage, tracker.model);
  if (res.destroyed) return;
  if (failure !== undefined) {
    x.record.error ??= "upstream_stream_error";
    // A blank line first ends any half-sent event, so the error event stands on its own.
    const wire = converterFor(format).createEncoder().push(failure);
    out += `${reframe ? "" : "\n\n"}${sseText(wire)}`;
  }
  const held = rawEcho?.end();
  if (held !== undefined) res.write(held);
  res.end(echo === undefined ? out : echo.redact(out, false));
}
