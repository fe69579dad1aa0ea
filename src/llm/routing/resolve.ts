/**
 * The resolution order (DESIGN.md "Model resolution"). A prefix decides alone:
 * `provider::model` (passthrough to that configured provider, whatever claims the model),
 * `route::name`, `function::name`; an unknown name after a prefix is a 404. Without one:
 * function of that name → route listing the model → provider listing it (passthrough) →
 * pattern llm.models entries, most specific first → 404 model_not_found.
 */

import { GatewayError } from "../../errors.js";
import type { Candidate, RoutingPlan } from "../../runtime/plan.js";
import { matchesModel } from "../model-pattern.js";
import type { Member, Resolution } from "./resolution.js";
import { applyStrategy, type RandomSource } from "./strategy.js";
import type { FunctionEntry, ProviderEntry, RouteEntry, RouterTables } from "./tables.js";

export const PREFIX_SEPARATOR = "::";

function notFound(message: string): GatewayError {
  return new GatewayError(404, "model_not_found", message);
}

export function passthroughCandidate(p: ProviderEntry, model: string): Candidate {
  return Object.freeze({
    name: p.name,
    providerName: p.name,
    provider: p.spec,
    upstream: p.upstream,
    model,
    auth: p.passthrough,
    responsesApi: p.responsesApi,
    headersTimeoutMs: p.headersTimeoutMs,
    bodyTimeoutMs: p.bodyTimeoutMs,
  });
}

function passthrough(
  tables: RouterTables,
  requested: string,
  p: ProviderEntry,
  model: string,
  layer: "provider" | "providerPrefix",
): Resolution {
  return {
    requestedModel: requested,
    layer,
    path: { kind: "passthrough" },
    strategy: "single",
    members: [{ kind: "candidate", weight: 1, candidate: passthroughCandidate(p, model) }],
    retry: tables.retry,
  };
}

function fromRoute(requested: string, r: RouteEntry, prefixed: boolean): Resolution {
  return {
    requestedModel: requested,
    layer: prefixed ? "routePrefix" : r.layer,
    path: r.path,
    strategy: r.strategy,
    members: r.members,
    retry: r.retry,
    ...(r.pattern === undefined ? {} : { pattern: r.pattern }),
  };
}

function fromFunction(requested: string, f: FunctionEntry, prefixed: boolean): Resolution {
  return {
    requestedModel: requested,
    layer: prefixed ? "functionPrefix" : "function",
    path: { kind: "function", name: f.name },
    strategy: f.strategy,
    members: f.members,
    retry: f.retry,
  };
}

function resolvePrefixed(tables: RouterTables, model: string, prefix: string, rest: string): Resolution {
  if (prefix === "route") {
    const r = tables.routesByName.get(rest);
    if (r === undefined) throw notFound(`No route named "${rest}" is configured (model "${model}").`);
    return fromRoute(model, r, true);
  }
  if (prefix === "function") {
    const f = tables.functions.get(rest);
    if (f === undefined) throw notFound(`No function named "${rest}" is configured (model "${model}").`);
    return fromFunction(model, f, true);
  }
  const p = tables.providers.get(prefix);
  if (p === undefined) throw notFound(`No provider named "${prefix}" is configured (model "${model}").`);
  if (rest === "") throw notFound(`The model "${model}" names provider "${prefix}" but no model after "::".`);
  return passthrough(tables, model, p, rest, "providerPrefix");
}

/**
 * How `model` resolves. `skipFunctions` holds the functions being expanded, so a function
 * whose models include its own name resolves that name past the function layer.
 */
export function resolveModel(
  tables: RouterTables,
  model: string,
  skipFunctions: ReadonlySet<string> = new Set(),
): Resolution {
  const sep = model.indexOf(PREFIX_SEPARATOR);
  if (sep >= 0) {
    return resolvePrefixed(tables, model, model.slice(0, sep), model.slice(sep + PREFIX_SEPARATOR.length));
  }
  const f = skipFunctions.has(model) ? undefined : tables.functions.get(model);
  if (f !== undefined) return fromFunction(model, f, false);
  const r = tables.routesByModel.get(model);
  if (r !== undefined) return fromRoute(model, r, false);
  const p = tables.providersByModel.get(model);
  if (p !== undefined) return passthrough(tables, model, p, model, "provider");
  for (const e of tables.patterns) {
    if (!matchesModel(e, model)) continue;
    return {
      requestedModel: model,
      layer: "modelPattern",
      path: { kind: "passthrough" },
      strategy: "single",
      members: [{ kind: "candidate", weight: 1, candidate: e.candidateFor(model) }],
      retry: tables.retry,
      pattern: e.pattern,
    };
  }
  throw notFound(`The model "${model}" is not served by this gateway.`);
}

function chosenCandidates(
  members: readonly Member[],
  strategy: Resolution["strategy"],
  random: RandomSource,
): Candidate[] {
  const out: Candidate[] = [];
  for (const m of applyStrategy(strategy, members, random)) {
    if (m.kind === "candidate") out.push(m.candidate);
    else out.push(...chosenCandidates(m.resolution.members, m.resolution.strategy, random));
  }
  // single and weighted never move on: one candidate, whatever a nested model expanded to.
  return strategy === "fallback" ? out : out.slice(0, 1);
}

/** The plan for one request: the strategy applied (a weighted draw happens here). */
export function planFrom(res: Resolution, random: RandomSource): RoutingPlan {
  return Object.freeze({
    requestedModel: res.requestedModel,
    path: res.path,
    strategy: res.strategy,
    candidates: Object.freeze(chosenCandidates(res.members, res.strategy, random)),
    retry: res.retry,
  });
}
