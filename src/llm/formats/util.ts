import type { IrError, IrErrorType, IrFormat, IrMessage, IrRequest, IrUsage } from "./ir.js";

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Patterns at least this long are compared as a slice: see matchesAt. */
const LONG_PATTERN = 64;

/**
 * Whether `pattern` (non-empty) occurs in `text` at `pos`. String.prototype.startsWith with
 * a position compares character by character (~3 ns each, measured); native indexOf finds a
 * 40-character match in a tenth of that, so the fast event readers use this instead. A long
 * pattern (a stream's chunk head, ~150 characters, compared on every chunk) is compared as
 * an equal slice, one memory comparison: 50 ns where indexOf took 120 (measured).
 */
export function matchesAt(text: string, pattern: string, pos: number): boolean {
  if (text.charCodeAt(pos) !== pattern.charCodeAt(0)) return false;
  return pattern.length >= LONG_PATTERN
    ? text.slice(pos, pos + pattern.length) === pattern
    : text.indexOf(pattern, pos) === pos;
}

const QUOTE = 34;
const BACKSLASH = 92;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A quote, a backslash or a control character: where a JSON string ends, escapes or breaks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a raw control character makes a JSON string invalid; finding one is the point.
const STRING_SPECIAL = /["\\\u0000-\u001f]/g;

/**
 * The index just past the JSON string literal starting at `i` (its opening quote), or -1 when
 * there is none there or it is not valid JSON (a raw control character, a bad escape). The
 * regex scans natively between special characters (a JS loop per character cost ten times as much).
 */
export function jsonStringEnd(d: string, i: number): number {
  if (d.charCodeAt(i) !== QUOTE) return -1;
  STRING_SPECIAL.lastIndex = i + 1;
  for (;;) {
    if (!STRING_SPECIAL.test(d)) return -1;
    const at = STRING_SPECIAL.lastIndex - 1;
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
      STRING_SPECIAL.lastIndex = at + 6;
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
      STRING_SPECIAL.lastIndex = at + 2;
    else return -1;
  }
}

/**
 * The text of the valid JSON string literal d[start, end) (as jsonStringEnd found it): without
 * escapes it is what lies between the quotes, so only a literal with escapes is parsed.
 */
export function jsonStringText(d: string, start: number, end: number): string {
  const backslash = d.indexOf("\\", start);
  return backslash !== -1 && backslash < end
    ? (JSON.parse(d.slice(start, end)) as string)
    : d.slice(start + 1, end - 1);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Tool arguments arrive as JSON text; Anthropic wants an object. Empty text means no arguments;
 * text that is not a JSON object is wrapped so nothing the model produced is silently lost.
 */
export function argumentsToObject(args: string): Json {
  if (args.trim() === "") return {};
  const v = parseJson(args);
  if (isRecord(v)) return v;
  return { _raw_arguments: args };
}

export function objectToArguments(input: unknown): string {
  if (input === undefined || input === null) return "{}";
  return JSON.stringify(input);
}

/** Copies every key of `src` not in `known` into a bag (for extras) and names them. */
export function unknownKeys(src: Json, known: ReadonlySet<string>): Json | undefined {
  let bag: Json | undefined;
  // Object.keys rather than entries: no [key, value] pair allocated per key of every message
  // and part (0.7% of a translated row's CPU in a profile).
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (known.has(k)) continue;
    bag ??= {};
    bag[k] = src[k];
  }
  return bag;
}

export function stringifyArgsOrKeep(v: unknown): string {
  if (typeof v === "string") return v;
  return objectToArguments(v);
}

export function makeUsage(
  input: number,
  output: number,
  extra: { cacheRead?: number; cacheCreation?: number; reasoning?: number; total?: number } = {},
): IrUsage {
  const u: IrUsage = { inputTokens: input, outputTokens: output, totalTokens: extra.total ?? input + output };
  if (extra.cacheRead !== undefined) u.cacheReadTokens = extra.cacheRead;
  if (extra.cacheCreation !== undefined) u.cacheCreationTokens = extra.cacheCreation;
  if (extra.reasoning !== undefined) u.reasoningTokens = extra.reasoning;
  return u;
}

/**
 * IR usage from a prompt count that leaves out cache reads and writes (Anthropic's
 * input_tokens, Bedrock's inputTokens): the IR's inputTokens is the whole prompt.
 */
export function usageFromUncached(
  uncached: number | undefined,
  output: number | undefined,
  cacheRead: number | undefined,
  cacheWrite: number | undefined,
): IrUsage {
  const input = (uncached ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  return makeUsage(input, output ?? 0, { cacheRead, cacheCreation: cacheWrite });
}

/** The reverse of usageFromUncached: the prompt tokens neither read from nor written to the cache, and those. */
export function uncachedSplit(u: IrUsage): { uncached: number; cacheRead: number; cacheWrite: number } {
  const cacheRead = u.cacheReadTokens ?? 0;
  const cacheWrite = u.cacheCreationTokens ?? 0;
  return { uncached: Math.max(0, u.inputTokens - cacheRead - cacheWrite), cacheRead, cacheWrite };
}

export function errorTypeFromStatus(status: number): IrErrorType {
  if (status === 400 || status === 422) return "invalid_request";
  if (status === 401) return "authentication";
  if (status === 402) return "billing";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 408 || status === 504) return "timeout";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit";
  if (status === 529) return "overloaded";
  if (status === 503) return "unavailable";
  if (status >= 500) return "server";
  return "invalid_request";
}

export function defaultStatusFor(type: IrErrorType): number {
  switch (type) {
    case "invalid_request":
      return 400;
    case "authentication":
      return 401;
    case "billing":
      return 402;
    case "permission":
      return 403;
    case "not_found":
      return 404;
    case "request_too_large":
      return 413;
    case "rate_limit":
      return 429;
    case "overloaded":
      return 529;
    case "timeout":
      return 504;
    case "unavailable":
      return 503;
    case "server":
      return 500;
  }
}

export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n;
  return undefined;
}

/** Same-format extras go back on the body (never overriding a mapped field); others are dropped. */
export function mergeExtras(body: Json, ir: IrRequest, format: IrFormat, dropped: string[]): void {
  if (ir.extras === undefined) return;
  for (const [f, bag] of Object.entries(ir.extras)) {
    if (bag === undefined) continue;
    if (f === format) {
      for (const [k, v] of Object.entries(bag)) if (!(k in body)) body[k] = v;
    } else dropped.push(...Object.keys(bag));
  }
}

/** A mid-stream error has no HTTP status of its own (the stream began with 200): derive one from its type. */
export function streamedError(err: IrError): IrError {
  return { ...err, status: defaultStatusFor(err.type) };
}

/**
 * Messages with each mid-conversation system message that falls between an assistant turn's
 * tool calls and their results moved to just after those results: Chat Completions and
 * Anthropic both want the results right after the calls.
 */
export function systemAfterToolResults(messages: readonly IrMessage[]): readonly IrMessage[] {
  if (!messages.some((m) => m.role === "system")) return messages;
  const out: IrMessage[] = [];
  let held: IrMessage[] = [];
  let awaitingResults = false;
  for (const m of messages) {
    if (m.role === "system" && awaitingResults) {
      held.push(m);
      continue;
    }
    if (m.role !== "tool" && m.role !== "system") {
      out.push(...held);
      held = [];
    }
    out.push(m);
    if (m.role === "assistant") awaitingResults = m.content.some((p) => p.type === "tool_call");
    else if (m.role === "tool") {
      out.push(...held);
      held = [];
      awaitingResults = false;
    } else if (m.role !== "system") awaitingResults = false;
  }
  out.push(...held);
  return out;
}

/**
 * The messages of an API whose turns alternate user and assistant (Anthropic, Converse): each
 * IR message's blocks, system turns moved after tool results, consecutive turns of one role
 * (tool results, and a user turn right after them) merged into one user message, and a message
 * that made no block dropped (named in `dropped`).
 */
export function alternatingTurns(
  messages: readonly IrMessage[],
  blocksFor: (m: IrMessage, i: number) => Json[],
  dropped: string[],
): Json[] {
  const out: Json[] = [];
  systemAfterToolResults(messages).forEach((m, i) => {
    const role = m.role === "assistant" ? "assistant" : "user";
    const blocks = blocksFor(m, i);
    if (blocks.length === 0) {
      dropped.push(`messages[${i}](empty)`);
      return;
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.role === role && Array.isArray(prev.content)) prev.content.push(...blocks);
    else out.push({ role, content: blocks });
  });
  return out;
}
