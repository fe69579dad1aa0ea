/**
 * settleCost: a finished record's usage priced by the catalog, charged to its budgets once;
 * token counts (count_tokens answers carry an input count that is not usage) cost nothing.
 */
import { describe, expect, it } from "vitest";
import { newRecord } from "../../src/http/record.js";
import { compileCatalog } from "../../src/llm/catalog/cost.js";
import { settleCost } from "../../src/server/request-cost.js";

const catalog = compileCatalog({ m: { input: 1, output: 2, cacheRead: 0.5, cacheWrite: 4 } });

function record(routeType: "messages" | "anthropicTokenCount") {
  const r = newRecord("id", "POST", "/v1/messages", 1);
  r.routeType = routeType;
  r.model = "m";
  r.inputTokens = 1_000_000;
  r.outputTokens = 0;
  return r;
}

describe("settleCost", () => {
  it("prices usage, cache writes included, and charges the budgets", () => {
    const r = record("messages");
    r.cacheWriteTokens = 500_000;
    r.outputTokens = 1_000_000;
    const charged: number[] = [];
    r.chargeSpend = (usd) => charged.push(usd);
    settleCost(r, catalog);
    // 500k fresh × 1 + 500k written × 4 + 1M out × 2.
    expect(r.costUsd).toBe(4.5);
    expect(charged).toEqual([4.5]);
  });

  it("leaves a token count without a cost", () => {
    const r = record("anthropicTokenCount");
    const charged: number[] = [];
    r.chargeSpend = (usd) => charged.push(usd);
    settleCost(r, catalog);
    expect(r.costUsd).toBeUndefined();
    expect(charged).toEqual([]);
  });
});
