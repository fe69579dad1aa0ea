import type { ReplySpec, ResolvedReply, WireContext } from "./types.js";

/** A counter-based id source: ids are unique within one context family and stable across runs. */
export function makeWireContext(options: { created?: number; seed?: string } = {}): WireContext {
  let n = 0;
  const seed = options.seed ?? "mock";
  return {
    id: (prefix) => {
      n += 1;
      return `${prefix}${seed}${String(n).padStart(4, "0")}`;
    },
    created: options.created ?? 1_700_000_000,
  };
}

/**
 * A deterministic token count: whitespace-separated words. Crude on purpose — tests need a
 * number they can predict, not a tokenizer.
 */
export function countTokens(text: string): number {
  const words = text.trim().split(/\s+/u);
  return words.length === 1 && words[0] === "" ? 0 : words.length;
}

/** Splits text into word-ish deltas, each carrying its leading whitespace (as token streams do). */
export function splitText(text: string): string[] {
  if (text === "") return [];
  return text.match(/\s*\S+|\s+$/gu) ?? [text];
}

/** Splits a string into pieces of `size` code points, never inside a surrogate pair. */
export function splitCodePoints(text: string, size: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(""));
  return out;
}

export function resolveReply(
  spec: ReplySpec,
  ctx: WireContext,
  defaults: { model: string; inputTokens: number; toolIdPrefix: string },
): ResolvedReply {
  const toolCalls = (spec.toolCalls ?? []).map((c) => ({
    id: c.id ?? ctx.id(defaults.toolIdPrefix),
    name: c.name,
    arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
  }));
  const text = spec.text ?? "";
  const outputText = [text, spec.thinking ?? "", ...toolCalls.map((c) => c.arguments)].join(" ");
  const usage = spec.usage;
  return {
    text,
    thinking: spec.thinking,
    signature:
      spec.signature ??
      `sig-${Buffer.from(spec.thinking ?? "")
        .toString("base64url")
        .slice(0, 16)}`,
    toolCalls,
    finish: spec.finish ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
    usage: {
      input: usage?.input ?? defaults.inputTokens,
      output: usage?.output ?? countTokens(outputText),
      cachedInput: usage?.cachedInput ?? 0,
      cacheCreation: usage?.cacheCreation ?? 0,
      reasoning: usage?.reasoning ?? 0,
    },
    model: spec.model ?? defaults.model,
    interleaveToolCalls: spec.interleaveToolCalls ?? false,
  };
}
