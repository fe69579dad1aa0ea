import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awkwardSplits, midCharacterOffsets, splitBytes } from "./sse-chunks.js";
import { parseSse, parseSseJson, renderSse } from "./wire/sse.js";

describe("splitBytes", () => {
  it("cuts every N bytes and at offsets, losing nothing", () => {
    expect(splitBytes("abcdefg", { every: 3 }).map(String)).toEqual(["abc", "def", "g"]);
    expect(splitBytes("abcdefg", { at: [5, 2, 2, 0, 99] }).map(String)).toEqual(["ab", "cde", "fg"]);
    expect(splitBytes("", { every: 1 })).toHaveLength(1);
    expect(() => splitBytes("x", { every: 0 })).toThrow(RangeError);
  });

  it("every:1 cuts inside multi-byte characters", () => {
    const pieces = splitBytes("é☃🌍", { every: 1 });
    expect(pieces).toHaveLength(2 + 3 + 4);
    expect(midCharacterOffsets("é☃🌍")).toEqual([1, 3, 4, 6, 7, 8]);
  });

  it("concatenation of any split is the input", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 9 }), fc.array(fc.nat(40)), (s, every, at) => {
        const buf = Buffer.from(s, "utf8");
        expect(Buffer.concat(splitBytes(buf, { every })).equals(buf)).toBe(true);
        expect(Buffer.concat(splitBytes(buf, { at })).equals(buf)).toBe(true);
      }),
    );
    for (const { pieces } of awkwardSplits("data: é\n\ndata: x\n\n")) {
      expect(Buffer.concat(pieces).toString()).toBe("data: é\n\ndata: x\n\n");
    }
  });
});

describe("SSE render/parse", () => {
  it("round-trips events, multi-line data and [DONE]", () => {
    const text = renderSse([{ event: "a", data: { x: 1 } }, { data: "l1\nl2" }, { data: "[DONE]" }]);
    expect(text).toBe('event: a\ndata: {"x":1}\n\ndata: l1\ndata: l2\n\ndata: [DONE]\n\n');
    expect(parseSse(text)).toEqual([
      { event: "a", data: '{"x":1}', id: undefined },
      { event: undefined, data: "l1\nl2", id: undefined },
      { event: undefined, data: "[DONE]", id: undefined },
    ]);
    expect(parseSseJson(renderSse([{ data: { x: 1 } }, { data: "[DONE]" }]))).toEqual([{ x: 1 }]);
  });

  it("parses CRLF/CR line ends, comments, no-space values and drops data-less events", () => {
    expect(parseSse(": hi\r\nevent:e\r\ndata:1\r\n\r\nevent: lonely\n\ndata: 2\r\r")).toEqual([
      { event: "e", data: "1", id: undefined },
      { event: undefined, data: "2", id: undefined },
    ]);
  });
});
