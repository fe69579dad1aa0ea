/**
 * A finished request's cost: its usage priced by the snapshot's catalog, noted on the record
 * (for the access log, the admin page and the cost metric) and added to the budgets the
 * gateway phase named. The model priced is the one sent upstream, else the one asked for,
 * else the one that answered; a request without usage or without a price costs nothing known,
 * and a token count (anthropicTokenCount) is not usage.
 */
import type { RequestRecord } from "../http/record.js";
import { compileCatalog, costOf, type PriceCatalog, priceOf } from "../llm/catalog/cost.js";

/** For a snapshot built without one (tests): the shipped prices. */
const SHIPPED = compileCatalog();

export function settleCost(r: RequestRecord, catalog: PriceCatalog | undefined): void {
  if (r.inputTokens === undefined && r.outputTokens === undefined) return;
  // Counting tokens is free: the count is not usage.
  if (r.routeType === "anthropicTokenCount") return;
  const cat = catalog ?? SHIPPED;
  const price = priceOf(cat, r.upstreamModel ?? r.model) ?? priceOf(cat, r.responseModel);
  if (price === undefined) return;
  const usd = costOf(price, {
    input: r.inputTokens ?? 0,
    output: r.outputTokens ?? 0,
    ...(r.cachedInputTokens === undefined ? {} : { cacheRead: r.cachedInputTokens }),
    ...(r.cacheWriteTokens === undefined ? {} : { cacheWrite: r.cacheWriteTokens }),
  });
  // Rounded to a billionth of a dollar: float noise stays out of the log line.
  r.costUsd = Math.round(usd * 1e9) / 1e9;
  if (r.costUsd > 0) r.chargeSpend?.(r.costUsd);
}
