/**
 * LlmConfig + environment → Router, once per config. Providers, targets, routes (explicit,
 * then one per bare target), functions and llm.models entries become lookup tables; keys are
 * resolved here, so a request only looks names up and, for `weighted`, draws a number.
 */

import type { Env } from "../../config/credential.js";
import { parseDuration } from "../../config/duration.js";
import { targetProvider } from "../../config/provider-kind.js";
import type {
  LlmConfig,
  LlmFunctionConfig,
  LlmModelConfig,
  LlmProviderConfig,
  LlmTargetConfig,
  ProviderKindName,
} from "../../config/schema.js";
import type { Candidate, CandidateAuth, Router } from "../../runtime/plan.js";
import type { UpstreamTarget } from "../../runtime/upstream.js";
import { bySpecificity, parseModelPattern } from "../model-pattern.js";
import { providerSpecOf, specOfProvider } from "../providers/registry.js";
import { upstreamBaseUrl } from "../providers/spec.js";
import { managedTargetAuth, passthroughAuth, requireKey } from "./credentials.js";
import type { Member, Resolution } from "./resolution.js";
import { planFrom, resolveModel } from "./resolve.js";
import { retryPolicy } from "./retry-policy.js";
import type { RandomSource } from "./strategy.js";
import type { FunctionEntry, PatternEntry, ProviderEntry, RouteEntry, RouterTables } from "./tables.js";
import { compileUpstream } from "./upstream.js";

export const DEFAULT_HEADERS_TIMEOUT = "300s";
export const DEFAULT_STREAM_IDLE_TIMEOUT = "60s";

/** The router, plus what /v1/models and `agw explain` need. */
export interface LlmRouter extends Router {
  /** Every model name a request may use without a prefix, in resolution order. */
  models(): readonly string[];
  upstreams(): readonly UpstreamTarget[];
  providerKinds(): ReadonlyMap<string, ProviderKindName>;
  /** How `model` resolves, before any weighted draw; throws like `plan`. */
  describe(model: string): Resolution;
}

export interface RouterDeps {
  readonly env: Env;
  readonly random: RandomSource;
}

function compileProvider(p: LlmProviderConfig, llm: LlmConfig, env: Env): ProviderEntry {
  const spec = specOfProvider(p);
  const t = llm.policies?.timeout;
  return Object.freeze({
    name: p.name,
    spec,
    upstream: compileUpstream(upstreamBaseUrl(spec, p.baseUrl)),
    passthrough: passthroughAuth(p, env),
    responsesApi: spec.responsesApi && (p.responsesApi ?? true),
    headersTimeoutMs: parseDuration(p.timeout ?? t?.requestTimeout ?? DEFAULT_HEADERS_TIMEOUT),
    bodyTimeoutMs: parseDuration(p.streamIdleTimeout ?? t?.streamIdleTimeout ?? DEFAULT_STREAM_IDLE_TIMEOUT),
  });
}

function targetCandidate(
  t: LlmTargetConfig,
  llm: LlmConfig,
  providers: ReadonlyMap<string, ProviderEntry>,
  env: Env,
): Candidate {
  const found = targetProvider(llm, t);
  if (found.kind !== "found") {
    throw new Error(`targets.${t.name}: cannot tell which provider serves model "${t.model}"`);
  }
  const p = providers.get(found.provider.name);
  if (p === undefined) throw new Error(`targets.${t.name}: unknown provider "${found.provider.name}"`);
  return Object.freeze({
    name: t.name,
    providerName: p.name,
    provider: p.spec,
    upstream: p.upstream,
    model: t.model,
    auth: managedTargetAuth(t, found.provider, env),
    responsesApi: p.responsesApi,
    headersTimeoutMs: t.timeout === undefined ? p.headersTimeoutMs : parseDuration(t.timeout),
    bodyTimeoutMs: p.bodyTimeoutMs,
  });
}

type TargetMembers = ReadonlyMap<string, Member & { kind: "candidate" }>;

function membersOf(names: readonly string[], targets: TargetMembers, where: string): Member[] {
  return names.map((n) => {
    const m = targets.get(n);
    if (m === undefined) throw new Error(`${where}: unknown target "${n}"`);
    return m;
  });
}

/** An llm.models entry's provider, key and upstream; the model is filled in per request. */
function modelEntryCandidate(
  m: LlmModelConfig,
  i: number,
  llm: LlmConfig,
  providers: ReadonlyMap<string, ProviderEntry>,
  env: Env,
): (model: string) => Candidate {
  const named = providers.get(m.provider);
  const spec = named?.spec ?? providerSpecOf(m.provider);
  const baseUrl = m.params?.baseUrl;
  const upstream =
    baseUrl === undefined
      ? (named?.upstream ?? compileUpstream(upstreamBaseUrl(spec, undefined)))
      : compileUpstream(upstreamBaseUrl(spec, baseUrl));
  const routeKey = llm.policies?.backendAuth?.key;
  let auth: CandidateAuth;
  if (m.params?.apiKey !== undefined) {
    auth = { kind: "managed", ...requireKey(m.params.apiKey, `models[${i}].params.apiKey`, env) };
  } else if (routeKey !== undefined) {
    auth = { kind: "managed", ...requireKey(routeKey, "policies.backendAuth.key", env) };
  } else if (named !== undefined) {
    auth = named.passthrough;
  } else {
    auth = spec.usesKey ? { kind: "caller" } : { kind: "none" };
  }
  const t = llm.policies?.timeout;
  const base = {
    name: named?.name ?? m.provider,
    providerName: named?.name ?? m.provider,
    provider: spec,
    upstream,
    auth: Object.freeze(auth),
    responsesApi: named?.responsesApi ?? spec.responsesApi,
    headersTimeoutMs: named?.headersTimeoutMs ?? parseDuration(t?.requestTimeout ?? DEFAULT_HEADERS_TIMEOUT),
    bodyTimeoutMs: named?.bodyTimeoutMs ?? parseDuration(t?.streamIdleTimeout ?? DEFAULT_STREAM_IDLE_TIMEOUT),
  };
  const fixed = m.params?.model;
  const cap = m.params?.maxOutputTokens;
  const withCap = cap === undefined ? base : { ...base, maxOutputTokens: cap };
  return (model) => Object.freeze({ ...withCap, model: fixed ?? model });
}

const route = (r: RouteEntry): RouteEntry => Object.freeze(r);

/** Builds the lookup tables; throws an Error naming the field for what the loader let through. */
export function compileRouterTables(llm: LlmConfig, env: Env): RouterTables {
  const defaultRetry = retryPolicy(llm.policies?.retry);
  const providers = new Map<string, ProviderEntry>();
  for (const p of llm.providers ?? []) providers.set(p.name, compileProvider(p, llm, env));

  const targets = new Map<string, Member & { kind: "candidate" }>();
  for (const t of llm.targets ?? []) {
    const candidate = targetCandidate(t, llm, providers, env);
    targets.set(t.name, Object.freeze({ kind: "candidate", weight: t.weight ?? 1, candidate }));
  }

  const routesByName = new Map<string, RouteEntry>();
  const routesByModel = new Map<string, RouteEntry>();
  const claim = (model: string, r: RouteEntry) => {
    if (!routesByModel.has(model)) routesByModel.set(model, r);
  };
  const routed = new Set<string>();
  for (const r of llm.routes ?? []) {
    const entry = route({
      name: r.name,
      layer: "route",
      path: { kind: "route", name: r.name },
      strategy: r.strategy ?? "single",
      members: Object.freeze(membersOf(r.targets, targets, `routes.${r.name}`)),
      retry: r.retry === undefined ? defaultRetry : retryPolicy(r.retry),
    });
    routesByName.set(r.name, entry);
    for (const m of r.models) claim(m, entry);
    for (const t of r.targets) routed.add(t);
  }
  // Every target serves its own model unless an explicit route claims that model ("models
  // with a matching target or route use gateway-owned credentials"), even when routes or
  // functions also use it. Targets no route uses claim first, so a target that is only a
  // fallback member never takes a model from one that stands alone (check-llm-claims.ts).
  const bare = (t: { name: string; model: string }): void => {
    const member = targets.get(t.name);
    if (member === undefined) return;
    const entry = route({
      name: t.name,
      layer: "bareTarget",
      path: { kind: "route", name: t.name },
      strategy: "single",
      members: Object.freeze([member]),
      retry: defaultRetry,
    });
    if (!routesByName.has(t.name)) routesByName.set(t.name, entry);
    claim(t.model, entry);
  };
  for (const t of llm.targets ?? []) if (!routed.has(t.name)) bare(t);
  for (const t of llm.targets ?? []) if (routed.has(t.name)) bare(t);

  const patterns: PatternEntry[] = [];
  (llm.models ?? []).forEach((m, i) => {
    const candidateFor = modelEntryCandidate(m, i, llm, providers, env);
    const { kind, value } = parseModelPattern(m.name);
    if (kind !== "exact") {
      patterns.push(Object.freeze({ pattern: m.name, kind, value, candidateFor }));
      return;
    }
    claim(
      m.name,
      route({
        name: m.name,
        layer: "modelEntry",
        path: { kind: "passthrough" },
        strategy: "single",
        members: Object.freeze([{ kind: "candidate", weight: 1, candidate: candidateFor(m.name) }]),
        retry: defaultRetry,
        pattern: m.name,
      }),
    );
  });
  patterns.sort(bySpecificity);

  const providersByModel = new Map<string, ProviderEntry>();
  for (const p of llm.providers ?? []) {
    const entry = providers.get(p.name);
    if (entry === undefined) continue;
    for (const m of p.models ?? []) if (!providersByModel.has(m)) providersByModel.set(m, entry);
  }

  const functions = new Map<string, FunctionEntry>();
  const tables: RouterTables = {
    providers,
    functions,
    routesByName,
    routesByModel,
    providersByModel,
    patterns: Object.freeze(patterns),
    retry: defaultRetry,
  };
  // Target functions first: a function over models may name one of them.
  const fns = llm.functions ?? [];
  for (const f of fns)
    if (f.targets !== undefined) functions.set(f.name, functionEntry(f, targets, tables, defaultRetry));
  for (const f of fns)
    if (f.targets === undefined) functions.set(f.name, functionEntry(f, targets, tables, defaultRetry));
  return Object.freeze(tables);
}

function functionEntry(
  f: LlmFunctionConfig,
  targets: TargetMembers,
  tables: RouterTables,
  defaultRetry: RouterTables["retry"],
): FunctionEntry {
  const where = `functions.${f.name}`;
  let members: Member[];
  if (f.targets !== undefined) {
    members = membersOf(f.targets, targets, where);
  } else {
    members = (f.models ?? []).map((model) => {
      let resolution: Resolution;
      try {
        resolution = resolveModel(tables, model, new Set([f.name]));
      } catch (e) {
        throw new Error(`${where}: model "${model}" does not resolve: ${(e as Error).message}`);
      }
      return Object.freeze({ kind: "model" as const, weight: 1, model, resolution });
    });
  }
  return Object.freeze({
    name: f.name,
    strategy: f.strategy ?? "single",
    members: Object.freeze(members),
    retry: f.retry === undefined ? defaultRetry : retryPolicy(f.retry),
  });
}

function modelList(tables: RouterTables): string[] {
  const out = new Set<string>();
  for (const name of tables.functions.keys()) out.add(name);
  for (const model of tables.routesByModel.keys()) out.add(model);
  for (const model of tables.providersByModel.keys()) out.add(model);
  return [...out];
}

function upstreamList(tables: RouterTables): UpstreamTarget[] {
  const out = new Map<string, UpstreamTarget>();
  const add = (u: UpstreamTarget | undefined) => {
    if (u !== undefined && !out.has(u.poolKey)) out.set(u.poolKey, u);
  };
  const addMembers = (members: readonly Member[]) => {
    for (const m of members) {
      if (m.kind === "candidate") add(m.candidate.upstream);
      else addMembers(m.resolution.members);
    }
  };
  for (const p of tables.providers.values()) add(p.upstream);
  for (const r of tables.routesByName.values()) addMembers(r.members);
  for (const r of tables.routesByModel.values()) addMembers(r.members);
  for (const f of tables.functions.values()) addMembers(f.members);
  for (const e of tables.patterns) add(e.candidateFor("").upstream);
  return [...out.values()];
}

/** Provider name → kind for every provider a plan can name (configured ones and model entries). */
function providerKindList(tables: RouterTables): ReadonlyMap<string, ProviderKindName> {
  const out = new Map<string, ProviderKindName>();
  const addMembers = (members: readonly Member[]): void => {
    for (const m of members) {
      if (m.kind === "candidate") out.set(m.candidate.providerName, m.candidate.provider.kind);
      else addMembers(m.resolution.members);
    }
  };
  for (const p of tables.providers.values()) out.set(p.name, p.spec.kind);
  for (const r of tables.routesByModel.values()) addMembers(r.members);
  for (const f of tables.functions.values()) addMembers(f.members);
  for (const e of tables.patterns) {
    const c = e.candidateFor("");
    out.set(c.providerName, c.provider.kind);
  }
  return out;
}

export function routerFromTables(tables: RouterTables, random: RandomSource): LlmRouter {
  const models = Object.freeze(modelList(tables));
  const upstreams = Object.freeze(upstreamList(tables));
  const kinds = providerKindList(tables);
  return Object.freeze({
    plan: (model: string) => planFrom(resolveModel(tables, model), random),
    describe: (model: string) => resolveModel(tables, model),
    models: () => models,
    upstreams: () => upstreams,
    providerKinds: () => kinds,
  });
}

/** The router of the llm form. */
export function compileLlmRouter(llm: LlmConfig, deps: RouterDeps): LlmRouter {
  return routerFromTables(compileRouterTables(llm, deps.env), deps.random);
}
