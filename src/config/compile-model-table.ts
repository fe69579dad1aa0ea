/**
 * The llm form's model table for the opaque paths (passthrough, detect): providers' model
 * lists and llm.models entries, most specific first. Parsed route types use the Router.
 */
import { bySpecificity, parseModelPattern } from "../llm/model-pattern.js";
import { providerSpecOf, specOfProvider } from "../llm/providers/registry.js";
import type {
  BackendAuthRuntime,
  LlmModelEntry,
  LlmModelTable,
  OpaqueAuthRuntime,
} from "../runtime/snapshot.js";
import { aiBackend, opaqueAuthOf, resolveKey } from "./compile-backend.js";
import type { Env } from "./credential.js";
import { resolveCredential } from "./credential.js";
import type { LlmConfig, LlmModelConfig, LlmProviderConfig } from "./schema.js";

function managedFirstKey(p: LlmProviderConfig, env: Env): BackendAuthRuntime {
  if (p.passthroughCredential !== "managedFirst" || p.credential === undefined) return undefined;
  const r = resolveCredential(p.credential, env);
  return r.ok ? Object.freeze({ kind: "key", key: r.value }) : undefined;
}

interface RouteAuth {
  readonly auth: BackendAuthRuntime;
  readonly opaque: OpaqueAuthRuntime;
}

/** A provider's managedFirst key, or the route's backendAuth: for parsed and for opaque paths. */
function providerAuth(
  p: LlmProviderConfig | undefined,
  providers: readonly LlmProviderConfig[],
  route: RouteAuth,
  env: Env,
): RouteAuth {
  const key = p === undefined ? undefined : managedFirstKey(p, env);
  if (p === undefined || key === undefined) return route;
  const setting = `llm.providers[${providers.indexOf(p)}].keyOnOpaquePaths`;
  return { auth: key, opaque: opaqueAuthOf(key, p.keyOnOpaquePaths, setting) };
}

function llmModelEntry(
  m: LlmModelConfig,
  i: number,
  providers: readonly LlmProviderConfig[],
  route: RouteAuth,
  env: Env,
): LlmModelEntry {
  const named = providers.find((p) => p.name === m.provider);
  const spec = named === undefined ? providerSpecOf(m.provider) : specOfProvider(named);
  const apiKey = m.params?.apiKey;
  let chosen: RouteAuth;
  if (apiKey === undefined) chosen = providerAuth(named, providers, route, env);
  else {
    const auth = Object.freeze({
      kind: "key" as const,
      key: resolveKey(apiKey, `llm.models[${i}].params.apiKey`, env),
    });
    const setting = `llm.models[${i}].params.keyOnOpaquePaths`;
    chosen = { auth, opaque: opaqueAuthOf(auth, m.params?.keyOnOpaquePaths, setting) };
  }
  const backend = aiBackend(
    named?.name ?? m.provider,
    1,
    spec,
    m.params?.model,
    m.params?.baseUrl ?? named?.baseUrl,
    undefined,
  );
  const { kind: patternKind, value } = parseModelPattern(m.name);
  return Object.freeze({
    pattern: m.name,
    kind: patternKind,
    value,
    backend,
    auth: chosen.auth,
    opaque: chosen.opaque,
    passthrough: m.passthrough ?? "opaque",
  });
}

function providerEntries(
  p: LlmProviderConfig,
  providers: readonly LlmProviderConfig[],
  route: RouteAuth,
  env: Env,
): LlmModelEntry[] {
  if (p.models === undefined) return [];
  const spec = specOfProvider(p);
  const backend = aiBackend(p.name, 1, spec, undefined, p.baseUrl, undefined);
  const { auth, opaque } = providerAuth(p, providers, route, env);
  return p.models.map((name) =>
    Object.freeze({
      pattern: name,
      kind: "exact",
      value: name,
      backend,
      auth,
      opaque,
      passthrough: "opaque",
    }),
  );
}

/** Model entries, most specific first: exact, longest prefix, longest suffix, "*". */
export function compileModelTable(
  llm: LlmConfig,
  routeAuth: BackendAuthRuntime,
  routeOpaque: OpaqueAuthRuntime,
  env: Env,
): LlmModelTable {
  const providers = llm.providers ?? [];
  const route: RouteAuth = { auth: routeAuth, opaque: routeOpaque };
  const list: LlmModelEntry[] = [];
  for (const p of providers) list.push(...providerEntries(p, providers, route, env));
  (llm.models ?? []).forEach((m, i) => {
    list.push(llmModelEntry(m, i, providers, route, env));
  });
  list.sort(bySpecificity);
  const anyEntry = list.find((e) => e.kind === "any");
  return Object.freeze({
    entries: Object.freeze(list),
    defaultEntry: anyEntry ?? (list.length === 1 ? list[0] : undefined),
  });
}
