/** Scalar shapes and closed sets shared by every part of the configuration schema. */
import { type Static, type TSchema, Type } from "@sinclair/typebox";

// ---------------------------------------------------------------------------------------
// Shared scalar shapes

/** Closed object: unknown keys are errors (with a "did you mean" from the loader). */
export const Obj = <T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  description: string,
  extra: Record<string, unknown> = {},
) => Type.Object(properties, { additionalProperties: false, description, ...extra });

export const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** A closed set of strings, emitted as a JSON Schema `enum` (editors offer each value). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description: string; default?: T[number] },
) => Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });

export const DURATION_PATTERN = "^[0-9]+(ms|s|m|h)$";
export const Duration = (description: string, dflt?: string) =>
  Type.String({
    title: "duration",
    pattern: DURATION_PATTERN,
    description: `${description} A duration: a whole number followed by ms, s, m or h.`,
    examples: ["500ms", "30s", "2m"],
    ...(dflt === undefined ? {} : { default: dflt }),
  });

export const SIZE_PATTERN = "^[0-9]+(B|KiB|MiB|GiB|KB|MB|GB)$";
export const Size = (description: string, dflt: string) =>
  Type.String({
    title: "size",
    pattern: SIZE_PATTERN,
    description: `${description} A size: a whole number followed by B, KiB, MiB, GiB, KB, MB or GB.`,
    examples: ["512KiB", "2MiB", "10MB"],
    default: dflt,
  });

/** An endpoint address: the endpoint is opened only when the file sets it. */
export const Address = (description: string, example: string) =>
  Type.String({
    title: "address",
    pattern: "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
    description: `${description} Written as host:port; not served when absent.`,
    examples: [example],
  });

export const Port = (description: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, description, examples: [4000] });

export const Name = (description: string) =>
  Type.String({ minLength: 1, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description });

export const Credential = (description: string) =>
  Type.String({
    minLength: 1,
    description: `${description} Either env::NAME (read from the environment when the config is compiled) or a value, usually written as "$NAME".`,
    examples: ["env::OPENAI_API_KEY", "$OPENAI_API_KEY"],
  });

/**
 * A map with free keys. Emitted as `additionalProperties: <value schema>` rather than TypeBox's
 * `patternProperties`, because editors (yaml-language-server) complete and hover only the former.
 */
export const MapOf = <T extends TSchema>(value: T, options: { description: string; examples?: unknown[] }) =>
  Type.Unsafe<Record<string, Static<T>>>({ type: "object", additionalProperties: value, ...options });

export const StringMap = (description: string) =>
  MapOf(Type.String({ description: "A value." }), { description });

/** A JSON value (used for request defaults/overrides). */
export const JsonValue = Type.Unknown({ description: "Any JSON value." });

// ---------------------------------------------------------------------------------------
// Closed sets

export const ROUTE_TYPES = [
  "completions",
  "messages",
  "responses",
  "embeddings",
  "models",
  "anthropicTokenCount",
  "generateContent",
  "geminiCountTokens",
  "passthrough",
  "detect",
] as const;
export const RouteType = StringEnum(ROUTE_TYPES, {
  description:
    "How requests on this path are handled: completions (OpenAI Chat Completions), messages (Anthropic Messages), responses (OpenAI Responses), embeddings, models (answered from the config), anthropicTokenCount (Anthropic count_tokens), generateContent (Gemini generateContent / streamGenerateContent, the model taken from the path), geminiCountTokens (Gemini countTokens), passthrough (forwarded untouched), detect (forwarded untouched, usage recorded).",
});

export const PROVIDER_KINDS = [
  "openAI",
  "anthropic",
  "mock",
  "gemini",
  "groq",
  "mistral",
  "deepseek",
  "xai",
  "openrouter",
  "together",
  "fireworks",
  "cerebras",
  "deepinfra",
  "perplexity",
  "ollama",
  "openAICompatible",
  "azure",
  "vertex",
  "bedrock",
] as const;
export const ProviderKind = StringEnum(PROVIDER_KINDS, {
  description:
    "The provider: openAI, anthropic, mock (built in, answers offline), gemini (Google AI Studio, key env::GEMINI_API_KEY), an OpenAI-compatible service by name (groq, mistral, deepseek, xai, openrouter, together, fireworks, cerebras, deepinfra, perplexity, ollama; each with its public URL and the key env::<NAME>_API_KEY), openAICompatible (any OpenAI-compatible server; needs baseUrl), azure (Azure OpenAI; needs azure.resourceName or baseUrl), vertex (Google Vertex AI, Gemini and Claude models; needs vertex.project and vertex.region; Application Default Credentials), or bedrock (AWS Bedrock: Converse, and Claude through InvokeModel; needs bedrock.region; SigV4 with the AWS default credential chain, or a Bedrock API key as credential).",
});

export const AZURE_API_VERSION_PATTERN = "^(v1|[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?)$";
export const AZURE_AUTH_MODES = ["key", "entra"] as const;
export const AzureSettings = Obj(
  {
    resourceName: opt(
      Type.String({
        title: "azureResourceName",
        pattern: "^[A-Za-z0-9][A-Za-z0-9-]{0,62}$",
        description:
          "The Azure OpenAI resource: requests go to https://<resourceName>.openai.azure.com. Give this or the provider's baseUrl.",
        examples: ["contoso"],
      }),
    ),
    apiVersion: opt(
      Type.String({
        title: "azureApiVersion",
        pattern: AZURE_API_VERSION_PATTERN,
        description:
          "v1: the v1 API (/openai/v1/..., the model, a deployment name, in the body; Chat, Responses, embeddings). A dated version (2024-10-21, 2025-04-01-preview): /openai/deployments/<model>/...?api-version=<version> (Chat, embeddings; Responses clients are translated to Chat).",
        default: "v1",
        examples: ["v1", "2024-10-21"],
      }),
    ),
    auth: opt(
      StringEnum(AZURE_AUTH_MODES, {
        description:
          "key: an API key in the api-key header (target credential, provider credential, env::<NAME>_API_KEY, then env::AZURE_OPENAI_API_KEY). entra: a Microsoft Entra ID token from DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI), sent as Authorization: Bearer.",
        default: "key",
      }),
    ),
  },
  "Azure OpenAI settings: the resource, the API version and how requests are authenticated.",
);
export type AzureSettingsConfig = Static<typeof AzureSettings>;
export const VertexSettings = Obj(
  {
    project: opt(
      Type.String({
        title: "vertexProject",
        pattern: "^[A-Za-z0-9][A-Za-z0-9.:_-]*$",
        description: "The Google Cloud project ID that Vertex AI bills and authorizes. Required.",
        examples: ["my-project"],
      }),
    ),
    region: opt(
      Type.String({
        title: "vertexRegion",
        pattern: "^[a-z0-9-]+$",
        description:
          "The Vertex AI location: a region (us-east5, europe-west1) sent to https://<region>-aiplatform.googleapis.com, or global (https://aiplatform.googleapis.com). Required.",
        examples: ["us-east5", "global"],
      }),
    ),
  },
  "Google Vertex AI settings: the project and the location. Gemini models go to publishers/google (generateContent), models named claude-* to publishers/anthropic (rawPredict). Requests carry an access token from Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, the metadata server), or the provider's credential as a static access token.",
);
export type VertexSettingsConfig = Static<typeof VertexSettings>;
export const BEDROCK_APIS = ["auto", "converse", "invoke"] as const;
export const BedrockSettings = Obj(
  {
    region: opt(
      Type.String({
        title: "bedrockRegion",
        pattern: "^[a-z0-9-]+$",
        description:
          "The AWS region (us-east-1, eu-central-1): requests go to https://bedrock-runtime.<region>.amazonaws.com (the provider's baseUrl overrides, e.g. a VPC endpoint) and are signed for it. Required.",
        examples: ["us-east-1"],
      }),
    ),
    api: opt(
      StringEnum(BEDROCK_APIS, {
        description:
          "auto: Anthropic Messages clients reach Claude models through InvokeModel (the Messages body as sent, every Anthropic feature kept), everything else through Converse; with a guardrail, Converse for all. converse: Converse for every client and model. invoke: Claude models through InvokeModel for every client (translated to Anthropic Messages), other models through Converse.",
        default: "auto",
      }),
    ),
    guardrail: opt(
      Obj(
        {
          identifier: Type.String({
            minLength: 1,
            description: "The guardrail's ID or ARN.",
            examples: ["gr-abc123"],
          }),
          version: Type.String({
            pattern: "^([1-9][0-9]{0,7}|DRAFT)$",
            description: "The guardrail version: a number, or DRAFT.",
            examples: ["1", "DRAFT"],
          }),
          trace: opt(
            Type.Boolean({
              description: "Whether Bedrock returns the guardrail's trace (assessments) with each answer.",
              default: false,
            }),
          ),
        },
        "An Amazon Bedrock guardrail applied to every request (Converse guardrailConfig; InvokeModel guardrail headers). An intervention reaches the client as a refusal in its own format.",
      ),
    ),
  },
  "AWS Bedrock settings: the region, the API (Converse or InvokeModel) and an optional guardrail. Requests are signed with SigV4 using the AWS default credential chain (environment, shared config and profiles, web identity, container and instance metadata), or carry the provider's credential as a Bedrock API key (Authorization: Bearer).",
);
export type BedrockSettingsConfig = Static<typeof BedrockSettings>;
/** A provider's kind-specific settings blocks (only the one of its kind is used). */
export interface ProviderSettings {
  readonly azure?: AzureSettingsConfig;
  readonly vertex?: VertexSettingsConfig;
  readonly bedrock?: BedrockSettingsConfig;
}

export const STRATEGIES = ["single", "weighted", "fallback"] as const;
export const Strategy = StringEnum(STRATEGIES, {
  description:
    "How a target is chosen: single (the one target), weighted (random by weight, per request), fallback (in order, moving on after a connection error, timeout or 5xx).",
  default: "single",
});

export const PassthroughMode = StringEnum(["opaque", "detect"] as const, {
  description:
    "What paths without a known route type get: opaque (forwarded untouched) or detect (forwarded untouched, with model and token usage recorded).",
  default: "opaque",
});
