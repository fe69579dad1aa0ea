/**
 * The LLM pipeline: serves the parsed route types behind the engine's seam. Reads and
 * checks the body, gets the RoutingPlan for its model, and runs the plan with an attempt
 * suited to the route type; the last upstream failure, if every candidate failed, is
 * answered in the caller's envelope.
 */

import type { ExecutionOutcome, RoutingPlan } from "../../runtime/plan.js";
import { routeHeaderValue, routingFields } from "../routing/record-routing.js";
import { pathLabel } from "../routing/resolution.js";
import { readJsonBody } from "./body.js";
import type { LlmPipeline, PipelineContext } from "./context.js";
import { Exchange, type PipelineDeps } from "./exchange.js";
import { geminiPathFields } from "./gemini-path.js";
import { geminiTokenCountAttempt } from "./gemini-token-count.js";
import { llmAttempt, providerFormatOf } from "./llm-attempt.js";
import { answerModels } from "./models.js";
import { type Attempt, planFor, runPlan } from "./plan-source.js";
import { allowedModelFilter, applyRequestPolicies } from "./request-policies.js";
import { embeddingsAttempt, tokenCountAttempt } from "./token-count.js";
import { echoOf } from "./upstream-auth.js";
import { answerFailure } from "./upstream-error.js";

export type { PipelineDeps } from "./exchange.js";

export interface LlmPipelineOptions extends PipelineDeps {
  /** Where plans come from (default: the route's Router, else the runtime's table). */
  plan?: (ctx: PipelineContext, model: string) => RoutingPlan;
  /** How a plan is run (default: the first candidate once; routing passes executePlan). */
  run?: (plan: RoutingPlan, attempt: Attempt) => Promise<ExecutionOutcome>;
}

function attemptFor(x: Exchange): Attempt {
  switch (x.ctx.routeType) {
    case "embeddings":
      return embeddingsAttempt(x);
    case "anthropicTokenCount":
      return tokenCountAttempt(x);
    case "geminiCountTokens":
      return geminiTokenCountAttempt(x);
    default:
      return llmAttempt(x);
  }
}

/**
 * With `llm.routeHeader` on, each attempt labels the response it may produce with
 * `x-agw-route`, so the header names the attempt that answered (or failed last).
 */
function withRouteHeader(ctx: PipelineContext, plan: RoutingPlan, attempt: Attempt): Attempt {
  if (ctx.route.routeHeader !== true) return attempt;
  let attempts = 0;
  return (candidate) => {
    attempts += 1;
    if (!ctx.res.headersSent)
      ctx.res.setHeader("x-agw-route", routeHeaderValue(plan, candidate.name, attempts));
    return attempt(candidate);
  };
}

export function createLlmPipeline(options: LlmPipelineOptions): LlmPipeline {
  const plan = options.plan ?? planFor;
  const run = options.run ?? runPlan;
  const now = options.now ?? Date.now;
  return {
    async handle(ctx) {
      if (ctx.routeType === "models") {
        answerModels(ctx, now(), allowedModelFilter(ctx));
        return;
      }
      const received = await readJsonBody(
        ctx.req,
        ctx.runtime.process.maxRequestBodyBytes,
        ctx.routeType === "generateContent" || ctx.routeType === "geminiCountTokens"
          ? geminiPathFields(ctx.req.url ?? "")
          : undefined,
      );
      ctx.record.model = received.model;
      // The route's LLM request policies (aliases, shaping, guards, token limit) may rewrite it.
      const body = ctx.gateway === undefined ? received : await applyRequestPolicies(ctx, received);
      const x = new Exchange(ctx, options, body);
      const routingPlan = plan(ctx, body.model);
      // Known before the first byte, so the access line has them even if the client leaves.
      const first = routingPlan.candidates[0];
      ctx.record.routingPath = pathLabel(routingPlan.path);
      ctx.record.strategy = routingPlan.strategy;
      if (first !== undefined) ctx.record.target = first.name;
      const outcome = await run(routingPlan, withRouteHeader(ctx, routingPlan, attemptFor(x)));
      Object.assign(ctx.record, routingFields(routingPlan, outcome));
      if (outcome.failure === undefined) return;
      const c = outcome.candidate;
      const upstreamFormat =
        ctx.routeType === "embeddings"
          ? "openai-chat"
          : ctx.routeType === "anthropicTokenCount"
            ? "anthropic-messages"
            : ctx.routeType === "geminiCountTokens"
              ? "gemini"
              : (c.provider.errorFormat ?? providerFormatOf(c, x.clientFormat, x.body.model));
      // Providers echo the key they were sent in auth errors: the caller must not get it.
      x.echo = echoOf(c, x.authorized);
      answerFailure(x, outcome.failure, upstreamFormat === "local" ? x.clientFormat : upstreamFormat);
    },
  };
}
