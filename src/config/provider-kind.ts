/** Which API family a provider speaks, and which provider serves a managed target. */
import {
  type LlmConfig,
  type LlmProviderConfig,
  type LlmTargetConfig,
  PROVIDER_KINDS,
  type ProviderKindName,
} from "./schema.js";

/** The kind a provider's name implies: "openai"/"OpenAI" → openAI, "anthropic", "mock". */
export function inferProviderKind(name: string): ProviderKindName | undefined {
  const lower = name.toLowerCase();
  return PROVIDER_KINDS.find((k) => k.toLowerCase() === lower);
}

/** The provider's kind: as written, else implied by its name. */
export function providerKind(provider: LlmProviderConfig): ProviderKindName | undefined {
  return provider.provider ?? inferProviderKind(provider.name);
}

export type TargetProvider =
  | { kind: "found"; provider: LlmProviderConfig; index: number }
  | { kind: "unknown"; name: string }
  | { kind: "none" }
  | { kind: "ambiguous"; indexes: number[] };

/** The target's provider: the one it names, else the only one whose models list its model. */
export function targetProvider(llm: LlmConfig, target: LlmTargetConfig): TargetProvider {
  const providers = llm.providers ?? [];
  if (target.provider !== undefined) {
    const index = providers.findIndex((p) => p.name === target.provider);
    const provider = providers[index];
    return provider === undefined
      ? { kind: "unknown", name: target.provider }
      : { kind: "found", provider, index };
  }
  const indexes = providers.flatMap((p, i) => ((p.models ?? []).includes(target.model) ? [i] : []));
  const only = indexes.length === 1 && indexes[0] !== undefined ? providers[indexes[0]] : undefined;
  if (only !== undefined && indexes[0] !== undefined)
    return { kind: "found", provider: only, index: indexes[0] };
  return indexes.length === 0 ? { kind: "none" } : { kind: "ambiguous", indexes };
}
