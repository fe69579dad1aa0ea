/**
 * OpenAI-compatible services by name: each speaks OpenAI Chat Completions with a Bearer key at
 * its own public URL, and some serve more (Responses, embeddings) themselves. A preset is data;
 * `provider.ts` turns it into a ProviderSpec. The key convention is the provider's name
 * (`name: groq` → `env::GROQ_API_KEY`), as for every kind.
 */
import type { IrFormat } from "../../formats/ir.js";

export interface CompatiblePreset {
  readonly kind:
    | "groq"
    | "mistral"
    | "deepseek"
    | "xai"
    | "openrouter"
    | "together"
    | "fireworks"
    | "cerebras"
    | "deepinfra"
    | "perplexity"
    | "ollama"
    | "openAICompatible";
  readonly title: string;
  /** OpenTelemetry gen_ai.provider.name where the conventions name one, else the service's name. */
  readonly system: string;
  /** Undefined: the config must give `baseUrl` (a generic server). */
  readonly defaultBaseUrl: string | undefined;
  /** Whether the service serves OpenAI Responses itself (else Responses clients are translated to Chat). */
  readonly responsesApi: boolean;
  readonly embeddings: boolean;
  /** False for a local server that works without a key (managed targets need none). */
  readonly keyRequired: boolean;
  /** API paths that differ from `/v1/<api>` under the base URL. */
  readonly apiPaths?: Partial<Record<IrFormat, string>>;
}

export const COMPATIBLE_PRESETS: readonly CompatiblePreset[] = Object.freeze([
  {
    kind: "groq",
    title: "Groq",
    system: "groq",
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    responsesApi: true,
    embeddings: false,
    keyRequired: true,
  },
  {
    kind: "mistral",
    title: "Mistral AI",
    system: "mistral_ai",
    defaultBaseUrl: "https://api.mistral.ai/v1",
    responsesApi: false,
    embeddings: true,
    keyRequired: true,
  },
  {
    kind: "deepseek",
    title: "DeepSeek",
    system: "deepseek",
    defaultBaseUrl: "https://api.deepseek.com/v1",
    responsesApi: false,
    embeddings: false,
    keyRequired: true,
  },
  {
    kind: "xai",
    title: "xAI",
    system: "x_ai",
    defaultBaseUrl: "https://api.x.ai/v1",
    responsesApi: true,
    embeddings: false,
    keyRequired: true,
  },
  {
    kind: "openrouter",
    title: "OpenRouter",
    system: "openrouter",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    responsesApi: true,
    embeddings: true,
    keyRequired: true,
  },
  {
    kind: "together",
    title: "Together AI",
    system: "together_ai",
    defaultBaseUrl: "https://api.together.xyz/v1",
    responsesApi: false,
    embeddings: true,
    keyRequired: true,
  },
  {
    kind: "fireworks",
    title: "Fireworks AI",
    system: "fireworks_ai",
    defaultBaseUrl: "https://api.fireworks.ai/inference/v1",
    responsesApi: true,
    embeddings: true,
    keyRequired: true,
  },
  {
    kind: "cerebras",
    title: "Cerebras",
    system: "cerebras",
    defaultBaseUrl: "https://api.cerebras.ai/v1",
    responsesApi: false,
    embeddings: false,
    keyRequired: true,
  },
  {
    kind: "deepinfra",
    title: "DeepInfra",
    system: "deepinfra",
    defaultBaseUrl: "https://api.deepinfra.com/v1/openai",
    responsesApi: false,
    embeddings: true,
    keyRequired: true,
    // The base path ends in /openai, not /v1: the API paths follow it directly.
    apiPaths: { "openai-chat": "/chat/completions", "openai-responses": "/responses" },
  },
  {
    kind: "perplexity",
    title: "Perplexity",
    system: "perplexity",
    // Sonar's chat API has no version segment: https://api.perplexity.ai/chat/completions.
    defaultBaseUrl: "https://api.perplexity.ai",
    responsesApi: false,
    embeddings: false,
    keyRequired: true,
    apiPaths: { "openai-chat": "/chat/completions" },
  },
  {
    kind: "ollama",
    title: "Ollama",
    system: "ollama",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    responsesApi: true,
    embeddings: true,
    keyRequired: false,
  },
  {
    kind: "openAICompatible",
    title: "OpenAI-compatible server",
    system: "openai_compatible",
    defaultBaseUrl: undefined,
    responsesApi: false,
    embeddings: true,
    keyRequired: false,
  },
] as const satisfies readonly CompatiblePreset[]);
