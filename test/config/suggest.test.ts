import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../src/config/suggest.js";

describe("suggest", () => {
  it("counts a transposition as one edit", () => {
    expect(editDistance("lsiteners", "listeners")).toBe(1);
    expect(editDistance("lisenters", "listeners")).toBe(2);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "ab")).toBe(2);
  });

  it("finds case-insensitive, near and cut-short matches, and nothing far off", () => {
    expect(suggest("openai", ["openAI", "anthropic"])).toBe("openAI");
    expect(suggest("bakends", ["backends", "matches"])).toBe("backends");
    expect(suggest("complete", ["completions", "messages"])).toBe("completions");
    expect(suggest("x", ["ai", "host"])).toBeUndefined();
    expect(suggest("zzzzzz", ["listeners"])).toBeUndefined();
  });
});
