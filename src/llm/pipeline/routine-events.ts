/**
 * Which events of a same-format stream can pass without being decoded. The fast path decodes
 * a stream only to learn its model, usage and whether it ended properly (or broke); content
 * deltas, most of a stream, tell none of that, and JSON.parse of every one of them cost ~35
 * µs per 20-event stream (profiled). An event is "routine" when it is a text delta in the
 * provider's own compact spelling, read and checked exactly by the format's fast reader
 * (content-chunk.ts, text-delta.ts): valid JSON carrying content and nothing else. Every
 * other event, tool and reasoning deltas included, is decoded, so a broken event is always
 * reported. (The earlier substring test cost three times as much per chat chunk and let an
 * event broken inside pass unreported.)
 */
import { canonicalTextDelta } from "../formats/anthropic-messages/text-delta.js";
import type { IrFormat } from "../formats/index.js";
import { type ChunkHeadMemo, canonicalContentChunk } from "../formats/openai-chat/content-chunk.js";
import type { SseEvent } from "../sse.js";

export type RoutineTest = (e: SseEvent) => boolean;

/** The test for one stream of a format (it keeps per-stream state), or undefined to decode every event. */
export function routineEventTest(format: IrFormat): RoutineTest | undefined {
  const text = routineEventText(format);
  return text === undefined ? undefined : (e) => text(e) !== undefined;
}

/**
 * Like routineEventTest, but gives a routine event's text (what the fast reader already
 * extracted), so a stream can count what it delivered without decoding; undefined when the
 * event is not routine.
 */
export function routineEventText(format: IrFormat): ((e: SseEvent) => string | undefined) | undefined {
  if (format === "openai-chat") {
    const memo: ChunkHeadMemo = { head: "" };
    return (e) => canonicalContentChunk(e.data, memo);
  }
  if (format === "anthropic-messages") {
    return (e) => (e.event === "content_block_delta" ? canonicalTextDelta(e.data)?.text : undefined);
  }
  return undefined;
}
