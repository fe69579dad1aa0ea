import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSseParser,
  encodeSseEvent,
  parseSseText,
  type SseEvent,
  SseEventTooLargeError,
} from "../../src/llm/sse.js";
import { expectSplitInvariant, parseChunks } from "./sse-split.js";

const enc = new TextEncoder();

describe("createSseParser", () => {
  it("dispatches on blank line with event, id and retry", () => {
    expect(parseSseText("event: ping\nid: 7\nretry: 1500\ndata: hello\n\n")).toEqual([
      { event: "ping", id: "7", retry: 1500, data: "hello" },
    ]);
  });

  it("joins multi-line data with LF", () => {
    expect(parseSseText("data: a\ndata: b\ndata:\n\n")).toEqual([{ data: "a\nb\n" }]);
  });

  it("handles LF, CRLF and CR line ends alike", () => {
    const lf = parseSseText("event: x\ndata: 1\n\ndata: 2\n\n");
    expect(parseSseText("event: x\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n")).toEqual(lf);
    expect(parseSseText("event: x\rdata: 1\r\rdata: 2\r\r")).toEqual(lf);
    expect(lf).toEqual([{ event: "x", data: "1" }, { data: "2" }]);
  });

  it("treats a CR at a chunk end and LF at the next start as one line end", () => {
    const events = parseChunks([enc.encode("data: a\r"), enc.encode("\ndata: b\r"), enc.encode("\n\r\n")]);
    expect(events).toEqual([{ data: "a\nb" }]);
  });

  it("ignores comments and unknown fields; field without colon has empty value", () => {
    expect(parseSseText(": keepalive\nfoo: bar\ndata\n\n")).toEqual([{ data: "" }]);
    expect(parseSseText("event\ndata: x\n\n")).toEqual([{ data: "x" }]);
  });

  it("strips exactly one space after the colon", () => {
    expect(parseSseText("data:  two\n\ndata:none\n\n")).toEqual([{ data: " two" }, { data: "none" }]);
  });

  it("does not dispatch an event without data, and resets its type", () => {
    expect(parseSseText("event: lonely\n\ndata: x\n\n")).toEqual([{ data: "x" }]);
  });

  it("ignores invalid retry and ids containing NUL", () => {
    expect(parseSseText("retry: 1a\nid: a\u0000b\ndata: x\n\n")).toEqual([{ data: "x" }]);
  });

  it("discards an unterminated trailing block at end()", () => {
    expect(parseSseText("data: a\n\ndata: partial")).toEqual([{ data: "a" }]);
  });

  it("strips a leading BOM", () => {
    expect(parseSseText(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("data: x\n\n")]))).toEqual([
      { data: "x" },
    ]);
  });

  it("decodes multibyte characters split across chunks at every boundary", () => {
    const text = 'data: {"t":"héllo 世界 🎉"}\r\n\r\nevent: e\ndata: ünï\n\n';
    const events = expectSplitInvariant(enc.encode(text));
    expect(events).toEqual([{ data: '{"t":"héllo 世界 🎉"}' }, { event: "e", data: "ünï" }]);
  });

  it("decodes any bytes, invalid UTF-8 included, as a WHATWG TextDecoder does, however they are split", () => {
    const notLineEnd = fc.integer({ min: 0, max: 255 }).filter((b) => b !== 10 && b !== 13);
    fc.assert(
      fc.property(fc.array(notLineEnd, { maxLength: 64 }), (bytes) => {
        const payload = Uint8Array.from(bytes);
        const wire = new Uint8Array([...enc.encode("data: "), ...payload, 10, 10]);
        const expected = new TextDecoder("utf-8").decode(payload);
        expect(expectSplitInvariant(wire)).toEqual([{ data: expected }]);
      }),
      { numRuns: 200 },
    );
  });

  it("is split-invariant for mixed line endings and comments", () => {
    const text = ": c\r\nevent: a\rdata: 1\r\rid: 9\ndata: 2\ndata: 3\r\n\r\n:x\n\ndata\n\n";
    expect(expectSplitInvariant(enc.encode(text))).toEqual([
      { event: "a", data: "1" },
      { id: "9", data: "2\n3" },
      { data: "" },
    ]);
  });
});

describe("encodeSseEvent", () => {
  it("encodes fields and splits multi-line data", () => {
    expect(encodeSseEvent({ event: "x", data: "a\nb" })).toBe("event: x\ndata: a\ndata: b\n\n");
    expect(encodeSseEvent({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
  });

  it("round-trips through the parser", () => {
    const events: SseEvent[] = [
      { event: "message_start", data: '{"a":1}' },
      { data: "line1\nline2" },
      { id: "3", retry: 10, data: "" },
    ];
    expect(parseSseText(events.map(encodeSseEvent).join(""))).toEqual(events);
  });
});

describe("createSseParser maxEventChars", () => {
  it("throws once an unfinished line or an event's data grows past the limit, holding nothing after", () => {
    const seen: SseEvent[] = [];
    const p = createSseParser((e) => seen.push(e), { maxEventChars: 100 });
    p.push(enc.encode(`data: ${"a".repeat(60)}\n\n`));
    expect(seen).toHaveLength(1);
    p.push(enc.encode(`data: ${"b".repeat(60)}`));
    expect(() => p.push(enc.encode("b".repeat(60)))).toThrow(SseEventTooLargeError);
    // Many short data lines of one event count together.
    const q = createSseParser(() => {}, { maxEventChars: 100 });
    expect(() => q.push(enc.encode("data: 0123456789\n".repeat(20)))).toThrow(SseEventTooLargeError);
  });

  it("passes events up to the limit", () => {
    const seen: SseEvent[] = [];
    const p = createSseParser((e) => seen.push(e), { maxEventChars: 100 });
    p.push(enc.encode(`data: ${"a".repeat(100)}\n\n`));
    expect(seen).toEqual([{ data: "a".repeat(100) }]);
  });
});
