/**
 * The configuration shape, written once in TypeBox. It is the single source of the
 * TypeScript types (`Config` and friends) and of `schema/config.schema.json`, which editors
 * use for completion and hover. Every object is closed, every property has a description.
 *
 * Constraints a schema cannot express (one-of choices with friendly wording, references
 * between names, regexes that compile, ...) are checked in `check.ts`.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";

// ---------------------------------------------------------------------------------------
// Shared scalar shapes

/** Closed object: unknown keys are errors (with a "did you mean" from the loader). */
const Obj = <T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  description: string,
  extra: Record<string, unknown> = {},
) => Type.Object(properties, { additionalProperties: false, description, ...extra });

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** A closed set of strings, emitted as a JSON Schema `enum` (editors offer each value). */
const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description: string; default?: T[number] },
) => Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });

export const DURATION_PATTERN = "^[0-9]+(ms|s|m|h)$";
const Duration = (description: string, dflt?: string) =>
  Type.String({
    title: "duration",
    pattern: DURATION_PATTERN,
    description: `${description} A duration: a whole number followed by ms, s, m or h.`,
    examples: ["500ms", "30s", "2m"],
    ...(dflt === undefined ? {} : { default: dflt }),
  });

export const SIZE_PATTERN = "^[0-9]+(B|KiB|MiB|GiB|KB|MB|GB)$";
const Size = (description: string, dflt: string) =>
  Type.String({
    title: "size",
    pattern: SIZE_PATTERN,
    description: `${description} A size: a whole number followed by B, KiB, MiB, GiB, KB, MB or GB.`,
    examples: ["512KiB", "2MiB", "10MB"],
    default: dflt,
  });

/** An endpoint address: the endpoint is opened only when the file sets it. */
const Address = (description: string, example: string) =>
  Type.String({
    title: "address",
    pattern: "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
    description: `${description} Written as host:port; not served when absent.`,
    examples: [example],
  });

const Port = (description: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, description, examples: [4000] });

const Name = (description: string) =>
  Type.String({ minLength: 1, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description });

const Credential = (description: string) =>
  Type.String({
    minLength: 1,
    description: `${description} Either env::NAME (read from the environment when the config is compiled) or a value, usually written as "$NAME".`,
    examples: ["env::OPENAI_API_KEY", "$OPENAI_API_KEY"],
  });

/**
 * A map with free keys. Emitted as `additionalProperties: <value schema>` rather than TypeBox's
 * `patternProperties`, because editors (yaml-language-server) complete and hover only the former.
 */
const MapOf = <T extends TSchema>(value: T, options: { description: string; examples?: unknown[] }) =>
  Type.Unsafe<Record<string, Static<T>>>({ type: "object", additionalProperties: value, ...options });

const StringMap = (description: string) => MapOf(Type.String({ description: "A value." }), { description });

/** A JSON value (used for request defaults/overrides). */
const JsonValue = Type.Unknown({ description: "Any JSON value." });

// ---------------------------------------------------------------------------------------
// Closed sets

export const ROUTE_TYPES = [
  "completions",
  "messages",
  "responses",
  "embeddings",
  "models",
  "anthropicTokenCount",
  "passthrough",
  "detect",
] as const;
export const RouteType = StringEnum(ROUTE_TYPES, {
  description:
    "How requests on this path are handled: completions (OpenAI Chat Completions), messages (Anthropic Messages), responses (OpenAI Responses), embeddings, models (answered from the config), anthropicTokenCount (Anthropic count_tokens), passthrough (forwarded untouched), detect (forwarded untouched, usage recorded).",
});

export const PROVIDER_KINDS = ["openAI", "anthropic", "mock"] as const;
export const ProviderKind = StringEnum(PROVIDER_KINDS, {
  description:
    "The provider's API family: openAI (OpenAI and OpenAI-compatible servers), anthropic, or mock (built in, answers offline).",
});

export const STRATEGIES = ["single", "weighted", "fallback"] as const;
const Strategy = StringEnum(STRATEGIES, {
  description:
    "How a target is chosen: single (the one target), weighted (random by weight, per request), fallback (in order, moving on after a connection error, timeout or 5xx).",
  default: "single",
});

const PassthroughMode = StringEnum(["opaque", "detect"] as const, {
  description:
    "What paths without a known route type get: opaque (forwarded untouched) or detect (forwarded untouched, with model and token usage recorded).",
  default: "opaque",
});

// ---------------------------------------------------------------------------------------
// Policies

const Retry = Obj(
  {
    attempts: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 0,
      description: "Retries after the first try (0 means no retry).",
    }),
    backoff: opt(Duration("Base delay before the first retry; doubled on each retry, with jitter.", "500ms")),
    maxRetryAfter: opt(Duration("The longest Retry-After from the upstream that is honoured.", "30s")),
    codes: opt(
      Type.Array(Type.Integer({ minimum: 400, maximum: 599, description: "An HTTP status." }), {
        description: "Upstream statuses that are retried.",
        default: [429, 500, 502, 503, 504],
      }),
    ),
  },
  "Retry of a failed upstream call. Nothing is retried once the response has started reaching the client.",
);

const Timeout = Obj(
  {
    requestTimeout: opt(Duration("Longest wait for the upstream's response headers.", "300s")),
    streamIdleTimeout: opt(Duration("Longest gap between two chunks of a streamed response.", "60s")),
  },
  "Upstream timeouts.",
);

const HeaderModifier = (what: string) =>
  Obj(
    {
      set: opt(StringMap(`${what} headers to set, replacing any value already there.`)),
      add: opt(StringMap(`${what} headers to add beside any value already there.`)),
      remove: opt(
        Type.Array(Type.String({ minLength: 1, description: "A header name." }), {
          description: `${what} headers to remove.`,
        }),
      ),
    },
    `Changes to ${what.toLowerCase()} headers.`,
  );

const Cors = Obj(
  {
    allowOrigins: Type.Array(Type.String({ description: "An origin, or * for any." }), {
      description: "Origins allowed to call the gateway from a browser.",
      examples: [["https://app.example.com"]],
    }),
    allowMethods: opt(
      Type.Array(Type.String({ description: "An HTTP method." }), {
        description: "Methods allowed in cross-origin requests.",
        default: ["GET", "POST", "OPTIONS"],
      }),
    ),
    allowHeaders: opt(
      Type.Array(Type.String({ description: "A header name." }), {
        description: "Request headers allowed in cross-origin requests.",
      }),
    ),
    exposeHeaders: opt(
      Type.Array(Type.String({ description: "A header name." }), {
        description: "Response headers a browser may read.",
      }),
    ),
    allowCredentials: opt(
      Type.Boolean({ description: "Whether cookies and credentials may be sent.", default: false }),
    ),
    maxAge: opt(Duration("How long a browser may cache a preflight answer.", "10m")),
  },
  "Cross-origin resource sharing; preflight requests are answered by the gateway.",
);

const ApiKeyEntry = Obj(
  {
    name: Name("The key's name, shown in logs instead of the key."),
    key: opt(Type.String({ minLength: 1, description: "The key itself. Prefer keyHash." })),
    keyHash: opt(
      Type.String({
        pattern: "^sha256:[0-9a-f]{64}$",
        description: "The key's SHA-256 as sha256:<64 lowercase hex digits>.",
        examples: ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
      }),
    ),
    allowedModels: opt(
      Type.Array(
        Type.String({ minLength: 1, description: "A model name or pattern (prefix*, *suffix, *)." }),
        {
          description: "Models this key may use; all when absent.",
        },
      ),
    ),
    metadata: opt(StringMap("Free-form labels carried with the key's requests.")),
  },
  "A gateway key. Give exactly one of key or keyHash.",
);

const ApiKey = Obj(
  {
    keys: Type.Array(ApiKeyEntry, { minItems: 1, description: "The accepted gateway keys." }),
    header: opt(
      Type.String({
        minLength: 1,
        description: "The request header that carries the gateway key.",
        default: "x-agw-authorization",
      }),
    ),
  },
  "Gateway keys: callers must present one. The header is consumed and never forwarded upstream.",
);

const BackendAuth = Obj(
  {
    key: opt(
      Credential(
        "The key sent upstream, the provider's way (Authorization: Bearer, or x-api-key for Anthropic).",
      ),
    ),
    passthrough: opt(Obj({}, "Send the caller's own credential (Authorization or x-api-key) as it came.")),
  },
  "How the upstream is authenticated. Give exactly one of key or passthrough.",
);

const RateLimit = Obj(
  {
    maxTokens: Type.Integer({ minimum: 1, description: "Bucket size: the most that can be spent at once." }),
    tokensPerFill: Type.Integer({ minimum: 1, description: "How much is added each fill interval." }),
    fillInterval: Duration("How often the bucket is refilled."),
    type: opt(
      StringEnum(["requests", "tokens"] as const, {
        description: "What the bucket counts: requests, or LLM tokens (input plus output).",
        default: "requests",
      }),
    ),
    perKey: opt(
      Type.Boolean({
        description: "One bucket per gateway key instead of one for the whole route.",
        default: false,
      }),
    ),
  },
  "A token bucket.",
);

export const GUARD_ACTIONS = ["mask", "reject"] as const;
export const REGEX_BUILTINS = ["email", "phoneNumber", "ssn", "creditCard", "ipAddress"] as const;

const Rejection = Obj(
  {
    status: opt(
      Type.Integer({
        minimum: 400,
        maximum: 599,
        default: 403,
        description: "HTTP status of the rejection.",
      }),
    ),
    message: opt(
      Type.String({
        description: "Message returned to the caller.",
        default: "The request was rejected by a guardrail.",
      }),
    ),
  },
  "What the caller gets when this guard rejects.",
);

const RegexRule = Obj(
  {
    builtin: opt(
      StringEnum(REGEX_BUILTINS, {
        description: "A built-in detector. creditCard numbers are Luhn-checked.",
      }),
    ),
    pattern: opt(Type.String({ minLength: 1, description: "A JavaScript regular expression." })),
  },
  "One thing to look for. Give exactly one of builtin or pattern.",
);

const Guard = Obj(
  {
    regex: opt(
      Obj(
        {
          action: StringEnum(GUARD_ACTIONS, {
            description: "mask replaces each match with a placeholder; reject refuses the request.",
          }),
          rules: Type.Array(RegexRule, { minItems: 1, description: "What to look for." }),
        },
        "Find text by pattern.",
      ),
    ),
    blocklist: opt(
      Obj(
        {
          words: Type.Array(Type.String({ minLength: 1, description: "A word or phrase." }), {
            minItems: 1,
            description: "Case-insensitive substrings that cause a rejection.",
          }),
        },
        "Reject text containing any listed word or phrase.",
      ),
    ),
    webhook: opt(
      Obj(
        {
          url: Type.String({
            format: "uri",
            description: "Where the text is POSTed.",
            examples: ["http://127.0.0.1:9100/guard"],
          }),
          headers: opt(
            StringMap("Headers sent with each call (values may be secrets; they are redacted in logs)."),
          ),
          timeout: opt(Duration("Longest wait for the webhook's answer.", "2s")),
          failureMode: opt(
            StringEnum(["failClosed", "failOpen"] as const, {
              description:
                "When the webhook fails: failClosed rejects the request, failOpen lets it through.",
              default: "failClosed",
            }),
          ),
        },
        "Ask an external service: it answers pass, mask (with the replacement text) or reject.",
      ),
    ),
    rejection: opt(Rejection),
  },
  "One guard. Give exactly one of regex, blocklist or webhook.",
);

const PromptMessage = Obj(
  {
    role: StringEnum(["system", "user", "assistant"] as const, {
      description: "Who says it.",
    }),
    content: Type.String({ description: "The message text." }),
  },
  "A message added to every request.",
);

const AiPolicy = Obj(
  {
    routes: opt(
      MapOf(RouteType, {
        description: 'Route type per path suffix, longest suffix first; "*" matches every other path.',
        examples: [{ "/v1/chat/completions": "completions", "*": "passthrough" }],
      }),
    ),
    promptGuard: opt(
      Obj(
        {
          request: opt(Type.Array(Guard, { description: "Guards run on the request, in order." })),
          response: opt(
            Type.Array(Guard, { description: "Guards run on the response (streams too), in order." }),
          ),
        },
        "Guardrails over prompts and completions.",
      ),
    ),
    defaults: opt(
      MapOf(JsonValue, {
        description: "Request fields set when the caller did not set them.",
        examples: [{ temperature: 0.2 }],
      }),
    ),
    overrides: opt(
      MapOf(JsonValue, {
        description: "Request fields always set, replacing the caller's value.",
        examples: [{ max_tokens: 512 }],
      }),
    ),
    modelAliases: opt(
      MapOf(Type.String({ description: "The model to use." }), {
        description: "Model names rewritten before routing: alias (exact or with one *) → model.",
        examples: [{ fast: "gpt-4o-mini" }],
      }),
    ),
    prompts: opt(
      Obj(
        {
          prepend: opt(Type.Array(PromptMessage, { description: "Messages put before the caller's." })),
          append: opt(Type.Array(PromptMessage, { description: "Messages put after the caller's." })),
        },
        "Messages added to every request.",
      ),
    ),
  },
  "LLM policies: route types, guardrails and request shaping.",
);

export const Policies = Obj(
  {
    ai: opt(AiPolicy),
    backendAuth: opt(BackendAuth),
    apiKey: opt(ApiKey),
    localRateLimit: opt(
      Type.Array(RateLimit, { description: "Token buckets; a request must fit in every one." }),
    ),
    cors: opt(Cors),
    requestHeaderModifier: opt(HeaderModifier("Request")),
    responseHeaderModifier: opt(HeaderModifier("Response")),
    timeout: opt(Timeout),
    retry: opt(Retry),
  },
  "Policies applied to the requests of this route.",
);

// ---------------------------------------------------------------------------------------
// The binds form

const ValueMatch = Obj(
  {
    exact: opt(Type.String({ description: "The value must equal this." })),
    regex: opt(Type.String({ description: "The whole value must match this regular expression." })),
  },
  "How a value is matched. Give exactly one of exact or regex.",
);

const NamedMatch = (what: string) =>
  Obj(
    {
      name: Type.String({ minLength: 1, description: `The ${what} name.` }),
      value: ValueMatch,
    },
    `A ${what} that must be present with a matching value.`,
  );

const Match = Obj(
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

const ProviderOptions = (kind: string) =>
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

const OpenAIOptions = Obj(
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

const ProviderChoice = Obj(
  {
    openAI: opt(OpenAIOptions),
    anthropic: opt(ProviderOptions("Anthropic")),
    mock: opt(ProviderOptions("Mock")),
  },
  "The provider. Give exactly one of openAI, anthropic or mock.",
);

const AiBackend = Obj(
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

const Backend = Obj(
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

const Route = Obj(
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

const Listener = Obj(
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

const Bind = Obj(
  {
    port: Port("The TCP port to listen on."),
    address: opt(Type.String({ minLength: 1, description: "The address to listen on.", default: "0.0.0.0" })),
    listeners: Type.Array(Listener, { minItems: 1, description: "Listeners on this port." }),
  },
  "A port the gateway listens on.",
);

// ---------------------------------------------------------------------------------------
// The llm form

const LlmProvider = Obj(
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

const LlmModel = Obj(
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
          model: opt(
            Type.String({ minLength: 1, description: "The upstream model, replacing the requested one." }),
          ),
          baseUrl: opt(
            Type.String({ format: "uri", description: "The provider's base URL for these models." }),
          ),
        },
        "Provider parameters for these models.",
      ),
    ),
    passthrough: opt(PassthroughMode),
  },
  "A model binding: requests for matching names go to this provider.",
);

const LlmTarget = Obj(
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

const LlmRoute = Obj(
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

const LlmFunction = Obj(
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

const Llm = Obj(
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

// ---------------------------------------------------------------------------------------
// Process settings

const Process = Obj(
  {
    adminAddr: opt(
      Address(
        "Where /config_dump and /ui are served; keep it on loopback, it shows traffic.",
        "127.0.0.1:15000",
      ),
    ),
    statsAddr: opt(Address("Where /metrics is served.", "0.0.0.0:15020")),
    readinessAddr: opt(Address("Where /healthz/ready is served.", "0.0.0.0:15021")),
    logging: opt(
      Obj(
        {
          level: opt(
            StringEnum(["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const, {
              description: "The lowest level logged.",
              default: "info",
            }),
          ),
          format: opt(
            StringEnum(["json", "text"] as const, {
              description: "json (one object per line) or text (readable).",
              default: "json",
            }),
          ),
        },
        "Logging.",
      ),
    ),
    workers: opt(
      Type.Union(
        [
          Type.Integer({ minimum: 1, maximum: 256, description: "This many worker processes." }),
          Type.Literal("auto", { description: "One worker per core." }),
        ],
        { description: 'Worker processes: a number, or "auto" for one per core.', default: 1 },
      ),
    ),
    drainTimeout: opt(Duration("On SIGINT/SIGTERM, how long requests in flight may take to finish.", "30s")),
    maxRequestBody: opt(Size("The largest request body read on parsed LLM routes.", "2MiB")),
    clientHeadersTimeout: opt(
      Duration(
        "Longest a client may take to send its request line and headers; slower connections are closed (408).",
        "30s",
      ),
    ),
    clientRequestTimeout: opt(
      Duration(
        "Longest a client may take to send its whole request, body included (not the response); 0s turns it off.",
        "300s",
      ),
    ),
    maxHeaderSize: opt(
      Size("The largest request head (request line and headers) a client may send (431).", "16KiB"),
    ),
    maxHeaders: opt(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        description: "The most request headers a client may send; more is answered 431.",
        default: 100,
        examples: [100],
      }),
    ),
    tracing: opt(
      Obj(
        {
          otlpEndpoint: Type.String({
            format: "uri",
            description: "OTLP/HTTP endpoint that receives spans.",
            examples: ["http://127.0.0.1:4318/v1/traces"],
          }),
        },
        "Trace export.",
      ),
    ),
  },
  "Process settings, read at start.",
);

// ---------------------------------------------------------------------------------------
// The whole file

export const ConfigSchema = Obj(
  {
    config: opt(Process),
    binds: opt(Type.Array(Bind, { description: "Ports, listeners and routes (the full form)." })),
    llm: opt(Llm),
  },
  "The agw configuration.",
  { title: "agw configuration" },
);

export type Config = Static<typeof ConfigSchema>;
export type ProcessSettings = Static<typeof Process>;
export type BindConfig = Static<typeof Bind>;
export type ListenerConfig = Static<typeof Listener>;
export type RouteConfig = Static<typeof Route>;
export type MatchConfig = Static<typeof Match>;
export type BackendConfig = Static<typeof Backend>;
export type AiBackendConfig = Static<typeof AiBackend>;
export type PoliciesConfig = Static<typeof Policies>;
export type AiPolicyConfig = Static<typeof AiPolicy>;
export type GuardConfig = Static<typeof Guard>;
export type RetryConfig = Static<typeof Retry>;
export type TimeoutConfig = Static<typeof Timeout>;
export type RateLimitConfig = Static<typeof RateLimit>;
export type ApiKeyConfig = Static<typeof ApiKey>;
export type CorsConfig = Static<typeof Cors>;
export type LlmConfig = Static<typeof Llm>;
export type LlmProviderConfig = Static<typeof LlmProvider>;
export type LlmModelConfig = Static<typeof LlmModel>;
export type LlmTargetConfig = Static<typeof LlmTarget>;
export type LlmRouteConfig = Static<typeof LlmRoute>;
export type LlmFunctionConfig = Static<typeof LlmFunction>;
export type RouteTypeName = (typeof ROUTE_TYPES)[number];
export type ProviderKindName = (typeof PROVIDER_KINDS)[number];
export type StrategyName = (typeof STRATEGIES)[number];

/** The schema as JSON Schema draft-07, as written to schema/config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(ConfigSchema)) as Record<string, unknown>;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://agw.dev/schema/config.schema.json",
    ...body,
  };
}
