/** The router's compiled lookup tables: built once per config, read on every request. */

import type { StrategyName } from "../../config/schema.js";
import type { Candidate, RetryPolicy, RoutingPath } from "../../runtime/plan.js";
import type { UpstreamTarget } from "../../runtime/upstream.js";
import type { ModelPatternKind } from "../model-pattern.js";
import type { ProviderSpec } from "../providers/spec.js";
import type { Member } from "./resolution.js";

export interface ProviderEntry {
  readonly name: string;
  readonly spec: ProviderSpec;
  readonly upstream: UpstreamTarget | undefined;
  /** The credential of passthrough requests (caller, managedFirst, or none for mock). */
  readonly passthrough: Candidate["auth"];
  readonly responsesApi: boolean;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

/** An explicit route, a bare target's route, or an exact llm.models entry. */
export interface RouteEntry {
  readonly name: string;
  readonly layer: "route" | "bareTarget" | "modelEntry";
  readonly path: RoutingPath;
  readonly strategy: StrategyName;
  readonly members: readonly Member[];
  readonly retry: RetryPolicy;
  readonly pattern?: string;
}

export interface FunctionEntry {
  readonly name: string;
  readonly strategy: StrategyName;
  readonly members: readonly Member[];
  readonly retry: RetryPolicy;
}

export type PatternKind = Exclude<ModelPatternKind, "exact">;

/** A pattern llm.models entry: the candidate depends on the model asked for. */
export interface PatternEntry {
  readonly pattern: string;
  readonly kind: PatternKind;
  readonly value: string;
  readonly candidateFor: (model: string) => Candidate;
}

export interface RouterTables {
  readonly providers: ReadonlyMap<string, ProviderEntry>;
  readonly functions: ReadonlyMap<string, FunctionEntry>;
  /** Routes callable as route::name (explicit routes, then bare targets by the target's name). */
  readonly routesByName: ReadonlyMap<string, RouteEntry>;
  /** Model → route: explicit routes, then bare targets, then exact llm.models entries. */
  readonly routesByModel: ReadonlyMap<string, RouteEntry>;
  /** Model → the first provider whose models list it. */
  readonly providersByModel: ReadonlyMap<string, ProviderEntry>;
  /** Pattern entries, most specific first: longest prefix, longest suffix, then "*". */
  readonly patterns: readonly PatternEntry[];
  /** The default retry policy (llm.policies.retry), used where a route names none. */
  readonly retry: RetryPolicy;
}
