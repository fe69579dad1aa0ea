/**
 * The commonest chat stream event, a content delta, read without parsing the whole chunk.
 * OpenAI writes it in one compact shape (the bracketed members optional):
 *
 *   {"id":S,"object":"chat.completion.chunk","created":N,"model":S[,"service_tier":S|null]
 *    [,"system_fingerprint":S|null],"choices":[{"index":0,"delta":{"content":S},
 *    "logprobs":null,"finish_reason":null}][,"usage":null][,"obfuscation":S]}
 *
 * A chunk spelled exactly so (every string a valid JSON string, N a plain integer, nothing
 * else anywhere) carries nothing but its content for a decoder past the first chunk, and
 * JSON.parse would give the same text; the content is returned. Any other spelling returns
 * undefined and the caller parses the chunk in full. Parsing each whole chunk was ~10% of a
 * Messages-client stream translated from chat (perf profile): keys internalised, objects built.
 */
import { jsonStringEnd, jsonStringText, matchesAt, parseJson } from "../util.js";

const ID = '{"id":';
const OBJECT = ',"object":"chat.completion.chunk","created":';
const MODEL = ',"model":';
const TIER = ',"service_tier":';
const FINGERPRINT = ',"system_fingerprint":';
const CHOICES = ',"choices":[{"index":0,"delta":{"content":';
const AFTER_CONTENT = '},"logprobs":null,"finish_reason":null}]';
const USAGE_NULL = ',"usage":null';
const OBFUSCATION = ',"obfuscation":';
const FINISH = ',"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":';
const FIRST = ',"choices":[{"index":0,"delta":{"role":"assistant","content":""';
const REFUSAL_NULL = ',"refusal":null';
const AFTER_FIRST = '},"logprobs":null,"finish_reason":null}]';
const AFTER_FINISH = "}]";
const USAGE_ONLY = ',"choices":[],"usage":';

function skipStringOrNull(d: string, i: number): number {
  return matchesAt(d, "null", i) ? i + 4 : jsonStringEnd(d, i);
}

/** Past a JSON integer without sign, exponent or fraction (no leading zero), or -1. */
function skipInteger(d: string, i: number): number {
  const first = i;
  let c = d.charCodeAt(i);
  while (c >= 48 && c <= 57) c = d.charCodeAt(++i);
  const n = i - first;
  if (n === 0 || (n > 1 && d.charCodeAt(first) === 48)) return -1;
  return i;
}

/**
 * The chunk head (id to system_fingerprint) last found valid: it is the same in every chunk
 * of a stream, so a chunk that starts with it is not checked again. One per decoder. The tail
 * after the content is remembered the same way (it differs per chunk only when OpenAI adds
 * `obfuscation`): the two comparisons took a 21-event stream's reads from ~5.5 to ~4.2 µs
 * (micro-benchmark, builds side by side).
 */
export interface ChunkHeadMemo {
  head: string;
  /** Likewise the chunk's end after the content (logprobs to the closing brace), once found valid. */
  tail?: string;
}

export function canonicalContentChunk(d: string, memo?: ChunkHeadMemo): string | undefined {
  const known = memo?.head;
  const i0 = known !== undefined && known !== "" && matchesAt(d, known, 0) ? known.length : headEnd(d);
  if (i0 === -1 || !matchesAt(d, CHOICES, i0)) return undefined;
  if (memo !== undefined && i0 !== known?.length) memo.head = d.slice(0, i0);
  return contentAt(d, i0 + CHOICES.length, memo);
}

/**
 * Where a valid head (id to system_fingerprint) ends, or -1. `ends`, when given, receives where
 * the id literal, the created integer and the model literal end.
 */
function headEnd(d: string, ends?: number[]): number {
  if (!matchesAt(d, ID, 0)) return -1;
  let i = jsonStringEnd(d, ID.length);
  if (i === -1 || !matchesAt(d, OBJECT, i)) return -1;
  ends?.push(i);
  i = skipInteger(d, i + OBJECT.length);
  if (i === -1 || !matchesAt(d, MODEL, i)) return -1;
  ends?.push(i);
  i = jsonStringEnd(d, i + MODEL.length);
  if (i === -1) return -1;
  ends?.push(i);
  if (matchesAt(d, TIER, i)) {
    i = skipStringOrNull(d, i + TIER.length);
    if (i === -1) return -1;
  }
  if (matchesAt(d, FINGERPRINT, i)) {
    i = skipStringOrNull(d, i + FINGERPRINT.length);
    if (i === -1) return -1;
  }
  return i;
}

/** The content literal at `start` and the rest of the chunk after it, or undefined. */
function contentAt(d: string, start: number, memo?: ChunkHeadMemo): string | undefined {
  let i: number;
  const end = jsonStringEnd(d, start);
  if (end === -1) return undefined;
  const known = memo?.tail;
  if (known !== undefined && d.length - end === known.length && d.slice(end) === known) {
    return jsonStringText(d, start, end);
  }
  if (!matchesAt(d, AFTER_CONTENT, end)) return undefined;
  i = end + AFTER_CONTENT.length;
  if (matchesAt(d, USAGE_NULL, i)) i += USAGE_NULL.length;
  if (matchesAt(d, OBFUSCATION, i)) {
    i = jsonStringEnd(d, i + OBFUSCATION.length);
    if (i === -1) return undefined;
  }
  if (i !== d.length - 1 || d.charCodeAt(i) !== 125 /* } */) return undefined;
  if (memo !== undefined) memo.tail = d.slice(end);
  return jsonStringText(d, start, end);
}

/** A stream's closing chunks, read by canonicalEndChunk. */
export type EndChunk = { readonly finishReason: string } | { readonly usage: unknown };

/**
 * The two chunks that close a chat stream, read like a content delta when OpenAI spells them
 * compactly (same head, see canonicalContentChunk):
 *
 *   finish:     head,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":S}]
 *               [,"usage":null][,"obfuscation":S]}
 *   usage only: head,"choices":[],"usage":U}      (U any JSON value, parsed alone)
 *
 * JSON.parse of the whole chunk would give exactly that finish reason or usage and nothing
 * else a decoder reads. Any other spelling returns undefined (parse the chunk in full).
 * Parsing these two whole was most of a same-format chat stream's remaining JSON.parse.
 */
export function canonicalEndChunk(d: string, memo?: ChunkHeadMemo): EndChunk | undefined {
  const known = memo?.head;
  const i0 = known !== undefined && known !== "" && matchesAt(d, known, 0) ? known.length : headEnd(d);
  if (i0 === -1) return undefined;
  if (matchesAt(d, FINISH, i0)) {
    const start = i0 + FINISH.length;
    const end = jsonStringEnd(d, start);
    if (end === -1 || !matchesAt(d, AFTER_FINISH, end) || !endsPlainly(d, end + AFTER_FINISH.length)) {
      return undefined;
    }
    return { finishReason: jsonStringText(d, start, end) };
  }
  if (!matchesAt(d, USAGE_ONLY, i0) || d.charCodeAt(d.length - 1) !== 125 /* } */) return undefined;
  // The rest but the closing brace must be one JSON value (an obfuscation member after it is not).
  const usage = parseJson(d.slice(i0 + USAGE_ONLY.length, d.length - 1));
  return usage === undefined ? undefined : { usage };
}

/** What a decoder takes from a stream's first chunk (its message start). */
export interface FirstChunk {
  readonly id: string;
  readonly model: string;
  readonly created: number;
}

/** The chunk's end after `i` when it is [,"usage":null][,"obfuscation":S]}, else false. */
function endsPlainly(d: string, i: number): boolean {
  if (matchesAt(d, USAGE_NULL, i)) i += USAGE_NULL.length;
  if (matchesAt(d, OBFUSCATION, i)) {
    i = jsonStringEnd(d, i + OBFUSCATION.length);
    if (i === -1) return false;
  }
  return i === d.length - 1 && d.charCodeAt(i) === 125 /* } */;
}

/**
 * A stream's first chunk in OpenAI's compact spelling, which opens the assistant message with
 * empty content and tells nothing else:
 *
 *   head,"choices":[{"index":0,"delta":{"role":"assistant","content":""[,"refusal":null]},
 *   "logprobs":null,"finish_reason":null}][,"usage":null][,"obfuscation":S]}
 *
 * Its id, model and created, as JSON.parse would give them; the head goes in `memo`. Any other
 * spelling returns undefined (parse the chunk in full).
 */
export function canonicalFirstChunk(d: string, memo?: ChunkHeadMemo): FirstChunk | undefined {
  const ends: number[] = [];
  const i0 = headEnd(d, ends);
  if (i0 === -1 || !matchesAt(d, FIRST, i0)) return undefined;
  let i = i0 + FIRST.length;
  if (matchesAt(d, REFUSAL_NULL, i)) i += REFUSAL_NULL.length;
  if (!matchesAt(d, AFTER_FIRST, i) || !endsPlainly(d, i + AFTER_FIRST.length)) return undefined;
  const [idEnd, createdEnd, modelEnd] = ends as [number, number, number];
  const modelStart = createdEnd + MODEL.length;
  if (memo !== undefined) memo.head = d.slice(0, i0);
  return {
    id: jsonStringText(d, ID.length, idEnd),
    model: jsonStringText(d, modelStart, modelEnd),
    created: Number(d.slice(idEnd + OBJECT.length, createdEnd)),
  };
}
