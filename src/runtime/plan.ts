/**
 * The contract between model routing (which decides) and the LLM pipeline (which executes).
 *
 * Routing turns a requested model into a RoutingPlan: the path taken (passthrough, a route
 * or a function), the strategy, and the upstream candidates in the order they are to be
 * tried. The pipeline translates the request for each candidate and calls it through
 * `executePlan`, which applies retry and fallback. Types only: no behaviour lives here.
 */
import type { ProviderKindName, StrategyName } from "../config/schema.js";
import type { ProviderSpec, RequestAuthorizer } from "../llm/providers/spec.js";
import type { UpstreamTarget } from "./upstream.js";

/** How one candidate is authenticated upstream. Keys are values; `source` is safe to show. */
export type CandidateAuth =
  /** The gateway's key (managed target, binds backendAuth.key, llm.models params.apiKey). */
  | { readonly kind: "managed"; readonly key: string; readonly source: string }
  /** The caller's own key, moved to the header the provider expects; 401 when the caller sent none. */
  | { readonly kind: "caller" }
  /** passthroughCredential: managedFirst: the managed key when one resolved, else the caller's. */
  | { readonly kind: "managedFirst"; readonly key: string | undefined; readonly source: string }
  /** A request-time credential the gateway obtains (an Entra ID token); the caller's key is never sent. */
  | { readonly kind: "authorizer"; readonly authorizer: RequestAuthorizer; readonly source: string }
  /** No credential at all (the built-in mock provider). */
  | { readonly kind: "none" };

export interface Candidate {
  /** The target's name; for passthrough, the provider's (or binds backend's) name. */
  readonly name: string;
  /** The configured provider this candidate belongs to (llm.providers[].name or backend name). */
  readonly providerName: string;
  readonly provider: ProviderSpec;
  /** Where requests go; undefined for providers without a remote endpoint (mock). */
  readonly upstream: UpstreamTarget | undefined;
  /** The model sent upstream; undefined keeps the requested model (passthrough). */
  readonly model: string | undefined;
  readonly auth: CandidateAuth;
  /** Whether the upstream serves /v1/responses natively (openAI kind). */
  readonly responsesApi: boolean;
  /** Longest wait for response headers. */
  readonly headersTimeoutMs: number;
  /** Longest gap between two body chunks (streams). */
  readonly bodyTimeoutMs: number;
  /** The model's output cap from config (llm.models[].params.maxOutputTokens), over the built-in table. */
  readonly maxOutputTokens?: number;
}

export type RoutingPath =
  | { readonly kind: "passthrough" }
  | { readonly kind: "route"; readonly name: string }
  | { readonly kind: "function"; readonly name: string };

export interface RetryPolicy {
  /** Retries after the first try of a candidate (0: none). */
  readonly attempts: number;
  /** Base delay, doubled per retry, with jitter. */
  readonly backoffMs: number;
  /** Longest Retry-After honoured. */
  readonly maxRetryAfterMs: number;
  /** Upstream statuses that are retried. */
  readonly codes: ReadonlySet<number>;
}

export interface RoutingPlan {
  /** The model the caller asked for (after any alias), e.g. "gpt-4o" or "openai::gpt-4o". */
  readonly requestedModel: string;
  readonly path: RoutingPath;
  readonly strategy: StrategyName;
  /**
   * In the order they are tried. single and weighted: one candidate (the weighted one is
   * already chosen); fallback: every target in order.
   */
  readonly candidates: readonly Candidate[];
  readonly retry: RetryPolicy;
}

/** Resolves a requested model; throws GatewayError(404, "model_not_found") when nothing serves it. */
export interface Router {
  plan(model: string): RoutingPlan;
  /** Model names served without a prefix (for /v1/models). */
  models?(): readonly string[];
  /** Every upstream a plan can name, so the engine opens and releases their pools with the snapshot. */
  upstreams?(): readonly UpstreamTarget[];
  /** The kind of every provider a plan can name (provider name → kind), for telemetry labels. */
  providerKinds?(): ReadonlyMap<string, ProviderKindName>;
}

/** Why one upstream attempt did not produce a response for the client. */
export interface UpstreamFailure {
  /** "credential": the request-time credential could not be obtained (nothing was sent). */
  readonly kind: "connect" | "timeout" | "status" | "credential";
  /** The upstream status, for kind "status"; the gateway's (502/503) for kind "credential". */
  readonly status?: number;
  /** From the upstream's Retry-After, in ms. */
  readonly retryAfterMs?: number;
  /** The upstream's error body, kept so the last failure can be returned in the caller's envelope. */
  readonly body?: Uint8Array;
  /** AWS's error type header (x-amzn-ErrorType), which its error bodies do not repeat. */
  readonly errorType?: string;
  /** The upstream's Date header: a signer whose clock is off corrects it by this. */
  readonly date?: string;
  readonly message: string;
}

/** One try of one candidate, as the pipeline performs it. */
export type AttemptResult =
  /** The response (success, or an error that must not be retried) was handed to the client. */
  { readonly ok: true } | { readonly ok: false; readonly failure: UpstreamFailure };

export interface ExecutionOutcome {
  /** The candidate that answered, or the last one tried. */
  readonly candidate: Candidate;
  /** Attempts made in all, across candidates. */
  readonly attempts: number;
  /** Times a fallback moved on to the next candidate. */
  readonly fallbacks: number;
  /** Undefined when a candidate answered; the last failure otherwise. */
  readonly failure: UpstreamFailure | undefined;
}
