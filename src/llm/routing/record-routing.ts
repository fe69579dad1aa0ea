/**
 * The routing path of one request, for the access log and metrics (request record fields)
 * and, when `llm.routeHeader` is on, the `x-agw-route` response header.
 */
import type { ExecutionOutcome, RoutingPlan } from "../../runtime/plan.js";
import { pathLabel } from "./resolution.js";

export const ROUTE_HEADER = "x-agw-route";

export interface RoutingFields {
  routingPath: string;
  strategy: string;
  target: string;
  provider: string;
  attempts: number;
  fallbacks: number;
}

export function routingFields(plan: RoutingPlan, outcome: ExecutionOutcome): RoutingFields {
  return {
    routingPath: pathLabel(plan.path),
    strategy: plan.strategy,
    target: outcome.candidate.name,
    provider: outcome.candidate.providerName,
    attempts: outcome.attempts,
    fallbacks: outcome.fallbacks,
  };
}

/** `route:primary; strategy=weighted; target=openai-gpt4o; attempts=2` */
export function routeHeaderValue(plan: RoutingPlan, target: string, attempts: number): string {
  return `${pathLabel(plan.path)}; strategy=${plan.strategy}; target=${target}; attempts=${attempts}`;
}
