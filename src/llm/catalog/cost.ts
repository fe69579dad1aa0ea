/**
 * Cost of one request from its usage and a price catalog (USD per million tokens). The
 * catalog is the shipped table (prices.ts) with `config.modelCatalog` laid over it, compiled
 * once per snapshot. A model is found by its exact name, else without a provider prefix
 * ("openai/gpt-4o") or a dated snapshot suffix ("-2024-08-06", "-20250929"), so the name an
 * upstream answers with finds the entry of the name that was asked for.
 */
import { SHIPPED_PRICES } from "./prices.js";

export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export type PriceCatalog = ReadonlyMap<string, ModelPrice>;

/** Token counts as the IR reports them: cache reads and writes are parts of `input`. */
export interface CostUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

/** The shipped table with `overrides` (model → the four prices) laid over it. */
export function compileCatalog(overrides?: Readonly<Record<string, ModelPrice>>): PriceCatalog {
  const out = new Map<string, ModelPrice>();
  for (const e of SHIPPED_PRICES) {
    out.set(
      e.model,
      Object.freeze({ input: e.input, output: e.output, cacheRead: e.cacheRead, cacheWrite: e.cacheWrite }),
    );
  }
  for (const [model, p] of Object.entries(overrides ?? {})) {
    out.set(
      model,
      Object.freeze({ input: p.input, output: p.output, cacheRead: p.cacheRead, cacheWrite: p.cacheWrite }),
    );
  }
  return out;
}

const DATED = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/** The price of `model`, or undefined when the catalog does not know it. */
export function priceOf(catalog: PriceCatalog, model: string | undefined): ModelPrice | undefined {
  if (model === undefined || model === "") return undefined;
  const exact = catalog.get(model);
  if (exact !== undefined) return exact;
  const slash = model.lastIndexOf("/");
  const bare = slash === -1 ? model : model.slice(slash + 1);
  return catalog.get(bare) ?? catalog.get(bare.replace(DATED, ""));
}

/**
 * USD for `usage` at `price`: uncached input (input minus cache reads and writes) at the input
 * rate, cache reads and writes at theirs, output (reasoning included) at the output rate.
 */
export function costOf(price: ModelPrice, usage: CostUsage): number {
  const read = Math.max(0, usage.cacheRead ?? 0);
  const write = Math.max(0, usage.cacheWrite ?? 0);
  const fresh = Math.max(0, usage.input - read - write);
  const micro =
    fresh * price.input +
    read * price.cacheRead +
    write * price.cacheWrite +
    Math.max(0, usage.output) * price.output;
  return micro / 1e6;
}
