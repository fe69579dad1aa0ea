/**
 * The compiled, immutable configuration the engine serves from (one "snapshot"). Built by
 * `compileConfig`, swapped whole on reload; a request keeps the snapshot it arrived on.
 * Everything a request needs is precomputed here: sorted listeners and matches, compiled
 * regular expressions, cumulative backend weights, resolved keys and upstream URL parts.
 */

import type { PoliciesConfig } from "../config/schema.js";
import type { PriceCatalog } from "../llm/catalog/cost.js";
import type { ModelPatternKind } from "../llm/model-pattern.js";
import type { ProviderSpec } from "../llm/providers/spec.js";
import type { RouteTypeTable } from "../llm/route-types.js";
import type { CompiledPolicies } from "../policies/compile.js";
import type { ClientLimits } from "./client-limits.js";
import type { Router } from "./plan.js";
import type { UpstreamTarget } from "./upstream.js";

export interface ValueMatcher {
  /** Lower-cased for headers. */
  readonly name: string;
  readonly exact: string | undefined;
  /** Anchored to the whole value. */
  readonly regex: RegExp | undefined;
}

export type PathKind = "exact" | "prefix" | "regex";

export interface CompiledMatch {
  readonly pathKind: PathKind;
  /** The exact path, or the prefix without a trailing slash ("" for "/"). */
  readonly path: string;
  /** `path + "/"`, precomputed for the segment-boundary test. */
  readonly pathSlash: string;
  readonly pathRegex: RegExp | undefined;
  readonly method: string | undefined;
  readonly headers: readonly ValueMatcher[];
  readonly query: readonly ValueMatcher[];
  readonly route: RouteRuntime;
}

export interface HostBackendRuntime {
  readonly kind: "host";
  readonly name: string;
  readonly weight: number;
  readonly target: UpstreamTarget;
}

export interface AiBackendRuntime {
  readonly kind: "ai";
  readonly name: string;
  readonly weight: number;
  readonly provider: ProviderSpec;
  /** Model that replaces the requested one (used by the LLM pipeline). */
  readonly model: string | undefined;
  /** Undefined for providers without a remote endpoint (mock). */
  readonly target: UpstreamTarget | undefined;
}

export type BackendRuntime = HostBackendRuntime | AiBackendRuntime;

/** `key`: the gateway's key, sent the provider's way. Absent: the caller's credential as sent. */
export type BackendAuthRuntime = { readonly kind: "key"; readonly key: string } | undefined;

/**
 * The credential of a request an ai route passes through unparsed (passthrough, detect):
 * the managed key only where the config lends it (`keyOnOpaquePaths`), else the caller's own.
 */
export interface OpaqueAuthRuntime {
  /** The key sent; undefined: the caller's own credential, as it came. */
  readonly auth: BackendAuthRuntime;
  /** A managed key is configured but not lent: the setting that would lend it (for errors and explain). */
  readonly withheldBy: string | undefined;
}

export interface LlmModelEntry {
  readonly pattern: string;
  readonly kind: ModelPatternKind;
  /** The exact name, the prefix, or the suffix. */
  readonly value: string;
  readonly backend: AiBackendRuntime;
  readonly auth: BackendAuthRuntime;
  /** What the opaque paths this entry serves carry. */
  readonly opaque: OpaqueAuthRuntime;
  readonly passthrough: "opaque" | "detect";
}

/** The `llm` form's model table, most specific entry first. */
export interface LlmModelTable {
  readonly entries: readonly LlmModelEntry[];
  /** What a request with no known model gets: the "*" entry, or the only entry. */
  readonly defaultEntry: LlmModelEntry | undefined;
}

export interface RouteRuntime {
  readonly name: string;
  readonly listenerName: string;
  readonly port: number;
  readonly backends: readonly BackendRuntime[];
  /** Running sums of the backends' weights, for weighted choice. */
  readonly cumulativeWeights: readonly number[];
  readonly totalWeight: number;
  readonly policies: PoliciesConfig | undefined;
  /**
   * The policy objects, compiled once per snapshot (rate-limit buckets included: a reload
   * starts every bucket full). Absent when the route has no `policies`.
   */
  readonly policy?: CompiledPolicies;
  readonly backendAuth: BackendAuthRuntime;
  /** backendAuth as it applies to the opaque paths of an ai backend (binds form). */
  readonly opaqueAuth: OpaqueAuthRuntime;
  /** Route types by path suffix; present when the route has an ai backend. */
  readonly routeTypes: RouteTypeTable | undefined;
  /** Upstream response-header and idle-body timeouts. */
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** Present on the route the `llm` form compiles into. */
  readonly llm: LlmModelTable | undefined;
  /**
   * Model routing for the LLM pipeline: on the `llm` form, the full resolution order (its
   * `models` entries are the pattern layer); on a binds route with ai backends, a weighted
   * pick over them with the route's retry and timeouts.
   */
  readonly router?: Router;
  /** llm.routeHeader: responses carry x-agw-route. */
  readonly routeHeader?: boolean;
}

export interface ListenerRuntime {
  readonly name: string;
  readonly hostKind: "exact" | "suffix" | "any";
  /** Lower-cased hostname, or ".suffix" for a wildcard. */
  readonly host: string;
  /** Every (route, match) pair, in precedence order. */
  readonly matches: readonly CompiledMatch[];
}

export interface BindRuntime {
  readonly port: number;
  readonly address: string;
  readonly exact: ReadonlyMap<string, ListenerRuntime>;
  /** Wildcard listeners, longest suffix first. */
  readonly suffixes: readonly ListenerRuntime[];
  readonly any: ListenerRuntime | undefined;
}

export interface ProcessRuntime {
  readonly drainTimeoutMs: number;
  readonly maxRequestBodyBytes: number;
  /** The largest upstream answer read whole (JSON answers on parsed routes). */
  readonly maxUpstreamResponseBytes: number;
  /** The largest single SSE event (or unfinished line) parsed from an upstream stream. */
  readonly maxUpstreamEventBytes: number;
  /** Slowloris and header limits of every server agw opens. */
  readonly clientLimits: ClientLimits;
  /** Only when the file sets it; the readiness endpoint is not opened otherwise. */
  readonly readinessAddr: string | undefined;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  readonly logFormat: "json" | "text";
}

export interface Runtime {
  readonly binds: ReadonlyMap<number, BindRuntime>;
  /** Every upstream this snapshot can reach, by pool key. */
  readonly upstreams: ReadonlyMap<string, UpstreamTarget>;
  readonly process: ProcessRuntime;
  /** Model prices (the shipped catalog with config.modelCatalog over it); the shipped one when absent. */
  readonly catalog?: PriceCatalog;
}
