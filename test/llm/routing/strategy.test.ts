/** single, weighted (exact with a fixed draw, and one statistical run) and fallback. */
import { describe, expect, it } from "vitest";
import { applyStrategy, pickWeighted } from "../../../src/llm/routing/strategy.js";

const m = (name: string, weight = 1) => ({ name, weight });

describe("pickWeighted", () => {
  it("maps a draw onto running sums of the relative weights", () => {
    const w = [70, 30];
    expect(pickWeighted(w, 0)).toBe(0);
    expect(pickWeighted(w, 0.6999)).toBe(0);
    expect(pickWeighted(w, 0.7)).toBe(1);
    expect(pickWeighted(w, 0.9999999)).toBe(1);
    expect(pickWeighted([1, 1, 1], 0.34)).toBe(1);
    expect(pickWeighted([1, 1, 1], 0.67)).toBe(2);
    expect(pickWeighted([5], 0.5)).toBe(0);
  });

  it("over 20 000 draws the shares follow the weights 1:2:7 within 1.5 points", () => {
    // A seeded generator (mulberry32) keeps the run deterministic.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const counts = [0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const k = pickWeighted([1, 2, 7], random());
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const shares = counts.map((c) => c / n);
    expect(Math.abs((shares[0] ?? 0) - 0.1)).toBeLessThan(0.015);
    expect(Math.abs((shares[1] ?? 0) - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((shares[2] ?? 0) - 0.7)).toBeLessThan(0.015);
  });
});

describe("applyStrategy", () => {
  const members = [m("a", 1), m("b", 3)];
  it("single takes the first", () => {
    expect(applyStrategy("single", members, () => 0.99).map((x) => x.name)).toEqual(["a"]);
  });
  it("fallback keeps every member in order and draws nothing", () => {
    const never = () => {
      throw new Error("drew");
    };
    expect(applyStrategy("fallback", members, never).map((x) => x.name)).toEqual(["a", "b"]);
  });
  it("weighted draws once per call, default weights equal", () => {
    expect(applyStrategy("weighted", members, () => 0.2).map((x) => x.name)).toEqual(["a"]);
    expect(applyStrategy("weighted", members, () => 0.3).map((x) => x.name)).toEqual(["b"]);
    expect(applyStrategy("weighted", [m("x"), m("y")], () => 0.5).map((x) => x.name)).toEqual(["y"]);
  });
});
