/**
 * Where the pipeline gets its RoutingPlan and how it runs one. The routing helper puts a
 * `Router` on the llm-form route (`route.router`) and an `executePlan` with retry and
 * fallback; until then the plan is built here from what the runtime has (the binds form's
 * weight-picked backend, or the llm form's model table) and `runPlan` tries the first
 * candidate once. Both are single switch points so routing can replace them.
 */

import { GatewayError } from "../../errors.js";
import type {
  AttemptResult,
  Candidate,
  CandidateAuth,
  ExecutionOutcome,
  RetryPolicy,
  Router,
  RoutingPlan,
} from "../../runtime/plan.js";
import type {
  AiBackendRuntime,
  BackendAuthRuntime,
  LlmModelTable,
  RouteRuntime,
} from "../../runtime/snapshot.js";
import { type ExecuteDeps, executePlan } from "../routing/execute.js";
import { modelEntryFor } from "../routing/model-entry.js";
import type { PipelineContext } from "./context.js";

/** A route as routing will extend it; read structurally until RouteRuntime declares it. */
type RouteWithRouter = RouteRuntime & { readonly router?: Router };

const NO_RETRY: RetryPolicy = Object.freeze({
  attempts: 0,
  backoffMs: 0,
  maxRetryAfterMs: 0,
  codes: new Set<number>(),
});

export function routerOf(route: RouteRuntime): Router | undefined {
  return (route as RouteWithRouter).router;
}

function authOf(backend: AiBackendRuntime, auth: BackendAuthRuntime, source: string): CandidateAuth {
  if (!backend.provider.usesKey) return { kind: "none" };
  if (auth === undefined) return { kind: "caller" };
  return { kind: "managed", key: auth.key, source };
}

/** A binds backend or an llm-form model entry as a candidate. */
export function candidateOf(
  route: RouteRuntime,
  backend: AiBackendRuntime,
  auth: BackendAuthRuntime,
  source: string,
): Candidate {
  // Compiled backends may later carry responsesApi; the config default is true.
  const responsesApi = (backend as AiBackendRuntime & { responsesApi?: boolean }).responsesApi ?? true;
  return {
    name: backend.name,
    providerName: backend.name,
    provider: backend.provider,
    upstream: backend.target,
    model: backend.model,
    auth: authOf(backend, auth, source),
    responsesApi: backend.provider.responsesApi && responsesApi,
    headersTimeoutMs: route.headersTimeoutMs,
    bodyTimeoutMs: route.bodyTimeoutMs,
  };
}

function tablePlan(route: RouteRuntime, table: LlmModelTable, model: string): RoutingPlan {
  const entry = modelEntryFor(table, model);
  if (entry === undefined) {
    throw new GatewayError(404, "model_not_found", `No provider serves the model "${model}".`);
  }
  return {
    requestedModel: model,
    path: { kind: "passthrough" },
    strategy: "single",
    candidates: [candidateOf(route, entry.backend, entry.auth, `llm.models[${entry.pattern}]`)],
    retry: NO_RETRY,
  };
}

/** The plan for a request's model on this route. */
export function planFor(ctx: PipelineContext, model: string): RoutingPlan {
  const router = routerOf(ctx.route);
  if (router !== undefined) return router.plan(model);
  const table = ctx.route.llm;
  if (table !== undefined) return tablePlan(ctx.route, table, model);
  const backend = ctx.backend;
  if (backend === undefined) throw new GatewayError(500, "internal_error", "The route has no AI backend.");
  return {
    requestedModel: model,
    path: { kind: "passthrough" },
    strategy: "single",
    candidates: [candidateOf(ctx.route, backend, ctx.route.backendAuth, "backendAuth.key")],
    retry: NO_RETRY,
  };
}

export type Attempt = (candidate: Candidate) => Promise<AttemptResult>;

const EXECUTE_DEPS: ExecuteDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * Tries the plan's candidates. Interim: the first candidate, once (the routing helper's
 * `executePlan` replaces this with retry and fallback).
 */
export function runPlan(plan: RoutingPlan, attempt: Attempt): Promise<ExecutionOutcome> {
  if (plan.candidates.length === 0) {
    return Promise.reject(
      new GatewayError(404, "model_not_found", `No target serves the model "${plan.requestedModel}".`),
    );
  }
  return executePlan(plan, attempt, EXECUTE_DEPS);
}
