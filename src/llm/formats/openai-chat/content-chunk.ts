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

import { matchesAt } from "../util.js";

const ID = '{"id":';
const OBJECT = ',"object":"chat.completion.chunk","created":';
const MODEL = ',"model":';
const TIER = ',"service_tier":';
const FINGERPRINT = ',"system_fingerprint":';
const CHOICES = ',"choices":[{"index":0,"delta":{"content":';
const AFTER_CONTENT = '},"logprobs":null,"finish_reason":null}]';
const USAGE_NULL = ',"usage":null';
const OBFUSCATION = ',"obfuscation":';

const QUOTE = 34;
const BACKSLASH = 92;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A quote, a backslash or a control character: where a JSON string ends, escapes or breaks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a raw control character makes a JSON string invalid; finding one is the point.
const SPECIAL = /["\\\u0000-\u001f]/g;

/**
 * The index just past the JSON string literal starting at `i` (its opening quote), or -1 when
 * there is none there or it is not valid JSON (a raw control character, a bad escape). The
 * regex scans natively between special characters (a JS loop per character cost ten times as much).
 */
function skipString(d: string, i: number): number {
  if (d.charCodeAt(i) !== QUOTE) return -1;
  SPECIAL.lastIndex = i + 1;
  for (;;) {
    if (!SPECIAL.test(d)) return -1;
    const at = SPECIAL.lastIndex - 1;
    const c = d.charCodeAt(at);
    if (c === QUOTE) return at + 1;
    if (c !== BACKSLASH) return -1;
    const e = d.charCodeAt(at + 1);
    if (e === 117 /* u */) {
      if (
        !(
          isHex(d.charCodeAt(at + 2)) &&
          isHex(d.charCodeAt(at + 3)) &&
          isHex(d.charCodeAt(at + 4)) &&
          isHex(d.charCodeAt(at + 5))
        )
      )
        return -1;
      SPECIAL.lastIndex = at + 6;
    } else if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 47 /* / */ ||
      e === 98 /* b */ ||
      e === 102 /* f */ ||
      e === 110 /* n */ ||
      e === 114 /* r */ ||
      e === 116 /* t */
    )
      SPECIAL.lastIndex = at + 2;
    else return -1;
  }
}

function skipStringOrNull(d: string, i: number): number {
  return matchesAt(d, "null", i) ? i + 4 : skipString(d, i);
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
 * of a stream, so a chunk that starts with it is not checked again. One per decoder.
 */
export interface ChunkHeadMemo {
  head: string;
}

export function canonicalContentChunk(d: string, memo?: ChunkHeadMemo): string | undefined {
  const known = memo?.head;
  const i0 = known !== undefined && known !== "" && matchesAt(d, known, 0) ? known.length : headEnd(d);
  if (i0 === -1 || !matchesAt(d, CHOICES, i0)) return undefined;
  if (memo !== undefined && i0 !== known?.length) memo.head = d.slice(0, i0);
  return contentAt(d, i0 + CHOICES.length);
}

/** Where a valid head (id to system_fingerprint) ends, or -1. */
function headEnd(d: string): number {
  if (!matchesAt(d, ID, 0)) return -1;
  let i = skipString(d, ID.length);
  if (i === -1 || !matchesAt(d, OBJECT, i)) return -1;
  i = skipInteger(d, i + OBJECT.length);
  if (i === -1 || !matchesAt(d, MODEL, i)) return -1;
  i = skipString(d, i + MODEL.length);
  if (i === -1) return -1;
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
function contentAt(d: string, start: number): string | undefined {
  let i: number;
  const end = skipString(d, start);
  if (end === -1) return undefined;
  const backslash = d.indexOf("\\", start);
  const hasEscape = backslash !== -1 && backslash < end;
  if (!matchesAt(d, AFTER_CONTENT, end)) return undefined;
  i = end + AFTER_CONTENT.length;
  if (matchesAt(d, USAGE_NULL, i)) i += USAGE_NULL.length;
  if (matchesAt(d, OBFUSCATION, i)) {
    i = skipString(d, i + OBFUSCATION.length);
    if (i === -1) return undefined;
  }
  if (i !== d.length - 1 || d.charCodeAt(i) !== 125 /* } */) return undefined;
  // A valid literal (checked above): without escapes its text is what lies between the quotes.
  return hasEscape ? (JSON.parse(d.slice(start, end)) as string) : d.slice(start + 1, end - 1);
}
