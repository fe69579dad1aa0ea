/**
 * Every provider kind agw speaks, one line each. A new kind is a folder beside this file
 * (its ProviderSpec, plus any code of its own) and a line here; its name goes into the
 * config schema's PROVIDER_KINDS, and the compiler then insists on the line here.
 */
import { inferProviderKind, providerKind } from "../../config/provider-kind.js";
import type {
  Config,
  LlmProviderConfig,
  ProviderChoiceConfig,
  ProviderKindName,
  ProviderSettings,
} from "../../config/schema.js";
import { PROVIDER_KINDS } from "../../config/schema.js";
import { anthropic } from "./anthropic/provider.js";
import { azure } from "./azure/provider.js";
import { bedrock } from "./bedrock/provider.js";
import { gemini } from "./gemini/provider.js";
import { mock } from "./mock/provider.js";
import { openAI } from "./openai/provider.js";
import { COMPATIBLE_SPECS } from "./openai-compatible/provider.js";
import type { ProviderSpec } from "./spec.js";
import { vertex } from "./vertex/provider.js";

export const PROVIDERS: Readonly<Record<ProviderKindName, ProviderSpec>> = Object.freeze({
  openAI,
  anthropic,
  mock,
  gemini,
  ...COMPATIBLE_SPECS,
  azure,
  vertex,
  bedrock,
});

/** What a provider of unknown kind is taken to speak: the OpenAI API, which most servers offer. */
export const DEFAULT_PROVIDER_KIND: ProviderKindName = "openAI";

/** The spec a kind's name implies ("openai", "Anthropic"), or the default kind's. */
export function providerSpecOf(name: string): ProviderSpec {
  return PROVIDERS[inferProviderKind(name) ?? DEFAULT_PROVIDER_KIND];
}

/** An llm.providers entry's spec: its `provider` kind, else the kind its name implies, else the default. */
export function specOfProvider(provider: LlmProviderConfig): ProviderSpec {
  const spec = PROVIDERS[providerKind(provider) ?? DEFAULT_PROVIDER_KIND];
  return spec.configure === undefined ? spec : spec.configure(provider);
}

/** A binds backend's `provider:` choice: the one kind it names and that kind's options. */
export function chosenProvider(choice: ProviderChoiceConfig): {
  readonly spec: ProviderSpec;
  readonly model: string | undefined;
  readonly responsesApi: boolean;
} {
  for (const kind of PROVIDER_KINDS) {
    const options: ({ model?: string; responsesApi?: boolean } & ProviderSettings) | undefined = choice[kind];
    if (options === undefined) continue;
    const spec = PROVIDERS[kind].configure?.({ [kind]: options }) ?? PROVIDERS[kind];
    return { spec, model: options.model, responsesApi: spec.responsesApi && (options.responsesApi ?? true) };
  }
  // The loader's checks refuse a provider choice that names no kind.
  throw new Error("a provider choice names no provider kind");
}

/** Whether a provider the file names streams in AWS's event-stream framing (a spec's awsEventStreams). */
export function configUsesAwsEventStreams(config: Config): boolean {
  const specs: ProviderSpec[] = [
    ...(config.llm?.providers ?? []).map((p) => PROVIDERS[providerKind(p) ?? DEFAULT_PROVIDER_KIND]),
    ...(config.llm?.models ?? []).map((m) => providerSpecOf(m.provider)),
  ];
  for (const bind of config.binds ?? [])
    for (const listener of bind.listeners)
      for (const route of listener.routes)
        for (const backend of route.backends) {
          const choice = backend.ai?.provider;
          if (choice !== undefined)
            specs.push(...PROVIDER_KINDS.filter((k) => choice[k] !== undefined).map((k) => PROVIDERS[k]));
        }
  return specs.some((s) => s.awsEventStreams === true);
}
