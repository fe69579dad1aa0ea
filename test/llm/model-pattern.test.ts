/** One meaning of "most specific wins" for model patterns, everywhere they appear. */
import { describe, expect, it } from "vitest";
import { bySpecificity, matchesModel, parseModelPattern } from "../../src/llm/model-pattern.js";
import { createShaping } from "../../src/policies/shaping.js";

const order = (sources: string[]) =>
  sources
    .map(parseModelPattern)
    .sort(bySpecificity)
    .map((p) => p.source);

describe("model patterns", () => {
  it("parses the four forms and matches them", () => {
    expect(parseModelPattern("gpt-4o")).toEqual({ source: "gpt-4o", kind: "exact", value: "gpt-4o" });
    expect(parseModelPattern("gpt-*")).toEqual({ source: "gpt-*", kind: "prefix", value: "gpt-" });
    expect(parseModelPattern("*-mini")).toEqual({ source: "*-mini", kind: "suffix", value: "-mini" });
    expect(parseModelPattern("*")).toEqual({ source: "*", kind: "any", value: "" });
    expect(matchesModel(parseModelPattern("gpt-*"), "gpt-4o")).toBe(true);
    expect(matchesModel(parseModelPattern("gpt-*"), "claude")).toBe(false);
    expect(matchesModel(parseModelPattern("*-mini"), "gpt-4o-mini")).toBe(true);
    expect(matchesModel(parseModelPattern("gpt-4o"), "gpt-4o-mini")).toBe(false);
    expect(matchesModel(parseModelPattern("*"), "anything")).toBe(true);
  });

  it("orders exact, then prefixes longest first, then suffixes longest first, then *", () => {
    expect(order(["*", "*-turbo", "a*", "gpt-4*", "*-mini-turbo", "gpt-4o"])).toEqual([
      "gpt-4o",
      "gpt-4*",
      "a*",
      "*-mini-turbo",
      "*-turbo",
      "*",
    ]);
  });

  it("model aliases follow the same order as routing: a prefix beats a longer suffix", () => {
    const shaping = createShaping({ modelAliases: { "*-turbo": "by-suffix", "a*": "by-prefix" } });
    expect(shaping.resolveAlias("a-turbo")).toBe("by-prefix");
    expect(shaping.resolveAlias("b-turbo")).toBe("by-suffix");
  });
});
