/**
 * A route's `policies` compiled once into the policy objects (undefined where not configured).
 * Timeouts and retry are compiled by routing (src/llm/routing), which owns the upstream call;
 * backendAuth likewise.
 */
import type { PoliciesConfig } from "../config/schema.js";
import { type ApiKeyDeps, type ApiKeyPolicy, createApiKeyPolicy } from "./api-key.js";
import { type BudgetDeps, type BudgetPolicy, createBudgetPolicy } from "./budget.js";
import { type CorsPolicy, createCorsPolicy } from "./cors.js";
import { createHeaderModifier, type HeaderModifier } from "./header-modifier.js";
import { createPromptGuard, type PromptGuard } from "./prompt-guard/chain.js";
import type { WebhookDeps } from "./prompt-guard/webhook.js";
import { createRateLimiter, type RateLimitDeps, type RateLimiter } from "./rate-limit.js";
import { createShaping, type Shaping } from "./shaping.js";

export interface CompiledPolicies {
  readonly cors?: CorsPolicy;
  readonly apiKey?: ApiKeyPolicy;
  readonly rateLimit?: RateLimiter;
  /** Budgets of the route and of its gateway keys. */
  readonly budget?: BudgetPolicy;
  readonly requestHeaders?: HeaderModifier;
  readonly responseHeaders?: HeaderModifier;
  readonly shaping?: Shaping;
  readonly promptGuard?: PromptGuard;
  /** Hosted tools for an upstream that cannot run them: "drop" (the default) or "refuse". */
  readonly hostedTools?: "drop" | "refuse";
}

export type PolicyDeps = ApiKeyDeps & RateLimitDeps & WebhookDeps & BudgetDeps;

/** `scope` names the route, so its rate limits find their buckets in a store the workers share. */
export function compilePolicies(
  cfg: PoliciesConfig | undefined,
  deps: PolicyDeps = {},
  scope = "",
): CompiledPolicies {
  if (cfg === undefined) return Object.freeze({});
  const ai = cfg.ai;
  const shapes =
    ai !== undefined &&
    (ai.defaults !== undefined ||
      ai.overrides !== undefined ||
      ai.modelAliases !== undefined ||
      ai.prompts !== undefined);
  const out: {
    -readonly [K in keyof CompiledPolicies]: CompiledPolicies[K];
  } = {};
  if (cfg.cors !== undefined) out.cors = createCorsPolicy(cfg.cors);
  if (cfg.apiKey !== undefined) out.apiKey = createApiKeyPolicy(cfg.apiKey, deps);
  const local = cfg.localRateLimit ?? [];
  const global = cfg.globalRateLimit ?? [];
  if (local.length > 0 || global.length > 0) {
    out.rateLimit = createRateLimiter(local, { ...deps, scope }, global);
  }
  const budget = createBudgetPolicy(cfg, scope, deps);
  if (budget !== undefined) out.budget = budget;
  if (cfg.requestHeaderModifier !== undefined)
    out.requestHeaders = createHeaderModifier(cfg.requestHeaderModifier);
  if (cfg.responseHeaderModifier !== undefined)
    out.responseHeaders = createHeaderModifier(cfg.responseHeaderModifier);
  if (shapes) out.shaping = createShaping(ai);
  if (ai?.promptGuard !== undefined) out.promptGuard = createPromptGuard(ai.promptGuard, deps);
  if (ai?.hostedTools !== undefined) out.hostedTools = ai.hostedTools;
  return Object.freeze(out);
}
