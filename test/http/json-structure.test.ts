import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkJsonStructure, MAX_JSON_DEPTH } from "../../src/http/json-structure.js";

describe("checkJsonStructure", () => {
  it("accepts bodies without repeated keys, whatever the strings hold", () => {
    expect(checkJsonStructure('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":1}]}')).toBeUndefined();
    expect(checkJsonStructure('{"s":"\\"a\\":1,\\"a\\":2 {[,","t":"\\\\","a":"x"}')).toBeUndefined();
    expect(checkJsonStructure('[1,2,"x",{"k":null}]')).toBeUndefined();
    expect(checkJsonStructure(' { "a" : 1 , "b" : [ ] } ')).toBeUndefined();
  });

  it("finds a duplicate anywhere and names its path", () => {
    expect(checkJsonStructure('{"model":"a","model":"b"}')).toEqual({
      kind: "duplicate_key",
      path: "$.model",
    });
    expect(checkJsonStructure('{"m":[{"x":1},{"role":"user","c":{"t":1, "t" :2}}]}')).toEqual({
      kind: "duplicate_key",
      path: "$.m[1].c.t",
    });
    expect(checkJsonStructure('{"a b":{"q":1},"a b":2}')).toEqual({
      kind: "duplicate_key",
      path: '$["a b"]',
    });
  });

  it("compares keys after their escapes are decoded", () => {
    expect(checkJsonStructure('{"model":"a","\\u006dodel":"b"}')).toEqual({
      kind: "duplicate_key",
      path: "$.model",
    });
    expect(checkJsonStructure('{"a\\"":1,"a\\u0022":2}')?.kind).toBe("duplicate_key");
  });

  it("handles objects with many keys (set-backed) the same way", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(checkJsonStructure(`{${keys.join(",")}}`)).toBeUndefined();
    expect(checkJsonStructure(`{${keys.join(",")},"k7":0}`)).toEqual({ kind: "duplicate_key", path: "$.k7" });
  });

  it("refuses nesting past the limit", () => {
    const ok = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(checkJsonStructure(ok)).toBeUndefined();
    const deep = `{"a":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
    expect(checkJsonStructure(deep)?.kind).toBe("too_deep");
  });

  it("never flags what JSON.stringify writes, and finds a key repeated in any of its objects", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string(), fc.nat(), (v, space, pick) => {
        const text = JSON.stringify({ v }, null, space.replace(/[^ \t\n]/g, "").slice(0, 3));
        expect(checkJsonStructure(text)).toBeUndefined();
        // Repeat the first key of one of its objects (the outer one is always there).
        const opens = [...text.matchAll(/\{(\s*)("(?:[^"\\]|\\.)*")(\s*):/g)];
        const m = opens[pick % opens.length]!;
        const at = m.index + 1;
        const dup = `${text.slice(0, at)}${m[2]}:0,${text.slice(at)}`;
        expect(JSON.parse(dup)).toBeDefined();
        expect(checkJsonStructure(dup)?.kind).toBe("duplicate_key");
      }),
      { numRuns: 300 },
    );
  });
});
