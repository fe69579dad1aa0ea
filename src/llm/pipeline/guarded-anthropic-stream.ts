/**
 * A same-format Anthropic stream read by the response guards, passed through event by event:
 * each upstream event goes out as sent, except that a block's text (`text_delta`,
 * `input_json_delta`) is what the stream guard lets out for it — held back while it could
 * still become a match, masked where it did. Held text released when its block ends goes out
 * as a `content_block_delta` just before that `content_block_stop`. A rejection ends the stream
 * with an `error` event and never shows the event that held the match. Every other field and
 * the upstream's headers are kept.
 */
import { converterFor, type IrStreamEvent } from "../formats/index.js";
import { isRecord, type Json, parseJson } from "../formats/util.js";
import { encodeSseEvent, type SseEvent } from "../sse.js";
import { type Exchange, StreamTracker, sseText } from "./exchange.js";
import { pumpGuardedStream } from "./guarded-stream-pump.js";
import type { StreamFilter } from "./response-guard.js";
import type { UpstreamResponse } from "./upstream-response.js";

export async function passGuardedAnthropicStream(
  x: Exchange,
  up: UpstreamResponse,
  filter: StreamFilter,
): Promise<void> {
  const decoder = converterFor("anthropic-messages").createDecoder();
  const tracker = new StreamTracker(x.record);
  const kinds = new Map<number, "text" | "tool_call">();
  let stopped = false;
  let out = "";

  const released = (texts: Map<number, string>): void => {
    for (const [index, text] of texts) {
      if (text === "") continue;
      const delta =
        kinds.get(index) === "tool_call"
          ? { type: "input_json_delta", partial_json: text }
          : { type: "text_delta", text };
      out += encodeSseEvent({
        event: "content_block_delta",
        data: JSON.stringify({ type: "content_block_delta", index, delta }),
      });
    }
    texts.clear();
  };
  const fail = (error: IrStreamEvent): void => {
    stopped = true;
    out += sseText(converterFor("anthropic-messages").createEncoder().push(error));
  };
  const judge = (irIn: readonly IrStreamEvent[]) => {
    const texts = new Map<number, string>();
    let error: IrStreamEvent | undefined;
    for (const ev of irIn) {
      if (ev.type === "part_start" && (ev.part.kind === "text" || ev.part.kind === "tool_call"))
        kinds.set(ev.index, ev.part.kind);
      for (const o of filter.push(ev)) {
        tracker.see(o);
        if (o.type === "text_delta") texts.set(o.index, (texts.get(o.index) ?? "") + o.text);
        else if (o.type === "tool_args_delta") texts.set(o.index, (texts.get(o.index) ?? "") + o.json);
        else if (o.type === "error") error ??= o;
      }
    }
    return { texts, error };
  };

  /** Puts the guard's text for the event's block into it; true when it changed. */
  const place = (obj: Json, texts: Map<number, string>): boolean => {
    const index = typeof obj.index === "number" ? obj.index : -1;
    let target: Json | undefined;
    let key: string | undefined;
    if (obj.type === "content_block_delta" && isRecord(obj.delta)) {
      target = obj.delta;
      key =
        obj.delta.type === "text_delta"
          ? "text"
          : obj.delta.type === "input_json_delta"
            ? "partial_json"
            : undefined;
    } else if (
      obj.type === "content_block_start" &&
      isRecord(obj.content_block) &&
      obj.content_block.type === "text"
    ) {
      target = obj.content_block;
      key = "text";
    }
    if (target === undefined || key === undefined || typeof target[key] !== "string") return false;
    const t = texts.get(index) ?? "";
    texts.delete(index);
    if (t === target[key]) return false;
    target[key] = t;
    return true;
  };

  const onEvent = (e: SseEvent): void => {
    if (stopped) return;
    const irIn = decoder.push(e);
    const parsed = parseJson(e.data);
    const obj = isRecord(parsed) ? parsed : undefined;
    const { texts, error } = judge(irIn);
    if (error !== undefined) {
      if (obj?.type === "error") {
        // The upstream's own error event passes as sent.
        stopped = true;
        out += encodeSseEvent(e);
        return;
      }
      released(texts);
      fail(error);
      return;
    }
    const changed = obj !== undefined && place(obj, texts);
    // Text released by this event (a block's end) goes out before it.
    released(texts);
    out +=
      changed && obj !== undefined ? encodeSseEvent({ ...e, data: JSON.stringify(obj) }) : encodeSseEvent(e);
  };

  return pumpGuardedStream(
    x,
    up,
    filter,
    tracker,
    {
      onEvent,
      take: () => {
        const text = out;
        out = "";
        return text;
      },
      stopped: () => stopped,
      finish: () => {
        const { texts, error } = judge(decoder.finish());
        released(texts);
        if (error !== undefined) fail(error);
      },
      fail,
    },
    "anthropic-messages",
  );
}
