/** Policies: the same set on a binds route and under llm.policies. */
import { Type } from "@sinclair/typebox";
import {
  Credential,
  Duration,
  JsonValue,
  MapOf,
  Name,
  Obj,
  opt,
  RouteType,
  StringEnum,
  StringMap,
} from "./shapes.js";

// ---------------------------------------------------------------------------------------
// Policies

export const Retry = Obj(
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

export const Timeout = Obj(
  {
    requestTimeout: opt(Duration("Longest wait for the upstream's response headers.", "300s")),
    streamIdleTimeout: opt(Duration("Longest gap between two chunks of a streamed response.", "60s")),
  },
  "Upstream timeouts.",
);

export const HeaderModifier = (what: string) =>
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

export const Cors = Obj(
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

export const BUDGET_PERIOD_PATTERN = "^(daily|weekly|monthly|[0-9]+(ms|s|m|h))$";

export const Budget = Obj(
  {
    usd: Type.Number({ exclusiveMinimum: 0, description: "The most USD spent per period.", examples: [50] }),
    period: Type.String({
      pattern: BUDGET_PERIOD_PATTERN,
      description:
        "daily, weekly (from Monday) and monthly start at 00:00 UTC; a duration (e.g. 12h) is a window counted from the Unix epoch.",
      examples: ["monthly", "daily", "12h"],
    }),
  },
  "A spending limit: once the period's spend (usage × the model price catalog) reaches usd, requests get 429 budget_exceeded until the period ends.",
);

export const ApiKeyEntry = Obj(
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
    budget: opt(Budget),
    allowOpaquePaths: opt(
      Type.Boolean({
        description:
          "Whether this key, when allowedModels limits it, may use paths agw passes through unparsed (passthrough, detect: /v1/files, /v1/batches, ...), where no model is checked. The policy's allowOpaquePaths when absent.",
      }),
    ),
  },
  "A gateway key. Give exactly one of key or keyHash.",
);

export const ApiKey = Obj(
  {
    keys: Type.Array(ApiKeyEntry, { minItems: 1, description: "The accepted gateway keys." }),
    header: opt(
      Type.String({
        minLength: 1,
        description: "The request header that carries the gateway key.",
        default: "x-agw-authorization",
      }),
    ),
    allowOpaquePaths: opt(
      Type.Boolean({
        description:
          "Whether keys that allowedModels limits may use paths agw passes through unparsed (passthrough, detect), where no model is checked; a key's own allowOpaquePaths wins. Keys without allowedModels always may.",
        default: false,
      }),
    ),
  },
  "Gateway keys: callers must present one. The header is consumed and never forwarded upstream.",
);

export const BackendAuth = Obj(
  {
    key: opt(
      Credential(
        "The key sent upstream, the provider's way (Authorization: Bearer, or x-api-key for Anthropic).",
      ),
    ),
    passthrough: opt(Obj({}, "Send the caller's own credential (Authorization or x-api-key) as it came.")),
    keyOnOpaquePaths: opt(
      Type.Boolean({
        description:
          "Whether key also goes on paths passed through unparsed (passthrough, detect: /v1/files, /v1/batches, ...); when false they carry the caller's own credential.",
        default: false,
      }),
    ),
  },
  "How the upstream is authenticated. Give exactly one of key or passthrough.",
);

export const RateLimit = Obj(
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

export const Rejection = Obj(
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

export const RegexRule = Obj(
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

export const Guard = Obj(
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

export const PromptMessage = Obj(
  {
    role: StringEnum(["system", "user", "assistant"] as const, {
      description: "Who says it.",
    }),
    content: Type.String({ description: "The message text." }),
  },
  "A message added to every request.",
);

export const AiPolicy = Obj(
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
    hostedTools: opt(
      StringEnum(["drop", "refuse"] as const, {
        description:
          "Responses API hosted tools (web_search, file_search, code_interpreter, ...) in a request for an upstream that cannot run them: drop them (named in the x-agw-dropped-tools response header and the access log) or refuse the request with 400. Default drop.",
        default: "drop",
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

export const GlobalRateLimit = Obj(
  {
    ...RateLimit.properties,
    failureMode: opt(
      StringEnum(["open", "closed"] as const, {
        description:
          "When Redis does not answer within config.redis.timeout: open (admit, each process enforcing the same limit on its own) or closed (503 rate_limit_unavailable).",
        default: "open",
      }),
    ),
  },
  "A token bucket kept in Redis (config.redis), shared by every agw instance and worker.",
);

export const Policies = Obj(
  {
    ai: opt(AiPolicy),
    backendAuth: opt(BackendAuth),
    apiKey: opt(ApiKey),
    localRateLimit: opt(
      Type.Array(RateLimit, { description: "Token buckets; a request must fit in every one." }),
    ),
    globalRateLimit: opt(
      Type.Array(GlobalRateLimit, {
        description:
          "Token buckets shared by every agw instance through Redis (config.redis); a request must fit in every one.",
      }),
    ),
    budget: opt(Budget),
    cors: opt(Cors),
    requestHeaderModifier: opt(HeaderModifier("Request")),
    responseHeaderModifier: opt(HeaderModifier("Response")),
    timeout: opt(Timeout),
    retry: opt(Retry),
  },
  "Policies applied to the requests of this route.",
);
