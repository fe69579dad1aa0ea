/** The simplified llm form: providers, model bindings, targets, routes and functions. */
import { Type } from "@sinclair/typebox";
import { Policies, Retry } from "./policies.js";
import {
  AzureSettings,
  BedrockSettings,
  Credential,
  Duration,
  Name,
  Obj,
  opt,
  PassthroughMode,
  Port,
  ProviderKind,
  Strategy,
  StringEnum,
  VertexSettings,
} from "./shapes.js";

// ---------------------------------------------------------------------------------------
// The llm form

export const LlmProvider = Obj(
  {
    name: Name("The provider's name, used in provider::model and by targets."),
    provider: opt(ProviderKind),
    baseUrl: opt(
      Type.String({
        format: "uri",
        description: "The provider's base URL; the provider's public URL when absent.",
        examples: ["https://api.openai.com/v1"],
      }),
    ),
    azure: opt(AzureSettings),
    vertex: opt(VertexSettings),
    bedrock: opt(BedrockSettings),
    models: opt(
      Type.Array(Type.String({ minLength: 1, description: "A model name." }), {
        description: "Models this provider serves; requests for them pass through with the caller's key.",
        examples: [["gpt-4o", "gpt-4o-mini"]],
      }),
    ),
    credential: opt(
      Credential(
        "Default credential for managed targets of this provider. Never used for passthrough unless passthroughCredential is managedFirst.",
      ),
    ),
    passthroughCredential: opt(
      StringEnum(["caller", "managedFirst"] as const, {
        description:
          "Which key passthrough requests carry: caller (the caller's own, always) or managedFirst (the provider's credential when one resolves, else the caller's).",
        default: "caller",
      }),
    ),
    keyOnOpaquePaths: opt(
      Type.Boolean({
        description:
          "With passthroughCredential managedFirst: whether the provider's credential also goes on paths passed through unparsed (passthrough, detect: /v1/files, /v1/batches, ...); when false they carry the caller's own credential.",
        default: false,
      }),
    ),
    responsesApi: opt(
      Type.Boolean({
        description: "Whether the server has /v1/responses (openAI kind only).",
        default: true,
      }),
    ),
    timeout: opt(Duration("Longest wait for this provider's response headers.", "300s")),
    streamIdleTimeout: opt(Duration("Longest gap between two chunks of a stream from this provider.", "60s")),
  },
  "A provider: where it is, which models it serves, and its default credential.",
);

export const LlmModel = Obj(
  {
    name: Type.String({
      minLength: 1,
      description: 'The model names this entry serves: exact, "prefix*", "*suffix", or "*" for all.',
      examples: ["*", "gpt-*", "gpt-4o"],
    }),
    provider: Type.String({
      minLength: 1,
      description: "A provider kind (openAI, anthropic, mock) or the name of an entry in providers.",
      examples: ["openAI", "anthropic"],
    }),
    params: opt(
      Obj(
        {
          apiKey: opt(Credential("The key sent upstream for these models.")),
          keyOnOpaquePaths: opt(
            Type.Boolean({
              description:
                "Whether apiKey also goes on paths passed through unparsed (passthrough, detect: /v1/files, /v1/batches, ...); when false they carry the caller's own credential.",
              default: false,
            }),
          ),
          model: opt(
            Type.String({ minLength: 1, description: "The upstream model, replacing the requested one." }),
          ),
          baseUrl: opt(
            Type.String({ format: "uri", description: "The provider's base URL for these models." }),
          ),
          maxOutputTokens: opt(
            Type.Integer({
              minimum: 1,
              description:
                "The models' output cap: a max_tokens agw derives for an Anthropic upstream (the client gave none, or thinking needs room) never exceeds it. Default: the built-in table of Claude families.",
              examples: [64000],
            }),
          ),
        },
        "Provider parameters for these models.",
      ),
    ),
    passthrough: opt(PassthroughMode),
  },
  "A model binding: requests for matching names go to this provider.",
);

export const LlmTarget = Obj(
  {
    name: Name("The target's name, used by routes and functions."),
    model: Type.String({ minLength: 1, description: "The model sent upstream.", examples: ["gpt-4o"] }),
    provider: opt(Name("The provider (an entry in providers); found from providers[].models when absent.")),
    credential: opt(
      Credential(
        "The key for this target; the provider's credential, then env::<PROVIDER>_API_KEY, when absent.",
      ),
    ),
    weight: opt(
      Type.Integer({ minimum: 1, default: 1, description: "Relative share under the weighted strategy." }),
    ),
    timeout: opt(Duration("Longest wait for this target's response headers.", "300s")),
  },
  "A managed target: a model at a provider, reached with the gateway's credential.",
);

export const LlmRoute = Obj(
  {
    name: Name("The route's name, also callable as route::name."),
    models: Type.Array(Type.String({ minLength: 1, description: "A model name." }), {
      minItems: 1,
      description: "Model names this route serves.",
    }),
    strategy: opt(Strategy),
    targets: Type.Array(Name("A target name."), { minItems: 1, description: "Targets, in order." }),
    retry: opt(Retry),
  },
  "A managed route: model names served by targets with a strategy.",
);

export const LlmFunction = Obj(
  {
    name: Name("The function's name, called as function::name or by its bare name."),
    strategy: opt(Strategy),
    targets: opt(
      Type.Array(Name("A target name."), {
        minItems: 1,
        description: "Targets, in order. Give targets or models.",
      }),
    ),
    models: opt(
      Type.Array(Type.String({ minLength: 1, description: "A model name." }), {
        minItems: 1,
        description: "Models, in order, each resolved as a request for it would be. Give targets or models.",
      }),
    ),
    retry: opt(Retry),
  },
  "A named task alias over targets or models.",
);

export const Llm = Obj(
  {
    port: opt(Port("The port the llm form listens on.")),
    address: opt(Type.String({ minLength: 1, description: "The address to listen on.", default: "0.0.0.0" })),
    providers: opt(
      Type.Array(LlmProvider, { description: "Providers and the models they serve (passthrough)." }),
    ),
    models: opt(Type.Array(LlmModel, { description: "Model name bindings to providers." })),
    targets: opt(
      Type.Array(LlmTarget, {
        description: "Managed targets; a target no route names gets a route of its own.",
      }),
    ),
    routes: opt(Type.Array(LlmRoute, { description: "Managed routes." })),
    functions: opt(Type.Array(LlmFunction, { description: "Functions: named task aliases." })),
    routeHeader: opt(
      Type.Boolean({
        description:
          'Whether responses carry x-agw-route: how the model resolved ("passthrough", "route:<name>" or "function:<name>"), the strategy, the target that answered and the attempts made. Off by default: it names internal targets.',
        default: false,
      }),
    ),
    policies: opt(Policies),
  },
  "The simplified form: providers, models, targets, routes and functions on one port.",
);
