/**
 * What resolving a model yields before a strategy picks: the layer that matched, the routing
 * path, and every member with its weight. `plan` draws from it per request; `explain` prints it.
 */
import type { StrategyName } from "../../config/schema.js";
import type { Candidate, RetryPolicy, RoutingPath } from "../../runtime/plan.js";

/** Which rule of the resolution order matched. */
export type ResolutionLayer =
  | "providerPrefix"
  | "routePrefix"
  | "functionPrefix"
  | "function"
  | "route"
  | "bareTarget"
  | "modelEntry"
  | "provider"
  | "modelPattern"
  | "bindsRoute";

export type Member =
  | { readonly kind: "candidate"; readonly weight: number; readonly candidate: Candidate }
  /** A function over models: each model resolves as a request for it would. */
  | {
      readonly kind: "model";
      readonly weight: number;
      readonly model: string;
      readonly resolution: Resolution;
    };

export interface Resolution {
  /** The model as the caller wrote it. */
  readonly requestedModel: string;
  readonly layer: ResolutionLayer;
  readonly path: RoutingPath;
  readonly strategy: StrategyName;
  readonly members: readonly Member[];
  readonly retry: RetryPolicy;
  /** The llm.models pattern that matched (modelEntry, modelPattern). */
  readonly pattern?: string;
}

/** The path as recorded: "passthrough", "route:<name>" or "function:<name>". */
export function pathLabel(path: RoutingPath): string {
  return path.kind === "passthrough" ? "passthrough" : `${path.kind}:${path.name}`;
}
