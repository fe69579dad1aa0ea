/**
 * The parts of cost and budgets without sockets: the catalog lookup and cost arithmetic, the
 * budget periods (UTC calendar and fixed windows), the in-memory spend store, and a route's
 * budget with an injected clock.
 */
import { describe, expect, it } from "vitest";
import { compileCatalog, costOf, priceOf } from "../../src/llm/catalog/cost.js";
import { SHIPPED_PRICES } from "../../src/llm/catalog/prices.js";
import { createBudgetPolicy } from "../../src/policies/budget.js";
import { budgetPeriod } from "../../src/policies/budget-period.js";
import { createMemorySpendStore } from "../../src/policies/spend-store.js";

describe("the price catalog", () => {
  it("ships dated, sourced prices for OpenAI, Anthropic and compatible providers", () => {
    const providers = new Set(SHIPPED_PRICES.map((e) => e.provider));
    for (const p of ["openAI", "anthropic", "deepseek", "xai", "groq"]) expect(providers).toContain(p);
    for (const e of SHIPPED_PRICES) {
      expect(e.source).toMatch(/^https:\/\//);
      expect(e.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.input).toBeGreaterThan(0);
      expect(e.output).toBeGreaterThan(0);
    }
  });

  it("finds a model by its name, without a provider prefix, or without a dated suffix", () => {
    const cat = compileCatalog();
    const sonnet = priceOf(cat, "claude-sonnet-4-5");
    expect(sonnet).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(priceOf(cat, "claude-sonnet-4-5-20250929")).toEqual(sonnet);
    expect(priceOf(cat, "openai/gpt-4o-mini")).toEqual(priceOf(cat, "gpt-4o-mini"));
    expect(priceOf(cat, "gpt-4o-2024-08-06")).toEqual(priceOf(cat, "gpt-4o"));
    expect(priceOf(cat, "no-such-model")).toBeUndefined();
    expect(priceOf(cat, undefined)).toBeUndefined();
  });

  it("is overridden and extended by config.modelCatalog", () => {
    const cat = compileCatalog({
      "gpt-4o": { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1 },
      mine: { input: 5, output: 6, cacheRead: 5, cacheWrite: 5 },
    });
    expect(priceOf(cat, "gpt-4o")?.input).toBe(1);
    expect(priceOf(cat, "mine")?.output).toBe(6);
  });

  it("prices uncached input, cache reads, cache writes and output each at its rate", () => {
    const p = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    // 1000 input of which 400 read and 100 written: 500 fresh.
    const usd = costOf(p, { input: 1000, output: 200, cacheRead: 400, cacheWrite: 100 });
    expect(usd).toBeCloseTo((500 * 3 + 400 * 0.3 + 100 * 3.75 + 200 * 15) / 1e6, 12);
  });
});

describe("budget periods", () => {
  const at = (iso: string) => Date.parse(iso);
  it("daily, weekly (from Monday) and monthly start at 00:00 UTC", () => {
    const t = at("2026-12-06T15:30:00Z"); // a Sunday
    expect(budgetPeriod("daily")(t)).toEqual({
      start: at("2026-12-06T00:00:00Z"),
      end: at("2026-12-07T00:00:00Z"),
    });
    expect(budgetPeriod("weekly")(t)).toEqual({
      start: at("2026-11-30T00:00:00Z"),
      end: at("2026-12-07T00:00:00Z"),
    });
    expect(budgetPeriod("weekly")(at("2026-12-07T00:00:00Z")).start).toBe(at("2026-12-07T00:00:00Z"));
    expect(budgetPeriod("monthly")(t)).toEqual({
      start: at("2026-12-01T00:00:00Z"),
      end: at("2027-01-01T00:00:00Z"),
    });
  });

  it("a duration is a window counted from the epoch", () => {
    expect(budgetPeriod("12h")(at("2026-12-06T15:30:00Z"))).toEqual({
      start: at("2026-12-06T12:00:00Z"),
      end: at("2026-12-07T00:00:00Z"),
    });
  });
});

describe("the in-memory spend store", () => {
  it("adds within a period, starts over in a later one, ignores charges for an earlier one", () => {
    const s = createMemorySpendStore();
    expect(s.add("k", 1, 100)).toBe(1);
    expect(s.add("k", 2, 100)).toBe(3);
    expect(s.get("k", 100)).toBe(3);
    expect(s.get("k", 200)).toBe(0);
    expect(s.add("k", 1, 200)).toBe(1);
    expect(s.add("k", 5, 100)).toBe(1);
  });

  it("is bounded: past maxKeys the least recently charged key is forgotten", () => {
    const s = createMemorySpendStore(2);
    s.add("a", 1, 0);
    s.add("b", 1, 0);
    s.add("a", 1, 0);
    s.add("c", 1, 0);
    expect(s.get("a", 0)).toBe(2);
    expect(s.get("b", 0)).toBe(0);
  });
});

describe("a route's budget", () => {
  it("counts every caller's spend and refuses once reached, until the period ends", () => {
    const clock = { t: Date.parse("2026-12-06T23:59:00Z") };
    const b = createBudgetPolicy({ budget: { usd: 1, period: "daily" } }, "llm", { now: () => clock.t });
    if (b === undefined) throw new Error("expected a budget policy");
    expect(b.check(undefined)).toMatchObject({ ok: true });
    b.charge(undefined, 0.6);
    b.charge("someone", 0.4);
    const d = b.check(undefined);
    if (d instanceof Promise || d.ok) throw new Error("expected a refusal");
    expect(d.error.status).toBe(429);
    expect(d.error.code).toBe("budget_exceeded");
    expect(d.error.message).toContain('route "llm"');
    expect(d.error.headers["retry-after"]).toBe("60");
    clock.t += 60_000;
    expect(b.check(undefined)).toMatchObject({ ok: true });
  });

  it("keeps its spend across a reload that changes usd; a changed period counts afresh", () => {
    const store = createMemorySpendStore();
    const now = () => Date.parse("2026-12-06T12:00:00Z");
    const first = createBudgetPolicy({ budget: { usd: 1, period: "daily" } }, "r", {
      spendStore: store,
      now,
    });
    first?.charge(undefined, 1);
    const raised = createBudgetPolicy({ budget: { usd: 2, period: "daily" } }, "r", {
      spendStore: store,
      now,
    });
    raised?.charge(undefined, 1);
    expect(raised?.check(undefined)).toMatchObject({ ok: false });
    const monthly = createBudgetPolicy({ budget: { usd: 1, period: "monthly" } }, "r", {
      spendStore: store,
      now,
    });
    expect(monthly?.check(undefined)).toMatchObject({ ok: true });
    monthly?.charge(undefined, 1);
    expect(monthly?.check(undefined)).toMatchObject({ ok: false });
  });

  it("is absent when nothing has a budget", () => {
    expect(createBudgetPolicy({ apiKey: { keys: [{ name: "a", key: "k" }] } }, "r")).toBeUndefined();
  });
});
