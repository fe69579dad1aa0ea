import type { SseEvent } from "./types.js";

/**
 * Renders one SSE event the way the providers do: optional `event:` line, one `data:` line per
 * line of payload, blank line. Objects are compact JSON (as OpenAI and Anthropic send them).
 */
export function renderSseEvent(e: SseEvent | string): string {
  if (typeof e === "string") return e;
  const data = typeof e.data === "string" ? e.data : JSON.stringify(e.data);
  const head = e.event === undefined ? "" : `event: ${e.event}\n`;
  const lines = data
    .split(/\r\n|\r|\n/u)
    .map((l) => `data: ${l}\n`)
    .join("");
  return `${head}${lines}\n`;
}

export function renderSse(events: readonly (SseEvent | string)[]): string {
  return events.map(renderSseEvent).join("");
}

export interface ParsedSseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * A spec-following SSE parser (WHATWG event stream rules: CRLF/CR/LF line ends, comments,
 * multi-line data, optional single space after the colon) for tests that read agw's output.
 * Events without data lines are dropped, as the spec says.
 */
export function parseSse(text: string): ParsedSseEvent[] {
  const out: ParsedSseEvent[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let data: string[] = [];
  let sawData = false;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (const line of body.split(/\r\n|\r|\n/u)) {
    if (line === "") {
      if (sawData) out.push({ event, data: data.join("\n"), id });
      event = undefined;
      data = [];
      sawData = false;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      sawData = true;
    } else if (field === "event") event = value;
    else if (field === "id") id = value;
  }
  return out;
}

/** The JSON payloads of an SSE text, skipping OpenAI's `[DONE]` sentinel. */
export function parseSseJson(text: string): unknown[] {
  return parseSse(text)
    .filter((e) => e.data !== "[DONE]")
    .map((e) => JSON.parse(e.data) as unknown);
}
