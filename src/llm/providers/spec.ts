/**
 * What agw needs to know about one kind of provider: where it lives, how a key is sent,
 * which wire format it speaks and which of the single-provider route types it serves. Each
 * kind is one folder beside this file; `registry.ts` lists them. Pure data and header
 * arithmetic: no I/O.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ProviderKindName, ProviderSettings } from "../../config/schema.js";
import type { IrFormat } from "../formats/ir.js";

/** The parts of an upstream request a signature covers (AWS SigV4 signs the request itself). */
export interface SignableRequest {
  readonly method: string;
  /** The Host header sent. */
  readonly host: string;
  /** The path as sent (percent-encoded), without a query. */
  readonly path: string;
  readonly body: string | Buffer;
}

/**
 * A credential obtained at request time (an OAuth access token, or a SigV4 signature from
 * cached credentials), cached and refreshed by its owner so that most calls resolve at once.
 * `authorize` rejects with an AuthorizeError.
 */
export interface RequestAuthorizer {
  /** Where the credential comes from, for explain and logs (never a secret). */
  readonly source: string;
  /** The header names the credential is sent in. */
  readonly headerNames: readonly string[];
  /**
   * Those of `headerNames` whose values are secrets an upstream may quote back (AWS's session
   * token, which a signature-mismatch error prints in its canonical request): redacted from
   * what the upstream answers, as a managed key is.
   */
  readonly secretHeaderNames?: readonly string[];
  /** Resolves to a flat name/value list of the headers to send (a signer signs `request`). */
  authorize(request?: SignableRequest): Promise<readonly string[]>;
  /**
   * Notes the upstream's clock, from an answer's Date header (a signature carries the time it
   * was made, and AWS refuses one more than 5 minutes off). True when this corrected the
   * authorizer's clock: a request it refused is worth signing again.
   */
  observeDate?(date: string): boolean;
}

/** Why a request-time credential could not be obtained: a message safe to show, and a status. */
export class AuthorizeError extends Error {
  constructor(
    readonly status: 502 | 503,
    message: string,
  ) {
    super(message);
    this.name = "AuthorizeError";
  }
}

/** An upstream API a request is sent to: a chat wire format, or embeddings. */
export type UpstreamApi = IrFormat | "embeddings";

export interface ProviderSpec {
  readonly kind: ProviderKindName;
  /** The service's name in messages ("OpenAI", "Anthropic"). */
  readonly title: string;
  /** The OpenTelemetry gen_ai.system value of this kind's requests. */
  readonly system: string;
  /** The public base URL, or undefined when the kind has no remote endpoint (mock). */
  readonly defaultBaseUrl: string | undefined;
  /** The request header names that carry a caller's credential for this kind. */
  readonly credentialHeaders: readonly string[];
  /** False for a kind that takes no key at all (the built-in mock). */
  readonly usesKey: boolean;
  /** How a caller sends its own key, for the 401 that asks for one. */
  readonly callerKeyHint: string;
  /** Appends the headers that carry `key` (flat name/value list, as undici takes it). */
  readonly appendKey: (out: string[], key: string) => void;
  /** Headers every request to this kind must carry; added when the request has none of the name. */
  readonly requiredHeaders: ReadonlyArray<readonly [name: string, value: string]>;
  /** The format requests are spoken in; "local" for a kind answered in-process. */
  readonly native: IrFormat | "local";
  /**
   * The format a request for this upstream model is spoken in, where it depends on the model
   * (Vertex AI) or on the client's format too (Bedrock: Claude natively for Anthropic clients).
   */
  readonly nativeFor?: (model: string, clientFormat: IrFormat) => IrFormat;
  /** Headers a request in wire format `api` carries besides the credential (Bedrock's guardrail headers). */
  readonly headersFor?: (api: IrFormat) => readonly string[];
  /**
   * Edits a request body in wire format `api` before it is sent (Vertex AI's rawPredict body;
   * Bedrock's InvokeModel body, which takes the caller's anthropic-beta header too).
   */
  readonly editBody?: (
    api: IrFormat,
    body: Record<string, unknown>,
    callerHeaders?: IncomingHttpHeaders,
  ) => Record<string, unknown>;
  /** The format this kind's error bodies are in, whatever the wire format (Bedrock's own errors). */
  readonly errorFormat?: IrFormat;
  /**
   * The status an AWS error kind (an x-amzn-ErrorType value) is reported with, where it differs
   * from the HTTP status (Bedrock's quota 400 is a 429): retry and fallback go by it too.
   */
  readonly errorStatus?: (awsErrorType: string) => number | undefined;
  /**
   * Streams answer in AWS's binary event-stream framing (Bedrock), not SSE: compiling a config
   * with such a provider loads the frame decoder, which is otherwise left unloaded.
   */
  readonly awsEventStreams?: boolean;
  /** Whether the kind can serve OpenAI Responses natively (on unless the config turns it off). */
  readonly responsesApi: boolean;
  /**
   * Anthropic count_tokens: forwarded upstream, counted in-process (the mock), estimated by agw
   * with a tokenizer (marked in a response header), or not served (501).
   */
  readonly tokenCount: "forward" | "local" | "estimate" | "none";
  /** Whether OpenAI embeddings are forwarded to this kind (501 otherwise). */
  readonly embeddings: boolean;
  /** A kind that works without a key (a local server): managed targets may have none. */
  readonly keyOptional?: boolean;
  /** API paths that differ from `/v1/<api>` under the base URL (joined as README says). */
  readonly apiPaths?: Readonly<Partial<Record<IrFormat, string>>>;
  /**
   * The path (and query) of a request under the base URL, for a kind whose paths depend on its
   * settings or on the upstream model (Azure deployments, Vertex AI's streaming methods);
   * `apiPaths` and the defaults otherwise.
   */
  readonly requestPath?: (api: UpstreamApi, model: string, stream: boolean) => string;
  /** Environment variables tried after env::<NAME>_API_KEY, as the service's own SDKs name them. */
  readonly conventionEnv?: readonly string[];
  /**
   * A request-time credential (an OAuth access token) used instead of a managed key; set by
   * `configure` when the provider's settings ask for one.
   */
  readonly authorizer?: RequestAuthorizer;
  /** The setting that switches the kind to request-time tokens, named in the missing-key error. */
  readonly tokenAuthHint?: string;
  /** A path every upstream URL of this kind has after its base URL (Azure's /openai/v1), opaque paths too. */
  readonly basePath?: string;
  /** The spec for one configured provider of this kind (its own settings block applied). */
  readonly configure?: (settings: ProviderSettings) => ProviderSpec;
}

const DEFAULT_API_PATHS: Readonly<Record<UpstreamApi, string>> = Object.freeze({
  "openai-chat": "/v1/chat/completions",
  "anthropic-messages": "/v1/messages",
  "openai-responses": "/v1/responses",
  gemini: "/v1beta/models/{model}:generateContent",
  "bedrock-converse": "/model/{model}/converse",
  embeddings: "/v1/embeddings",
});

/** The URL requests are joined to: the configured or default base URL, then the kind's basePath. */
export function upstreamBaseUrl(spec: ProviderSpec, baseUrl: string | undefined): string | undefined {
  const url = baseUrl ?? spec.defaultBaseUrl;
  if (url === undefined || spec.basePath === undefined) return url;
  const u = new URL(url);
  u.pathname = u.pathname.replace(/\/+$/, "") + spec.basePath;
  return u.toString();
}

/**
 * The API path a request for `api` is sent to (joined with the base URL's path). Gemini names
 * the model in the path (`{model}`) and streams from another method, as SSE.
 */
export function apiPathFor(spec: ProviderSpec, api: UpstreamApi, model?: string, stream = false): string {
  if (spec.requestPath !== undefined && model !== undefined) return spec.requestPath(api, model, stream);
  const path = (api === "embeddings" ? undefined : spec.apiPaths?.[api]) ?? DEFAULT_API_PATHS[api];
  if (!path.includes("{model}")) return path;
  const named = path.replace("{model}", model === undefined ? "{model}" : encodeURIComponent(model));
  return stream ? named.replace(/:generateContent$/, ":streamGenerateContent?alt=sse") : named;
}

/** The header names a key is sent in ("authorization"), for explain and the README. */
export function keyHeaderNames(spec: ProviderSpec): string[] {
  if (spec.authorizer !== undefined) return [...spec.authorizer.headerNames];
  if (!spec.usesKey) return [];
  const out: string[] = [];
  spec.appendKey(out, "k");
  return out.filter((_, i) => i % 2 === 0);
}

/** Whether a flat header list already has a header of this (lower-case) name. */
export function hasHeader(flat: readonly string[], lower: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() === lower) return true;
  return false;
}

/** Appends the kind's required headers the list does not have yet. */
export function appendRequiredHeaders(out: string[], spec: ProviderSpec): void {
  for (const [name, value] of spec.requiredHeaders) if (!hasHeader(out, name)) out.push(name, value);
}

/** The wire format a request is spoken to a provider in, from its client's format. */
export type ProviderWire = IrFormat | "local";

/**
 * A kind speaks its native format (for `model`, where that depends on the model), except that a
 * client's Responses request stays Responses where the provider serves that API (`responsesApi`,
 * as the config left it).
 */
export function wireFormatFor(
  spec: ProviderSpec,
  responsesApi: boolean,
  clientFormat: IrFormat,
  model?: string,
): ProviderWire {
  if (spec.native === "local") return "local";
  if (clientFormat === "openai-responses" && responsesApi) return "openai-responses";
  return spec.nativeFor !== undefined && model !== undefined
    ? spec.nativeFor(model, clientFormat)
    : spec.native;
}
