/**
 * Budgets need prices: a budget counts what requests cost, and a request for a model the
 * catalog (shipped, plus config.modelCatalog) cannot price costs nothing known, so it is not
 * counted. That is a warning, not an error (the priced models are still counted, and a
 * passthrough route cannot know every model in advance): it names the unpriced models the
 * file sends upstream and where to price them.
 */
import { compileCatalog, priceOf } from "../llm/catalog/cost.js";
import type { CheckContext } from "./check-context.js";
import { policySites } from "./check-context.js";
import type { Config } from "./schema.js";

/** The exact model names the file sends upstream (patterns are left out). */
function upstreamModels(config: Config): string[] {
  const out = new Set<string>();
  const add = (m: string | undefined): void => {
    if (m !== undefined && m !== "" && !m.includes("*")) out.add(m);
  };
  const llm = config.llm;
  for (const p of llm?.providers ?? []) for (const m of p.models ?? []) add(m);
  for (const m of llm?.models ?? []) add(m.params?.model ?? (m.provider === "mock" ? undefined : m.name));
  for (const t of llm?.targets ?? []) add(t.model);
  for (const b of config.binds ?? [])
    for (const l of b.listeners)
      for (const r of l.routes)
        for (const be of r.backends)
          for (const kind of Object.values(be.ai?.provider ?? {})) add(kind?.model);
  return [...out];
}

export function checkBudgets(config: Config, ctx: CheckContext): void {
  const sites = policySites(config);
  const budgeted = sites.some(
    (s) =>
      s.policies.budget !== undefined || (s.policies.apiKey?.keys ?? []).some((k) => k.budget !== undefined),
  );
  if (!budgeted) return;
  const overrides: Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number }> =
    {};
  for (const [m, p] of Object.entries(config.config?.modelCatalog ?? {}))
    overrides[m] = { input: p.input, output: p.output, cacheRead: p.input, cacheWrite: p.input };
  const catalog = compileCatalog(overrides);
  const unpriced = upstreamModels(config).filter((m) => priceOf(catalog, m) === undefined);
  if (unpriced.length === 0) return;
  const names = unpriced.map((m) => `"${m}"`).join(", ");
  const fix = `requests for ${unpriced.length === 1 ? "it are" : "them are"} not counted against budgets; give ${unpriced.length === 1 ? "its" : "their"} prices in config.modelCatalog (input and output in USD per million tokens)`;
  for (const { policies, path } of sites) {
    if (policies.budget !== undefined) {
      ctx.warnings.report([...path, "budget"], "key", `the price catalog has no price for ${names}: ${fix}`);
    }
    (policies.apiKey?.keys ?? []).forEach((k, i) => {
      if (k.budget === undefined) return;
      ctx.warnings.report(
        [...path, "apiKey", "keys", i, "budget"],
        "key",
        `the price catalog has no price for ${names}: ${fix}`,
      );
    });
  }
}
