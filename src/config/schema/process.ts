/** Process settings, read at start. */
import { Type } from "@sinclair/typebox";
import { Address, Duration, MapOf, Obj, opt, Size, StringEnum } from "./shapes.js";

// ---------------------------------------------------------------------------------------
// Process settings

const UsdPerMillion = (description: string) =>
  Type.Number({ minimum: 0, description: `${description}, in USD per million tokens.` });

export const ModelPrice = Obj(
  {
    input: UsdPerMillion("Input tokens (neither read from nor written to the prompt cache)"),
    output: UsdPerMillion("Output tokens, reasoning included"),
    cacheRead: opt(UsdPerMillion("Input tokens read from the prompt cache; input's price when absent")),
    cacheWrite: opt(UsdPerMillion("Input tokens written to the prompt cache; input's price when absent")),
  },
  "A model's prices.",
);

export const Process = Obj(
  {
    adminAddr: opt(
      Address(
        "Where /config_dump and /ui are served; keep it on loopback, it shows traffic.",
        "127.0.0.1:15000",
      ),
    ),
    statsAddr: opt(Address("Where /metrics is served.", "0.0.0.0:15020")),
    readinessAddr: opt(Address("Where /healthz/ready is served.", "0.0.0.0:15021")),
    adminAllowedHosts: opt(
      Type.Array(
        Type.String({
          minLength: 1,
          description: "A host name (any port) the admin and stats servers answer in the Host header.",
        }),
        {
          description:
            "Host names, besides IP addresses, localhost and the server's own configured host, that the admin and /metrics servers answer; any other Host gets 403 (a guard against DNS rebinding).",
          examples: [["agw-admin.internal"]],
        },
      ),
    ),
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
    maxUpstreamResponse: opt(
      Size(
        "The largest upstream answer agw reads whole to parse (JSON answers on parsed LLM routes); a larger one is cut off and the caller gets 502 upstream_response_too_large.",
        "32MiB",
      ),
    ),
    maxUpstreamEvent: opt(
      Size(
        "The largest single server-sent event (or line) agw parses from an upstream stream; past it the stream ends with an upstream_response_too_large error event.",
        "16MiB",
      ),
    ),
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
    redis: opt(
      Obj(
        {
          url: Type.String({
            pattern: "^rediss?://",
            description:
              "The Redis that agw instances share (globalRateLimit buckets, budgets' spend): redis:// or rediss:// (TLS), with an optional password (redis://:PASSWORD@host:6379/0). A secret: never printed.",
            examples: ["redis://127.0.0.1:6379", "rediss://:$REDIS_PASSWORD@redis.internal:6380/0"],
          }),
          keyPrefix: opt(
            Type.String({
              minLength: 1,
              maxLength: 64,
              pattern: "^[A-Za-z0-9_.:-]+$",
              description: "Prefix of every key agw writes, so several gateways can share one Redis.",
              default: "agw",
            }),
          ),
          timeout: opt(
            Duration(
              "How long a rate-limit or budget check waits for Redis; past it the limit's failureMode applies and budgets use this process's own spend.",
              "200ms",
            ),
          ),
        },
        "The shared store of several agw instances (connected when agw serves, not when it checks a file).",
      ),
    ),
    modelCatalog: opt(
      MapOf(ModelPrice, {
        description:
          "Prices by model name, over the shipped catalog (which they replace or extend): what the access log's cost, the cost metric and budgets use.",
        examples: [{ "my-finetune": { input: 3, output: 12, cacheRead: 1.5 } }],
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
