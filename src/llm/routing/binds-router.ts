/**
 * The binds form's router: one per route with ai backends. The route's ai backends are the
 * targets (weighted by `weight` when there are several), with the route's `retry` policy,
 * timeouts and `backendAuth`. A backend that names a model sends that model upstream.
 */

import type { Env } from "../../config/credential.js";
import { parseDuration } from "../../config/duration.js";
import type { ProviderKindName, RouteConfig } from "../../config/schema.js";
import type { Candidate, CandidateAuth, RoutingPath } from "../../runtime/plan.js";
import { chosenProvider } from "../providers/registry.js";
import { upstreamBaseUrl } from "../providers/spec.js";
import { DEFAULT_HEADERS_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT, type LlmRouter } from "./compile-router.js";
import { requireKey } from "./credentials.js";
import type { Member, Resolution } from "./resolution.js";
import { planFrom } from "./resolve.js";
import { retryPolicy } from "./retry-policy.js";
import type { RandomSource } from "./strategy.js";
import { compileUpstream } from "./upstream.js";

/** Undefined when the route has no ai backend. `field` locates the route in error messages. */
export function compileBindsRouter(
  route: RouteConfig,
  routeName: string,
  field: string,
  env: Env,
  random: RandomSource,
): LlmRouter | undefined {
  const policies = route.policies;
  const key = policies?.backendAuth?.key;
  const managed: CandidateAuth | undefined =
    key === undefined
      ? undefined
      : Object.freeze({ kind: "managed", ...requireKey(key, `${field}.policies.backendAuth.key`, env) });
  const headersTimeoutMs = parseDuration(policies?.timeout?.requestTimeout ?? DEFAULT_HEADERS_TIMEOUT);
  const bodyTimeoutMs = parseDuration(policies?.timeout?.streamIdleTimeout ?? DEFAULT_STREAM_IDLE_TIMEOUT);
  const backends = route.backends.flatMap((b) => {
    if (b.ai === undefined) return [];
    const ai = b.ai;
    const { spec, model, responsesApi } = chosenProvider(ai.provider);
    const token: CandidateAuth | undefined =
      spec.authorizer === undefined
        ? undefined
        : Object.freeze({ kind: "authorizer", authorizer: spec.authorizer, source: spec.authorizer.source });
    const auth: CandidateAuth = !spec.usesKey
      ? { kind: "none" }
      : (managed ?? token ?? Object.freeze({ kind: "caller" as const }));
    const base = {
      name: ai.name,
      providerName: ai.name,
      provider: spec,
      upstream: compileUpstream(upstreamBaseUrl(spec, ai.baseUrl), ai.hostOverride),
      auth,
      responsesApi,
      headersTimeoutMs,
      bodyTimeoutMs,
    };
    return [{ weight: b.weight ?? 1, base, model }];
  });
  if (backends.length === 0) return undefined;
  const path: RoutingPath =
    managed === undefined ? { kind: "passthrough" } : { kind: "route", name: routeName };
  const retry = retryPolicy(policies?.retry);
  const strategy = backends.length > 1 ? "weighted" : "single";
  const describe = (model: string): Resolution => ({
    requestedModel: model,
    layer: "bindsRoute",
    path,
    strategy,
    retry,
    members: backends.map(
      (b): Member => ({
        kind: "candidate",
        weight: b.weight,
        candidate: Object.freeze({ ...b.base, model: b.model ?? model }) satisfies Candidate,
      }),
    ),
  });
  const upstreams = Object.freeze(
    backends.flatMap((b) => (b.base.upstream === undefined ? [] : [b.base.upstream])),
  );
  const models = Object.freeze([
    ...new Set(backends.flatMap((b) => (b.model === undefined ? [] : [b.model]))),
  ]);
  const kinds: ReadonlyMap<string, ProviderKindName> = new Map(
    backends.map((b) => [b.base.providerName, b.base.provider.kind]),
  );
  return Object.freeze({
    plan: (model: string) => planFrom(describe(model), random),
    describe,
    models: () => models,
    upstreams: () => upstreams,
    providerKinds: () => kinds,
  });
}
