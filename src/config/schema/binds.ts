/** The full form: binds → listeners → routes → backends. */
import { Type } from "@sinclair/typebox";
import { Policies } from "./policies.js";
import { AzureSettings, BedrockSettings, Name, Obj, opt, Port, VertexSettings } from "./shapes.js";

// ---------------------------------------------------------------------------------------
// The binds form

export const ValueMatch = Obj(
  {
    exact: opt(Type.String({ description: "The value must equal this." })),
    regex: opt(Type.String({ description: "The whole value must match this regular expression." })),
  },
  "How a value is matched. Give exactly one of exact or regex.",
);

export const NamedMatch = (what: string) =>
  Obj(
    {
      name: Type.String({ minLength: 1, description: `The ${what} name.` }),
      value: ValueMatch,
    },
    `A ${what} that must be present with a matching value.`,
  );

export const Match = Obj(
  {
    path: opt(
      Obj(
        {
          exact: opt(Type.String({ pattern: "^/", description: "The path must equal this." })),
          pathPrefix: opt(
            Type.String({
              pattern: "^/",
              description: "The path must start with this, at a segment boundary.",
            }),
          ),
          regex: opt(Type.String({ description: "The whole path must match this regular expression." })),
        },
        "How the path is matched. Give exactly one of exact, pathPrefix or regex.",
      ),
    ),
    method: opt(
      Type.String({ pattern: "^[A-Z]+$", description: "The HTTP method, upper case.", examples: ["POST"] }),
    ),
    headers: opt(Type.Array(NamedMatch("header"), { description: "Headers that must all match." })),
    query: opt(
      Type.Array(NamedMatch("query parameter"), { description: "Query parameters that must all match." }),
    ),
  },
  "One way a request can match; every condition given must hold.",
);

export const ProviderOptions = (kind: string) =>
  Obj(
    {
      model: opt(
        Type.String({
          minLength: 1,
          description: `The ${kind} model to use, replacing the one in the request. When absent the request's model is used.`,
        }),
      ),
    },
    `${kind} settings.`,
  );

export const OpenAIOptions = Obj(
  {
    model: opt(
      Type.String({
        minLength: 1,
        description:
          "The model to use, replacing the one in the request. When absent the request's model is used.",
      }),
    ),
    responsesApi: opt(
      Type.Boolean({
        description:
          "Whether the server has /v1/responses. When false, Responses requests are served through chat completions.",
        default: true,
      }),
    ),
  },
  "OpenAI or an OpenAI-compatible server (vLLM, Ollama, Groq, ...).",
);

const compatible = (title: string) =>
  Obj(
    {
      model: opt(
        Type.String({
          minLength: 1,
          description: `The ${title} model to use, replacing the one in the request. When absent the request's model is used.`,
        }),
      ),
      responsesApi: opt(
        Type.Boolean({
          description:
            "Whether Responses requests go to the service's own /responses (where it has one). When false, they are served through chat completions.",
        }),
      ),
    },
    `${title} (OpenAI-compatible).`,
  );

export const ProviderChoice = Obj(
  {
    openAI: opt(OpenAIOptions),
    anthropic: opt(ProviderOptions("Anthropic")),
    mock: opt(ProviderOptions("Mock")),
    gemini: opt(ProviderOptions("Google Gemini")),
    groq: opt(compatible("Groq")),
    mistral: opt(compatible("Mistral AI")),
    deepseek: opt(compatible("DeepSeek")),
    xai: opt(compatible("xAI")),
    openrouter: opt(compatible("OpenRouter")),
    together: opt(compatible("Together AI")),
    fireworks: opt(compatible("Fireworks AI")),
    cerebras: opt(compatible("Cerebras")),
    deepinfra: opt(compatible("DeepInfra")),
    perplexity: opt(compatible("Perplexity")),
    ollama: opt(compatible("Ollama")),
    openAICompatible: opt(compatible("OpenAI-compatible server")),
    azure: opt(
      Obj(
        {
          model: opt(
            Type.String({
              minLength: 1,
              description:
                "The Azure deployment to use, replacing the model in the request. When absent the request's model is used.",
            }),
          ),
          ...AzureSettings.properties,
        },
        "Azure OpenAI: the resource (or the backend's baseUrl), the API version and the authentication.",
      ),
    ),
    vertex: opt(
      Obj(
        {
          model: opt(
            Type.String({
              minLength: 1,
              description:
                "The Vertex AI model to use (gemini-2.5-pro, claude-sonnet-4-6), replacing the model in the request. When absent the request's model is used.",
            }),
          ),
          ...VertexSettings.properties,
        },
        "Google Vertex AI: the project and the location; Application Default Credentials unless policies.backendAuth gives a token.",
      ),
    ),
    bedrock: opt(
      Obj(
        {
          model: opt(
            Type.String({
              minLength: 1,
              description:
                "The Bedrock model ID, inference profile or ARN to use (us.anthropic.claude-sonnet-4-5-20250929-v1:0), replacing the model in the request. When absent the request's model is used.",
            }),
          ),
          ...BedrockSettings.properties,
        },
        "AWS Bedrock: the region, the API and an optional guardrail; SigV4 with the AWS default credential chain unless policies.backendAuth gives a Bedrock API key.",
      ),
    ),
  },
  "The provider. Give exactly one kind: openAI, anthropic, mock, gemini, azure, vertex, bedrock, or an OpenAI-compatible service by name.",
);

export const AiBackend = Obj(
  {
    name: Name("The backend's name, shown in logs and metrics."),
    provider: ProviderChoice,
    baseUrl: opt(
      Type.String({
        format: "uri",
        description: "The provider's base URL; the provider's public URL when absent.",
        examples: ["http://127.0.0.1:9001/v1"],
      }),
    ),
    hostOverride: opt(
      Type.String({
        pattern: "^[^/\\s]+:[0-9]{1,5}$",
        description: "Connect to this host:port instead of the base URL's, keeping the URL's path and Host.",
        examples: ["127.0.0.1:9001"],
      }),
    ),
  },
  "An LLM provider backend.",
);

export const Backend = Obj(
  {
    host: opt(
      Type.String({
        pattern: "^[^/\\s]+:[0-9]{1,5}$",
        description: "A plain HTTP upstream, as host:port.",
        examples: ["127.0.0.1:8080"],
      }),
    ),
    ai: opt(AiBackend),
    weight: opt(Type.Integer({ minimum: 1, default: 1, description: "Relative share of requests." })),
  },
  "Where matched requests go. Give exactly one of host or ai.",
);

export const Route = Obj(
  {
    name: opt(Name("The route's name, shown in logs and metrics.")),
    matches: opt(
      Type.Array(Match, {
        description: "The route serves a request that satisfies any one of these; every request when absent.",
      }),
    ),
    backends: Type.Array(Backend, { minItems: 1, description: "Where requests go; chosen by weight." }),
    policies: opt(Policies),
  },
  "A route: which requests, where they go, and what is applied.",
);

export const Listener = Obj(
  {
    name: opt(Name("The listener's name, shown in logs.")),
    hostname: opt(
      Type.String({
        minLength: 1,
        pattern: "^(\\*\\.)?[A-Za-z0-9.-]+$",
        description: "The Host this listener serves: exact, or *.suffix. Any host when absent.",
        examples: ["api.example.com", "*.example.com"],
      }),
    ),
    routes: Type.Array(Route, { minItems: 1, description: "The listener's routes." }),
  },
  "Requests on a port, selected by Host.",
);

export const Bind = Obj(
  {
    port: Port("The TCP port to listen on."),
    address: opt(Type.String({ minLength: 1, description: "The address to listen on.", default: "0.0.0.0" })),
    listeners: Type.Array(Listener, { minItems: 1, description: "Listeners on this port." }),
  },
  "A port the gateway listens on.",
);
