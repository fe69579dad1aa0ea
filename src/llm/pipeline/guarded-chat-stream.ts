/**
 * A same-format chat stream read by the response guards, passed through chunk by chunk: each
 * upstream chunk goes out as sent, except that its text (content, refusal, tool-call
 * arguments) is what the stream guard lets out for it — held back while it could still become
 * a match, masked where it did. Held text released at a chunk with no choice (the usage chunk,
 * `[DONE]`) goes out in a chunk made from the last one's envelope. A chunk whose text changed
 * loses its token `logprobs` (they would spell the original). Everything else of every chunk
 * (system_fingerprint, service_tier, ids, ...) and the upstream's headers are kept.
 */
import { converterFor, type IrStreamEvent } from "../formats/index.js";
import { isRecord, type Json, parseJson } from "../formats/util.js";
import { encodeSseEvent, type SseEvent } from "../sse.js";
import { type Exchange, StreamTracker, sseText } from "./exchange.js";
import { pumpGuardedStream } from "./guarded-stream-pump.js";
import type { StreamFilter } from "./response-guard.js";
import type { UpstreamResponse } from "./upstream-response.js";

type Slot = "text" | number;

function firstChoice(chunk: Json | undefined): Json | undefined {
  if (chunk === undefined || !Array.isArray(chunk.choices)) return undefined;
  const c: unknown = chunk.choices[0];
  return isRecord(c) && isRecord(c.delta) ? c : undefined;
}

/** Puts the guard's text for each part into `delta`; true when anything changed. */
function placeTexts(delta: Json, slots: ReadonlyMap<number, Slot>, texts: Map<number, string>): boolean {
  let changed = false;
  for (const [idx, slot] of slots) {
    const t = texts.get(idx);
    texts.delete(idx);
    if (slot === "text") {
      const key =
        typeof delta.content !== "string" && typeof delta.refusal === "string" ? "refusal" : "content";
      const orig = typeof delta[key] === "string" ? (delta[key] as string) : undefined;
      if (orig === undefined && (t === undefined || t === "")) continue;
      if ((t ?? "") !== orig) {
        delta[key] = t ?? "";
        changed = true;
      }
      continue;
    }
    const calls: unknown[] = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    const entry = calls.find((c): c is Json => isRecord(c) && c.index === slot);
    const fn = entry !== undefined && isRecord(entry.function) ? entry.function : undefined;
    if (fn !== undefined && typeof fn.arguments === "string") {
      if ((t ?? "") !== fn.arguments) {
        fn.arguments = t ?? "";
        changed = true;
      }
    } else if (t !== undefined && t !== "") {
      if (fn !== undefined) fn.arguments = t;
      else calls.push({ index: slot, function: { arguments: t } });
      delta.tool_calls = calls;
      changed = true;
    }
  }
  return changed;
}

export async function passGuardedChatStream(
  x: Exchange,
  up: UpstreamResponse,
  filter: StreamFilter,
  hideUsageChunk: boolean,
): Promise<void> {
  const decoder = converterFor("openai-chat").createDecoder();
  const tracker = new StreamTracker(x.record);
  const slots = new Map<number, Slot>();
  let envelope: Json | undefined;
  let stopped = false;
  let out = "";

  /** A chunk carrying released text, made from the last chunk's envelope. */
  const synthesize = (texts: Map<number, string>): void => {
    if (texts.size === 0) return;
    const delta: Json = {};
    placeTexts(delta, slots, texts);
    if (Object.keys(delta).length === 0) return;
    const { choices: _c, usage: _u, ...head } = envelope ?? {};
    out += encodeSseEvent({
      data: JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] }),
    });
  };
  const fail = (error: IrStreamEvent): void => {
    stopped = true;
    out += sseText(converterFor("openai-chat").createEncoder().push(error));
  };
  /** IR events through the guard: the text per part it lets out, and a rejection if any. */
  const judge = (irIn: readonly IrStreamEvent[], chunk: Json | undefined) => {
    const texts = new Map<number, string>();
    const stopped: number[] = [];
    let error: IrStreamEvent | undefined;
    for (const ev of irIn) {
      if (ev.type === "part_stop") stopped.push(ev.index);
      if (ev.type === "part_start") {
        if (ev.part.kind === "text") slots.set(ev.index, "text");
        else if (ev.part.kind === "tool_call") {
          const id = ev.part.id;
          const calls = firstChoice(chunk)?.delta;
          const list: unknown[] = isRecord(calls) && Array.isArray(calls.tool_calls) ? calls.tool_calls : [];
          const tc = list.find((c): c is Json => isRecord(c) && c.id === id);
          slots.set(ev.index, typeof tc?.index === "number" ? tc.index : 0);
        }
      }
      for (const o of filter.push(ev)) {
        tracker.see(o);
        if (o.type === "text_delta") texts.set(o.index, (texts.get(o.index) ?? "") + o.text);
        else if (o.type === "tool_args_delta") texts.set(o.index, (texts.get(o.index) ?? "") + o.json);
        else if (o.type === "error") error ??= o;
      }
    }
    return { texts, error, stopped };
  };
  /** Parts that ended: their last text is placed, and no later chunk's text is theirs. */
  const forget = (stopped: readonly number[]): void => {
    for (const idx of stopped) slots.delete(idx);
  };

  const onEvent = (e: SseEvent): void => {
    if (stopped) return;
    const irIn = decoder.push(e);
    const parsed = e.data === "[DONE]" ? undefined : parseJson(e.data);
    const chunk = isRecord(parsed) ? parsed : undefined;
    const { texts, error, stopped: ended } = judge(irIn, chunk);
    if (error !== undefined) {
      // The upstream's own error chunk passes as sent; anything else is ours to report.
      if (chunk !== undefined && isRecord(chunk.error)) {
        stopped = true;
        out += encodeSseEvent(e);
        return;
      }
      // Never the chunk itself: it holds what the guard refused. What came before the match goes out.
      synthesize(texts);
      fail(error);
      return;
    }
    const choice = firstChoice(chunk);
    if (chunk !== undefined && choice !== undefined) {
      envelope = chunk;
      if (placeTexts(choice.delta as Json, slots, texts)) {
        if (choice.logprobs != null) choice.logprobs = null;
        out += encodeSseEvent({ ...e, data: JSON.stringify(chunk) });
      } else out += encodeSseEvent(e);
      forget(ended);
      return;
    }
    synthesize(texts);
    forget(ended);
    const usageOnly = chunk !== undefined && Array.isArray(chunk.choices) && chunk.usage !== undefined;
    if (!(hideUsageChunk && usageOnly)) out += encodeSseEvent(e);
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
        const { texts, error } = judge(decoder.finish(), undefined);
        synthesize(texts);
        if (error !== undefined) fail(error);
      },
      fail,
    },
    "openai-chat",
  );
}
