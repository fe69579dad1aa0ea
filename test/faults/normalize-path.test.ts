/** The canonical path routes match: dot segments, doubled slashes, escapes (and what is refused). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePath } from "../../src/server/normalize-path.js";

describe("normalizePath", () => {
  it.each([
    ["/v1/chat/completions", "/v1/chat/completions"],
    ["/x/../v1/chat", "/v1/chat"],
    ["/a/./b/.", "/a/b/"],
    ["/a/b/..", "/a/"],
    ["/../..", "/"],
    ["//a///b", "/a/b"],
    ["/a/%2e%2E/b", "/b"],
    ["/%7Euser/%41", "/~user/A"],
    ["/q%20s%3f", "/q%20s%3F"],
    ["/a/.hidden/..x", "/a/.hidden/..x"],
  ])("%s → %s", (input, out) => {
    expect(normalizePath(input)).toBe(out);
  });

  it.each([
    ["/a%2fb"],
    ["/a%5Cb"],
    ["/a\\b"],
    ["/a%00"],
    ["/a%zz"],
    ["/a%4"],
    ["*"],
    ["http://evil/x"],
    [""],
  ])("%s is refused", (input) => {
    expect(normalizePath(input)).toBeUndefined();
  });

  it("is idempotent and its output has no dot segment or doubled slash", () => {
    const seg = fc.constantFrom("a", "v1", ".", "..", "", "%2e", "%2E%2e", "b%20c", "~x");
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 8 }), (segs) => {
        const out = normalizePath(`/${segs.join("/")}`);
        expect(out).toBeDefined();
        expect(normalizePath(out!)).toBe(out);
        expect(out!.split("/").slice(1, -1)).not.toContain("..");
        expect(out).not.toMatch(/\/\.{1,2}(\/|$)|\/\//);
      }),
      { numRuns: 300 },
    );
  });
});
