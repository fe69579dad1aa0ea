import { expect } from "vitest";
import { createSseParser, type SseEvent } from "../../src/llm/sse.js";

export function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}

/** Every split of `bytes` into two chunks, and into 1-byte chunks, must parse like the whole. */
export function expectSplitInvariant(bytes: Uint8Array): SseEvent[] {
  const whole = parseChunks([bytes]);
  for (let i = 0; i <= bytes.length; i++) {
    expect(parseChunks([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
  }
  const ones: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) ones.push(bytes.subarray(i, i + 1));
  expect(parseChunks(ones)).toEqual(whole);
  return whole;
}
