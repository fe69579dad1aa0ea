/**
 * Bounded metric labels. A label value a caller controls (the model name) would let any
 * client grow the series without limit, so only names the configuration knows are kept and
 * everything else is counted as `other`. The sets are taken from each compiled snapshot and
 * replaced on reload.
 */
import { PROVIDERS } from "../llm/providers/registry.js";
import type { RouteRuntime, Runtime } from "../runtime/snapshot.js";

export const OTHER = "other";

/** The gen_ai.system values of the provider kinds: a provider named like one is labelled as it. */
const KNOWN_SYSTEMS: ReadonlySet<string> = new Set(Object.values(PROVIDERS).map((p) => p.system));

export interface LabelSets {
  /** Exact model names the config mentions (requested or sent upstream). */
  readonly models: ReadonlySet<string>;
  /** Provider or backend name → gen_ai.system value ("openai", "anthropic", ...). */
  readonly systems: ReadonlyMap<string, string>;
  /** Route names. */
  readonly routes: ReadonlySet<string>;
  /** Gateway key names (apiKey.keys[].name). */
  readonly keys?: ReadonlySet<string>;
}

function routesOf(runtime: Runtime): RouteRuntime[] {
  const out = new Set<RouteRuntime>();
  for (const bind of runtime.binds.values()) {
    const listeners = [
      ...bind.exact.values(),
      ...bind.suffixes,
      ...(bind.any === undefined ? [] : [bind.any]),
    ];
    for (const l of listeners) for (const m of l.matches) out.add(m.route);
  }
  return [...out];
}

export function labelSetsOf(runtime: Runtime): LabelSets {
  const models = new Set<string>();
  const systems = new Map<string, string>();
  const routes = new Set<string>();
  const keys = new Set<string>();
  for (const route of routesOf(runtime)) {
    routes.add(route.name);
    for (const k of route.policies?.apiKey?.keys ?? []) keys.add(k.name);
    for (const b of route.backends) {
      if (b.kind !== "ai") continue;
      systems.set(b.name, b.provider.system);
      if (b.model !== undefined) models.add(b.model);
    }
    for (const e of route.llm?.entries ?? []) {
      if (e.kind === "exact") models.add(e.value);
      if (e.backend.model !== undefined) models.add(e.backend.model);
      systems.set(e.backend.name, e.backend.provider.system);
    }
    for (const m of route.router?.models?.() ?? []) models.add(m);
    for (const [name, kind] of route.router?.providerKinds?.() ?? [])
      systems.set(name, PROVIDERS[kind].system);
  }
  return { models, systems, routes, keys };
}

/** A gateway key's name when the config has it ("" without a key). */
export function boundedKey(sets: LabelSets, key: string | undefined): string {
  if (key === undefined) return "";
  return sets.keys?.has(key) === true ? key : OTHER;
}

export function boundedModel(sets: LabelSets, model: string | undefined): string {
  if (model === undefined || model === "") return "";
  return sets.models.has(model) ? model : OTHER;
}

export function boundedRoute(sets: LabelSets, route: string | undefined): string {
  if (route === undefined) return "";
  return sets.routes.has(route) ? route : OTHER;
}

/** The gen_ai.system of a provider name; well-known names map to themselves. */
export function systemOf(sets: LabelSets, provider: string | undefined): string {
  if (provider === undefined) return "";
  const known = sets.systems.get(provider);
  if (known !== undefined) return known;
  const lower = provider.toLowerCase();
  return KNOWN_SYSTEMS.has(lower) ? lower : OTHER;
}

export function boundedProvider(sets: LabelSets, provider: string | undefined): string {
  if (provider === undefined) return "";
  return sets.systems.has(provider) ? provider : systemOf(sets, provider);
}
