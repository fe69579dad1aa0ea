/**
 * decodeRawHead lower-cases header names through undici's lookup of known names; for any
 * name, known or not, in any case, and any value bytes, it gives what decoding the bytes as
 * latin1 and lower-casing the name gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRawHead } from "../../src/http/forward-headers.js";

const KNOWN = [
  "content-type",
  "content-length",
  "date",
  "connection",
  "keep-alive",
  "x-request-id",
  "retry-after",
  "set-cookie",
  "transfer-encoding",
  "cache-control",
];
const tchar = fc.constantFrom(
  ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(""),
);
const randomCase = (s: string, flips: boolean[]): string =>
  [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join("");
const name = fc.oneof(
  fc
    .tuple(fc.constantFrom(...KNOWN), fc.array(fc.boolean(), { minLength: 1 }))
    .map(([n, f]) => randomCase(n, f)),
  fc.array(tchar, { minLength: 1, maxLength: 30 }).map((cs) => cs.join("")),
  // A known name with more after it, or cut short.
  fc
    .tuple(fc.constantFrom(...KNOWN), fc.array(tchar, { minLength: 1, maxLength: 4 }))
    .map(([n, cs]) => n + cs.join("")),
  fc.tuple(fc.constantFrom(...KNOWN), fc.nat(20)).map(([n, k]) => n.slice(0, 1 + (k % n.length))),
);
const value = fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b));

describe("decodeRawHead", () => {
  it("equals latin1 decoding with lower-cased names, for any head", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 12 }), (pairs) => {
        const raw = pairs.flatMap(([n, v]) => [Buffer.from(n, "latin1"), v]);
        const expected = pairs.flatMap(([n, v]) => [n.toLowerCase(), v.toString("latin1")]);
        expect(decodeRawHead(raw)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
