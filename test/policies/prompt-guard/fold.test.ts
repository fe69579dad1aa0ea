import { describe, expect, it } from "vitest";
import { foldText } from "../../../src/policies/prompt-guard/fold.js";
import { createBlocklistGuard, createRegexGuard } from "../../../src/policies/prompt-guard/text-guards.js";

const block = createBlocklistGuard({ blocklist: { words: ["Project Falcon", "café"] } });
const rejected = (t: string) => block.scan(t).hits.length > 0;

describe("reject rules compare folded text", () => {
  it("zero-width characters, soft hyphens and bidi controls do not hide a word", () => {
    for (const t of [
      "project\u200b falcon",
      "pro\u200cject fal\u200dcon",
      "project\u2060falcon".replace("\u2060", " \u2060"),
      "\ufeffproject falcon",
      "proj\u00adect fal\u00adcon",
      "project \u202efalcon",
      "p\ufe0froject falcon",
    ])
      expect(rejected(t), JSON.stringify(t)).toBe(true);
  });

  it("compatibility forms and accents in either composition match", () => {
    expect(rejected("ＰＲＯＪＥＣＴ ＦＡＬＣＯＮ")).toBe(true);
    expect(rejected("\u{1d429}\u{1d42b}\u{1d428}\u{1d423}\u{1d41e}\u{1d41c}\u{1d42d} falcon")).toBe(true);
    expect(rejected("un cafe\u0301 noir")).toBe(true);
    expect(rejected("un café noir")).toBe(true);
    expect(rejected("un cafe noir")).toBe(false);
  });

  it("tag characters (invisible ASCII) are read as the ASCII they spell", () => {
    const tags = [..."project falcon"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    expect(rejected(`hello ${tags}`)).toBe(true);
    expect(rejected("hello \u{e0001}\u{e007f}")).toBe(false);
  });

  it("cross-script look-alikes are not folded", () => {
    expect(rejected("project f\u0430lcon")).toBe(false);
  });

  it("a stream cut inside the folded word is rejected too, and text before it is emitted as sent", () => {
    const s = block.scanner();
    expect(s.push("ＯＫ then ｐｒｏ").out).toBe("ＯＫ then ");
    const r = s.push("ject\u200b ｆａｌｃｏｎ!");
    expect(r.hits).toHaveLength(1);
    expect(r.out).toBe("");
  });

  it("mask rules match the text as sent (folding would move what is masked)", () => {
    const mask = createRegexGuard({ regex: { action: "mask", rules: [{ builtin: "ssn" }] } });
    expect(mask.scan("１２３-４５-６７８９").out).toBe("１２３-４５-６７８９");
    const reject = createRegexGuard({ regex: { action: "reject", rules: [{ builtin: "ssn" }] } });
    expect(reject.scan("ssn １２３-４５-６７８９").hits).toHaveLength(1);
  });

  it("maps every folded character back to where it came from", () => {
    const t = "a\u200bｂ ｃe\u0301ﬁ x";
    const f = foldText(t)!;
    expect(f.text).toBe("ab c\u00e9fi x");
    expect([...f.text].map((_, i) => f.orig(i))).toEqual([0, 2, 3, 4, 5, 7, 7, 8, 9]);
    expect(f.orig(f.text.length)).toBe(t.length);
    expect(f.folded(5)).toBe(4);
    expect(f.folded(6)).toBe(5);
    expect(f.folded(t.length)).toBe(f.text.length);
    expect(foldText("plain ascii")).toBeUndefined();
    expect(foldText("déjà vu, 한국어, 中文")).toBeUndefined();
  });
});
