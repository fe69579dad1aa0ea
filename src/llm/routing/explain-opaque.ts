/**
 * What `agw explain --path` says about a path passed through unparsed (passthrough, detect):
 * which upstream it goes to and which credential it carries. The model routing the targets
 * describe does not apply there, and the managed key goes only where keyOnOpaquePaths lends it,
 * so this mirrors the compiled model table's choice (config/compile-model-table.ts) from the file.
 */
import { type Env, resolveCredential } from "../../config/credential.js";
import type { LlmConfig, LlmProviderConfig, PoliciesConfig } from "../../config/schema.js";

/** Where an opaque request goes and what it carries, in words (never a key). */
export interface OpaqueExplanation {
  /** The upstream's name, or undefined when the path cannot be served (no default model entry). */
  readonly upstream: string | undefined;
  readonly credential: string;
  /** A note on gateway keys limited by allowedModels, when the route has an apiKey policy. */
  readonly keys: string | undefined;
}

interface Lendable {
  /** The config field that holds the managed key. */
  readonly source: string;
  readonly lent: boolean;
  readonly setting: string;
}

const CALLERS_OWN = "the caller's own (Authorization or x-api-key), as sent";

function credentialText(l: Lendable | undefined): string {
  if (l === undefined) return CALLERS_OWN;
  if (l.lent)
    return `${l.source} (managed: lent to these paths by ${l.setting}; the caller's key is not sent)`;
  return `${CALLERS_OWN}; 401 without one (${l.source} is not sent here: set ${l.setting}: true to lend it)`;
}

function keysText(policies: PoliciesConfig | undefined): string | undefined {
  const apiKey = policies?.apiKey;
  if (apiKey === undefined) return undefined;
  const limited = apiKey.keys.filter((k) => k.allowedModels !== undefined && !k.allowedModels.includes("*"));
  if (limited.length === 0) return undefined;
  const refused = limited.filter((k) => !(k.allowOpaquePaths ?? apiKey.allowOpaquePaths ?? false));
  if (refused.length === 0) return "keys limited by allowedModels may use them (allowOpaquePaths)";
  return `403 for ${refused.map((k) => `"${k.name}"`).join(", ")} (allowedModels limits the key; allowOpaquePaths: true allows it)`;
}

function backendAuthLendable(policies: PoliciesConfig | undefined, field: string): Lendable | undefined {
  const auth = policies?.backendAuth;
  if (auth?.key === undefined) return undefined;
  return {
    source: `${field}.backendAuth.key`,
    lent: auth.keyOnOpaquePaths === true,
    setting: `${field}.backendAuth.keyOnOpaquePaths`,
  };
}

/** A binds route with ai backends: its backendAuth, on every opaque path. */
export function explainBindsOpaque(policies: PoliciesConfig | undefined, field: string): OpaqueExplanation {
  return {
    upstream: "the route's ai backends, by weight",
    credential: credentialText(backendAuthLendable(policies, `${field}.policies`)),
    keys: keysText(policies),
  };
}

type Entry =
  | { readonly kind: "model"; readonly index: number; readonly provider: string; readonly star: boolean }
  | { readonly kind: "provider"; readonly provider: LlmProviderConfig };

function providerLendable(
  p: LlmProviderConfig | undefined,
  providers: readonly LlmProviderConfig[],
  env: Env,
): Lendable | undefined {
  if (p?.passthroughCredential !== "managedFirst" || p.credential === undefined) return undefined;
  if (!resolveCredential(p.credential, env).ok) return undefined;
  const at = `llm.providers[${providers.indexOf(p)}]`;
  return { source: `${at}.credential`, lent: p.keyOnOpaquePaths === true, setting: `${at}.keyOnOpaquePaths` };
}

/** The llm form: the "*" model entry (or the only entry) serves every opaque path. */
export function explainLlmOpaque(llm: LlmConfig, env: Env): OpaqueExplanation {
  const providers = llm.providers ?? [];
  const entries: Entry[] = [];
  for (const p of providers) for (const _ of p.models ?? []) entries.push({ kind: "provider", provider: p });
  (llm.models ?? []).forEach((m, index) => {
    entries.push({ kind: "model", index, provider: m.provider, star: m.name === "*" });
  });
  const star = entries.find((e) => e.kind === "model" && e.star);
  const entry = star ?? (entries.length === 1 ? entries[0] : undefined);
  const keys = keysText(llm.policies);
  if (entry === undefined) {
    return {
      upstream: undefined,
      credential: 'none: 404 model_not_found (no "*" model entry decides where such paths go)',
      keys,
    };
  }
  const route = backendAuthLendable(llm.policies, "llm.policies");
  if (entry.kind === "provider") {
    return {
      upstream: entry.provider.name,
      credential: credentialText(providerLendable(entry.provider, providers, env) ?? route),
      keys,
    };
  }
  const m = llm.models![entry.index]!;
  const named = providers.find((p) => p.name === m.provider);
  const at = `llm.models[${entry.index}].params`;
  const own: Lendable | undefined =
    m.params?.apiKey === undefined
      ? undefined
      : {
          source: `${at}.apiKey`,
          lent: m.params.keyOnOpaquePaths === true,
          setting: `${at}.keyOnOpaquePaths`,
        };
  return {
    upstream: named?.name ?? m.provider,
    credential: credentialText(own ?? providerLendable(named, providers, env) ?? route),
    keys,
  };
}
