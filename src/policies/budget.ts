/**
 * Budgets: a most-USD-per-period on a gateway key (`apiKey.keys[].budget`) and on a route
 * (`policies.budget`). The gateway phase asks `check` before any backend: a request whose key
 * or route has spent its budget for the current period gets 429 `budget_exceeded`, naming when
 * the period ends (and Retry-After). What a request cost (usage × the price catalog) is added
 * with `charge` once its response has ended, so requests already admitted when the budget is
 * reached still finish: a budget can be overshot by the requests in flight.
 *
 * Spend lives in a SpendStore (spend-store.ts): in this process unless one shared by the
 * instances is given; its keys are the key's name or the route, so a reload keeps them.
 */
import type { BudgetConfig, PoliciesConfig } from "../config/schema.js";
import { GatewayError } from "../errors.js";
import { type BudgetPeriod, budgetPeriod } from "./budget-period.js";
import { type PolicyEvent, policyEvent } from "./events.js";
import { createMemorySpendStore, type SpendStore } from "./spend-store.js";

interface Limit {
  /** The spend store's key. */
  readonly key: string;
  /** What the error names: `gateway key "team-a"` or `route "llm"`. */
  readonly what: string;
  readonly usd: number;
  readonly periodText: string;
  readonly period: BudgetPeriod;
}

export type BudgetDecision =
  | { readonly ok: true; readonly event: PolicyEvent }
  | { readonly ok: false; readonly error: GatewayError; readonly event: PolicyEvent };

export interface BudgetPolicy {
  /** Whether `keyName` (or the route) may spend more now. */
  check(keyName: string | undefined): BudgetDecision | Promise<BudgetDecision>;
  /** Adds a finished request's cost to the budgets it counts against. */
  charge(keyName: string | undefined, usd: number): void;
}

export interface BudgetDeps {
  /** Where spend is kept; a store of this policy's own when absent (spend then starts over on reload). */
  readonly spendStore?: SpendStore;
  /** Milliseconds; Date.now by default. */
  readonly now?: () => number;
}

function limitOf(key: string, what: string, cfg: BudgetConfig): Limit {
  return Object.freeze({
    // The period is part of the name: a reload that changes it counts afresh (periods of
    // different lengths cannot share a running total), one that changes only usd keeps it.
    key: `${key}|${cfg.period}`,
    what,
    usd: cfg.usd,
    periodText: cfg.period,
    period: budgetPeriod(cfg.period),
  });
}

const ALLOW: BudgetDecision = Object.freeze({ ok: true, event: policyEvent("budget", "gateway", "allow") });

function exceeded(limit: Limit, end: number, now: number): BudgetDecision {
  const seconds = Math.max(1, Math.ceil((end - now) / 1000));
  const resets = new Date(end).toISOString();
  return {
    ok: false,
    error: new GatewayError(
      429,
      "budget_exceeded",
      `The ${limit.what} has spent its budget of ${limit.usd} USD for this period (${limit.periodText}); it resets at ${resets}.`,
      { "retry-after": String(seconds), "x-agw-budget-reset": resets },
    ),
    event: policyEvent("budget", "gateway", "reject"),
  };
}

function unavailable(): BudgetDecision {
  return {
    ok: false,
    error: new GatewayError(
      503,
      "budget_unavailable",
      "The budget could not be checked (the store that keeps the spend did not answer); retry later.",
      { "retry-after": "1" },
    ),
    event: policyEvent("budget", "gateway", "reject"),
  };
}

/** Undefined when neither the route nor any of its keys has a budget. */
export function createBudgetPolicy(
  cfg: PoliciesConfig,
  scope: string,
  deps: BudgetDeps = {},
): BudgetPolicy | undefined {
  const byKey = new Map<string, Limit>();
  for (const k of cfg.apiKey?.keys ?? []) {
    if (k.budget !== undefined)
      byKey.set(k.name, limitOf(`key:${k.name}`, `gateway key "${k.name}"`, k.budget));
  }
  const route =
    cfg.budget === undefined ? undefined : limitOf(`route:${scope}`, `route "${scope}"`, cfg.budget);
  if (route === undefined && byKey.size === 0) return undefined;
  const store = deps.spendStore ?? createMemorySpendStore();
  const now = deps.now ?? Date.now;

  function limitsOf(keyName: string | undefined): Limit[] {
    const out: Limit[] = [];
    if (route !== undefined) out.push(route);
    const k = keyName === undefined ? undefined : byKey.get(keyName);
    if (k !== undefined) out.push(k);
    return out;
  }

  function check(keyName: string | undefined): BudgetDecision | Promise<BudgetDecision> {
    const limits = limitsOf(keyName);
    if (limits.length === 0) return ALLOW;
    const t = now();
    const bounds = limits.map((l) => l.period(t));
    const spent = limits.map((l, i) => store.get(l.key, bounds[i]!.start));
    const decide = (values: readonly number[]): BudgetDecision => {
      for (let i = 0; i < limits.length; i++) {
        if (values[i]! >= limits[i]!.usd) return exceeded(limits[i]!, bounds[i]!.end, t);
      }
      return ALLOW;
    };
    if (spent.some((s) => s instanceof Promise)) {
      // A store that cannot answer fails closed: no admission past a budget nobody checked.
      return Promise.all(spent).then(decide, () => unavailable());
    }
    return decide(spent as number[]);
  }

  function charge(keyName: string | undefined, usd: number): void {
    if (!(usd > 0)) return;
    const t = now();
    for (const l of limitsOf(keyName)) {
      const bounds = l.period(t);
      const r = store.add(l.key, usd, bounds.start, bounds.end);
      // A shared store's failure loses this charge only; it must not surface as an unhandled rejection.
      if (r instanceof Promise) r.catch(() => undefined);
    }
  }

  return Object.freeze({ check, charge });
}
