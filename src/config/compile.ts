/**
 * Config → Runtime: the one place a validated config becomes the immutable snapshot the
 * engine serves from. Pure (the environment is passed in), and done once per load, so the
 * request path never parses a URL, compiles a regex or resolves a key; for the same reason a
 * config with a Bedrock provider loads the event-stream decoder here. Backends and upstream
 * URL parts are built in compile-backend.ts, the llm form's opaque-path model table in
 * compile-model-table.ts.
 *
 * The loader has already checked shape and semantics; what can still fail here (a
 * credential whose variable vanished between load and compile) throws an Error that names
 * the field, never the value.
 */

import { loadEventStreamDecoder } from "../llm/aws-event-stream.js";
import { compileCatalog, type ModelPrice } from "../llm/catalog/cost.js";
import { configUsesAwsEventStreams } from "../llm/providers/registry.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES, type RouteTypeTable } from "../llm/route-types.js";
import { compileBindsRouter } from "../llm/routing/binds-router.js";
import { compileLlmRouter } from "../llm/routing/compile-router.js";
import { compilePolicies, type PolicyDeps } from "../policies/compile.js";
import { DEFAULT_CLIENT_LIMITS } from "../runtime/client-limits.js";
import type { Router } from "../runtime/plan.js";
import type {
  BackendAuthRuntime,
  BackendRuntime,
  BindRuntime,
  CompiledMatch,
  ListenerRuntime,
  LlmModelTable,
  OpaqueAuthRuntime,
  RouteRuntime,
  Runtime,
} from "../runtime/snapshot.js";
import type { UpstreamTarget } from "../runtime/upstream.js";
import { backendAuthOf, compileBackend, cumulative, opaqueAuthOf } from "./compile-backend.js";
import { compileMatch, sortMatches } from "./compile-match.js";
import { compileModelTable } from "./compile-model-table.js";
import type { Env } from "./credential.js";
import { parseDuration, parseSize } from "./duration.js";
import type {
  BindConfig,
  Config,
  LlmConfig,
  ModelPriceConfig,
  PoliciesConfig,
  RouteConfig,
  RouteTypeName,
} from "./schema.js";

export interface CompileOptions {
  env: Env;
  /** The random source of weighted routing (Math.random when absent). */
  random?: () => number;
  /** Clock, webhook transport and the like for the compiled policies. */
  policyDeps?: PolicyDeps;
}

const DEFAULT_LLM_PORT = 4000;
const DEFAULT_ADDRESS = "0.0.0.0";
const DEFAULT_REQUEST_TIMEOUT = "300s";
const DEFAULT_STREAM_IDLE_TIMEOUT = "60s";

interface RouteParts {
  name: string;
  listenerName: string;
  port: number;
  backends: readonly BackendRuntime[];
  policies: PoliciesConfig | undefined;
  backendAuth: BackendAuthRuntime;
  opaqueAuth: OpaqueAuthRuntime;
  routeTypes: RouteTypeTable | undefined;
  llm: LlmModelTable | undefined;
  router: Router | undefined;
  routeHeader?: boolean;
  policyDeps: PolicyDeps | undefined;
  /** Where the route is in the file: names its rate-limit buckets the same in every worker. */
  scope: string;
}

function makeRoute(parts: RouteParts): RouteRuntime {
  const cw = cumulative(parts.backends);
  const t = parts.policies?.timeout;
  const { router, policyDeps, scope, ...rest } = parts;
  return Object.freeze({
    ...rest,
    ...(router === undefined ? {} : { router }),
    ...(parts.policies === undefined ? {} : { policy: compilePolicies(parts.policies, policyDeps, scope) }),
    backends: Object.freeze([...parts.backends]),
    cumulativeWeights: Object.freeze(cw),
    totalWeight: cw[cw.length - 1] ?? 0,
    policies: parts.policies === undefined ? undefined : deepFreeze(structuredClone(parts.policies)),
    headersTimeoutMs: parseDuration(t?.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT),
    bodyTimeoutMs: parseDuration(t?.streamIdleTimeout ?? DEFAULT_STREAM_IDLE_TIMEOUT),
  });
}

function compileBindRoute(
  r: RouteConfig,
  field: string,
  listenerName: string,
  port: number,
  env: Env,
  index: number,
  random: () => number,
  policyDeps: PolicyDeps | undefined,
): RouteRuntime {
  const backends = r.backends.map(compileBackend);
  const hasAi = backends.some((b) => b.kind === "ai");
  const name = r.name ?? `route${index}`;
  const backendAuth = backendAuthOf(r.policies, `${field}.policies`, env);
  return makeRoute({
    name,
    listenerName,
    port,
    backends,
    policies: r.policies,
    backendAuth,
    opaqueAuth: opaqueAuthOf(
      backendAuth,
      r.policies?.backendAuth?.keyOnOpaquePaths,
      `${field}.policies.backendAuth.keyOnOpaquePaths`,
    ),
    routeTypes: hasAi ? compileRouteTypes(r.policies?.ai?.routes ?? LLM_DEFAULT_ROUTES) : undefined,
    llm: undefined,
    router: hasAi ? compileBindsRouter(r, name, field, env, random) : undefined,
    policyDeps,
    scope: field,
  });
}

function makeListener(
  name: string,
  hostname: string | undefined,
  routes: ReadonlyArray<{ route: RouteRuntime; matches: RouteConfig["matches"] }>,
): ListenerRuntime {
  const pairs: Array<{ m: CompiledMatch; order: number }> = [];
  let order = 0;
  for (const { route, matches } of routes) {
    if (matches === undefined || matches.length === 0)
      pairs.push({ m: compileMatch(undefined, route), order: order++ });
    else for (const m of matches) pairs.push({ m: compileMatch(m, route), order: order++ });
  }
  const lower = hostname?.toLowerCase();
  return Object.freeze({
    name,
    hostKind: lower === undefined ? "any" : lower.startsWith("*.") ? "suffix" : "exact",
    host: lower === undefined ? "" : lower.startsWith("*.") ? lower.slice(1) : lower,
    matches: Object.freeze(sortMatches(pairs)),
  });
}

function makeBind(port: number, address: string, listeners: ListenerRuntime[]): BindRuntime {
  const exact = new Map<string, ListenerRuntime>();
  const suffixes: ListenerRuntime[] = [];
  let any: ListenerRuntime | undefined;
  // The first listener written wins among equals.
  for (const l of listeners) {
    if (l.hostKind === "exact") {
      if (!exact.has(l.host)) exact.set(l.host, l);
    } else if (l.hostKind === "suffix") suffixes.push(l);
    else any ??= l;
  }
  suffixes.sort((a, b) => b.host.length - a.host.length);
  return Object.freeze({ port, address, exact, suffixes: Object.freeze(suffixes), any });
}

function compileBind(
  b: BindConfig,
  bi: number,
  env: Env,
  random: () => number,
  policyDeps: PolicyDeps | undefined,
): BindRuntime {
  const listeners = b.listeners.map((l, li) => {
    const lname = l.name ?? `listener${li}`;
    const routes = l.routes.map((r, ri) => ({
      route: compileBindRoute(
        r,
        `binds[${bi}].listeners[${li}].routes[${ri}]`,
        lname,
        b.port,
        env,
        ri,
        random,
        policyDeps,
      ),
      matches: r.matches,
    }));
    return makeListener(lname, l.hostname, routes);
  });
  return makeBind(b.port, b.address ?? DEFAULT_ADDRESS, listeners);
}

function compileLlmBind(
  llm: LlmConfig,
  env: Env,
  random: () => number,
  policyDeps: PolicyDeps | undefined,
): BindRuntime {
  const port = llm.port ?? DEFAULT_LLM_PORT;
  const routeAuth = backendAuthOf(llm.policies, "llm.policies", env);
  const routeOpaque = opaqueAuthOf(
    routeAuth,
    llm.policies?.backendAuth?.keyOnOpaquePaths,
    "llm.policies.backendAuth.keyOnOpaquePaths",
  );
  const table = compileModelTable(llm, routeAuth, routeOpaque, env);
  const custom = llm.policies?.ai?.routes;
  const map: Record<string, RouteTypeName> = { ...LLM_DEFAULT_ROUTES, ...custom };
  // "*" follows the default model entry's `passthrough` unless the policy names it.
  const star: RouteTypeName | undefined =
    custom?.["*"] === undefined && table.defaultEntry?.passthrough === "detect" ? "detect" : undefined;
  const backends = [...new Set(table.entries.map((e) => e.backend))];
  const route = makeRoute({
    name: "llm",
    listenerName: "llm",
    port,
    backends,
    policies: llm.policies,
    backendAuth: routeAuth,
    opaqueAuth: routeOpaque,
    routeTypes: compileRouteTypes(map, star),
    llm: table,
    router: compileLlmRouter(llm, { env, random }),
    routeHeader: llm.routeHeader ?? false,
    policyDeps,
    scope: "llm",
  });
  return makeBind(port, llm.address ?? DEFAULT_ADDRESS, [
    makeListener("llm", undefined, [{ route, matches: undefined }]),
  ]);
}

// ---------------------------------------------------------------------------------------

export function compileConfig(config: Config, options: CompileOptions): Runtime {
  const env = options.env;
  const random = options.random ?? Math.random;
  const binds = new Map<number, BindRuntime>();
  (config.binds ?? []).forEach((b, i) => {
    if (binds.has(b.port))
      throw new Error(`binds[${i}].port: port ${b.port} is already used by another bind`);
    binds.set(b.port, compileBind(b, i, env, random, options.policyDeps));
  });
  if (config.llm !== undefined) {
    const bind = compileLlmBind(config.llm, env, random, options.policyDeps);
    if (binds.has(bind.port)) throw new Error(`llm.port: port ${bind.port} is already used by a bind`);
    binds.set(bind.port, bind);
  }
  const upstreams = new Map<string, UpstreamTarget>();
  for (const bind of binds.values()) {
    for (const l of [...bind.exact.values(), ...bind.suffixes, ...(bind.any ? [bind.any] : [])]) {
      for (const m of l.matches) {
        for (const b of m.route.backends)
          if (b.target !== undefined) upstreams.set(b.target.poolKey, b.target);
        for (const t of m.route.router?.upstreams?.() ?? [])
          if (!upstreams.has(t.poolKey)) upstreams.set(t.poolKey, t);
      }
    }
  }
  if (configUsesAwsEventStreams(config)) loadEventStreamDecoder();
  const p = config.config;
  return Object.freeze({
    binds,
    upstreams,
    catalog: compileCatalog(modelPrices(p?.modelCatalog)),
    process: Object.freeze({
      drainTimeoutMs: parseDuration(p?.drainTimeout ?? "30s"),
      maxRequestBodyBytes: parseSize(p?.maxRequestBody ?? "2MiB"),
      maxUpstreamResponseBytes: parseSize(p?.maxUpstreamResponse ?? "32MiB"),
      maxUpstreamEventBytes: parseSize(p?.maxUpstreamEvent ?? "16MiB"),
      clientLimits: Object.freeze({
        headersTimeoutMs: parseDuration(p?.clientHeadersTimeout ?? "30s"),
        requestTimeoutMs: parseDuration(p?.clientRequestTimeout ?? "300s"),
        maxHeaderSize: parseSize(p?.maxHeaderSize ?? "16KiB"),
        maxHeaders: p?.maxHeaders ?? DEFAULT_CLIENT_LIMITS.maxHeaders,
      }),
      readinessAddr: p?.readinessAddr,
      logLevel: p?.logging?.level ?? "info",
      logFormat: p?.logging?.format ?? "json",
    }),
  });
}

/** config.modelCatalog with the cache prices filled in (input's when absent). */
function modelPrices(
  cfg: Readonly<Record<string, ModelPriceConfig>> | undefined,
): Record<string, ModelPrice> {
  const out: Record<string, ModelPrice> = {};
  for (const [model, p] of Object.entries(cfg ?? {})) {
    out[model] = {
      input: p.input,
      output: p.output,
      cacheRead: p.cacheRead ?? p.input,
      cacheWrite: p.cacheWrite ?? p.input,
    };
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
