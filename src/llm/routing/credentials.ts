/**
 * Which key each candidate carries upstream. Managed targets: target `credential` → provider
 * `credential` → the kind's request-time token (Entra ID, Google ADC) → env::<PROVIDER>_API_KEY. Passthrough: the caller's key, unless the provider
 * says managedFirst. Keys are resolved once, when the router is built; `source` names where
 * a key came from (env::NAME or a config field), never the key itself.
 */

import type { Env } from "../../config/credential.js";
import { conventionEnvName, parseCredential, resolveCredential } from "../../config/credential.js";
import type { LlmProviderConfig, LlmTargetConfig } from "../../config/schema.js";
import type { CandidateAuth } from "../../runtime/plan.js";
import { specOfProvider } from "../providers/registry.js";

/** What a credential field shows: its env:: reference, or the field that holds a literal key. */
export function credentialSource(text: string, field: string): string {
  const ref = parseCredential(text);
  return ref.kind === "env" ? `env::${ref.name}` : field;
}

/** A key that must resolve (the loader has checked it); throws naming the field otherwise. */
export function requireKey(text: string, field: string, env: Env): { key: string; source: string } {
  const r = resolveCredential(text, env);
  if (!r.ok) throw new Error(`${field}: env::${r.envName} is not set in the environment`);
  return { key: r.value, source: credentialSource(text, field) };
}

/** The variables a provider's key is looked for in: env::<NAME>_API_KEY, then the kind's own (AZURE_OPENAI_API_KEY). */
export function conventionEnvNames(provider: LlmProviderConfig): string[] {
  return [conventionEnvName(provider.name), ...(specOfProvider(provider).conventionEnv ?? [])];
}

function conventionKey(provider: LlmProviderConfig, env: Env): { key: string; source: string } | undefined {
  for (const name of conventionEnvNames(provider)) {
    const value = env[name];
    if (value !== undefined && value !== "") return { key: value, source: `env::${name}` };
  }
  return undefined;
}

function authorizerAuth(provider: LlmProviderConfig): CandidateAuth | undefined {
  const authorizer = specOfProvider(provider).authorizer;
  return authorizer === undefined ? undefined : { kind: "authorizer", authorizer, source: authorizer.source };
}

/** The credential of a managed target. Throws (naming the target) when none resolves. */
export function managedTargetAuth(
  target: LlmTargetConfig,
  provider: LlmProviderConfig,
  env: Env,
): CandidateAuth {
  if (!specOfProvider(provider).usesKey) return { kind: "none" };
  // A configured credential (Vertex AI's static access token) comes before request-time tokens.
  if (target.credential !== undefined) {
    return { kind: "managed", ...requireKey(target.credential, `targets.${target.name}.credential`, env) };
  }
  if (provider.credential !== undefined) {
    return {
      kind: "managed",
      ...requireKey(provider.credential, `providers.${provider.name}.credential`, env),
    };
  }
  const token = authorizerAuth(provider);
  if (token !== undefined) return token;
  const convention = conventionKey(provider, env);
  if (convention !== undefined) return { kind: "managed", ...convention };
  if (specOfProvider(provider).keyOptional === true) return { kind: "none" };
  throw new Error(
    `target "${target.name}" has no credential: set ${conventionEnvNames(provider).join(" or ")}, or give credential: on the target or on provider "${provider.name}"`,
  );
}

/** The credential of a passthrough request to `provider`. */
export function passthroughAuth(provider: LlmProviderConfig, env: Env): CandidateAuth {
  if (!specOfProvider(provider).usesKey) return { kind: "none" };
  if (provider.passthroughCredential !== "managedFirst") return { kind: "caller" };
  if (provider.credential !== undefined) {
    const r = resolveCredential(provider.credential, env);
    const source = credentialSource(provider.credential, `providers.${provider.name}.credential`);
    if (r.ok) return { kind: "managedFirst", key: r.value, source };
  }
  const token = authorizerAuth(provider);
  if (token !== undefined) return token;
  const convention = conventionKey(provider, env);
  if (convention !== undefined) return { kind: "managedFirst", ...convention };
  return {
    kind: "managedFirst",
    key: undefined,
    source:
      provider.credential === undefined
        ? `env::${conventionEnvName(provider.name)}`
        : credentialSource(provider.credential, `providers.${provider.name}.credential`),
  };
}
