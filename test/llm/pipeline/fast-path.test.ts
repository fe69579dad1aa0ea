import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBody } from "../../../src/llm/pipeline/body.js";
import { clientWantsUsage, sameFormatBody, topLevelStringSpan } from "../../../src/llm/pipeline/fast-path.js";

const body = (text: string) => parseBody(Buffer.from(text, "utf8"));

describe("topLevelStringSpan", () => {
  it("finds the top-level key only, never one nested or inside a string", () => {
    const text = '{"messages":[{"model":"inner","content":"\\"model\\": \\"x\\""}],"model" : "outer"}';
    const span = topLevelStringSpan(text, "model");
    expect(span).toBeDefined();
    expect(text.slice(span![0], span![1])).toBe('"outer"');
  });

  it("keeps the last duplicate, as JSON.parse does", () => {
    const text = '{"model":"a","x":1,"model":"b"}';
    const span = topLevelStringSpan(text, "model")!;
    expect(text.slice(span[0], span[1])).toBe('"b"');
  });

  it("handles escaped backslashes before a closing quote", () => {
    const text = '{"a":"ends with \\\\","model":"m"}';
    const span = topLevelStringSpan(text, "model")!;
    expect(text.slice(span[0], span[1])).toBe('"m"');
  });

  it("agrees with JSON.parse on arbitrary objects", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (rest, model) => {
        const text = JSON.stringify({ ...rest, model });
        const span = topLevelStringSpan(text, "model")!;
        expect(JSON.parse(text.slice(span[0], span[1]))).toBe(model);
      }),
    );
  });
});

describe("sameFormatBody", () => {
  it("returns the received bytes when nothing changes", () => {
    const b = body('{"model":"m","messages":[]}');
    expect(sameFormatBody(b, undefined, false)).toBe(b.bytes);
    expect(sameFormatBody(b, "m", false)).toBe(b.bytes);
  });

  it("splices the model without touching the rest of the text", () => {
    const b = body('{ "messages": [ ],\n "model":  "route-name" , "z": "é" }');
    expect(sameFormatBody(b, "real-model", false)).toBe(
      '{ "messages": [ ],\n "model":  "real-model" , "z": "é" }',
    );
  });

  it("injects stream_options.include_usage, re-serialising only when stream_options exists", () => {
    const injected = sameFormatBody(body('{"model":"a","stream":true}'), "b", true) as string;
    expect(injected).toBe('{"stream_options":{"include_usage":true},"model":"b","stream":true}');
    const merged = JSON.parse(
      sameFormatBody(
        body('{"model":"a","stream":true,"stream_options":{"include_usage":false,"x":1}}'),
        undefined,
        true,
      ) as string,
    );
    expect(merged).toEqual({ model: "a", stream: true, stream_options: { include_usage: true, x: 1 } });
  });

  it("knows when the client asked for usage", () => {
    expect(clientWantsUsage({ stream_options: { include_usage: true } })).toBe(true);
    expect(clientWantsUsage({ stream_options: { include_usage: false } })).toBe(false);
    expect(clientWantsUsage({})).toBe(false);
  });
});

describe("parseBody", () => {
  it("rejects non-JSON, non-objects and a missing model with the right codes", () => {
    expect(() => body("{")).toThrow(expect.objectContaining({ status: 400, code: "invalid_request_body" }));
    expect(() => body("[1]")).toThrow(expect.objectContaining({ status: 400, code: "invalid_request_body" }));
    expect(() => body('{"model":""}')).toThrow(
      expect.objectContaining({ status: 400, code: "missing_model" }),
    );
    expect(() => body('{"messages":[]}')).toThrow(expect.objectContaining({ code: "missing_model" }));
    expect(body('{"model":"x"}').model).toBe("x");
  });
});
