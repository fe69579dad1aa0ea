/**
 * An estimate of an Anthropic Messages request's input tokens, for count_tokens on a provider
 * that cannot count them itself: every string the model reads (text, tool inputs and results,
 * tool definitions, documents given as text), encoded with o200k_base (the encoding of current
 * OpenAI models) by js-tiktoken; each image or binary document counts a flat
 * IMAGE_TOKENS, each message MESSAGE_OVERHEAD. The encoder's ranks (a few MB) are loaded on
 * the first count, so gateways that never count never pay for them.
 */
import type { Tiktoken } from "js-tiktoken/lite";

export const ESTIMATE_ENCODING = "o200k_base";
/** Anthropic's own estimate for a full-size image is about 1,600 tokens. */
const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 3;
/**
 * Text past this many characters is not encoded: its tokens are extrapolated from the
 * encoded part's ratio, so a large body cannot hold the event loop for seconds.
 */
export const EXACT_CHARS = 1 << 20;

let encoder: Promise<Tiktoken> | undefined;

function o200k(): Promise<Tiktoken> {
  encoder ??= Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/o200k_base")]).then(
    ([lite, ranks]) => new lite.Tiktoken(ranks.default),
  );
  return encoder;
}

interface Gathered {
  parts: string[];
  chars: number;
  flat: number;
}

/** Keys whose values the model does not read as text. */
const SKIP = new Set(["type", "cache_control", "signature", "id", "tool_use_id", "media_type"]);

function gather(value: unknown, out: Gathered, key: string | undefined): void {
  if (typeof value === "string") {
    if (key !== undefined && SKIP.has(key)) return;
    out.parts.push(value);
    out.chars += value.length;
    return;
  }
  if (typeof value !== "object" || value === null) {
    if (typeof value === "number" || typeof value === "boolean") out.parts.push(String(value));
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) gather(v, out, key);
    return;
  }
  const o = value as Record<string, unknown>;
  // Binary sources (base64 images and PDFs, URLs, file ids) are not text the tokenizer sees.
  if (o.type === "base64" || o.type === "url" || o.type === "file") {
    out.flat += IMAGE_TOKENS;
    return;
  }
  for (const k in o) {
    // Tool schemas are read as JSON: their keys count too.
    if (key === "input_schema" || key === "properties" || key === "input") out.parts.push(k);
    gather(o[k], out, k);
  }
}

/** Estimated input tokens of a Messages request body (already parsed and bounded in size). */
export async function estimateInputTokens(body: Readonly<Record<string, unknown>>): Promise<number> {
  const out: Gathered = { parts: [], chars: 0, flat: 0 };
  gather(body.system, out, "system");
  gather(body.tools, out, "tools");
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) gather((m as { content?: unknown }).content, out, "content");
  const enc = await o200k();
  let text = out.parts.join("\n");
  let scale = 1;
  if (text.length > EXACT_CHARS) {
    scale = text.length / EXACT_CHARS;
    text = text.slice(0, EXACT_CHARS);
  }
  const tokens = Math.ceil(enc.encode(text).length * scale);
  return tokens + out.flat + MESSAGE_OVERHEAD * (messages.length + 1);
}
