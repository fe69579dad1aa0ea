/**
 * The seam where the LLM pipeline plugs into the engine: what the server hands over.
 *
 * The engine decides the route type from the path (`ai.routes`). `passthrough` and `detect`
 * are handled by the opaque proxy; every other type (completions, messages, responses,
 * embeddings, models, anthropicTokenCount) is handed to an `LlmPipeline`:
 *
 *     routeType !== passthrough | detect  →  pipeline.handle(ctx)
 *
 * The pipeline owns everything after that (body parsing, model resolution, translation,
 * retries, usage): `createLlmPipeline` in src/llm/pipeline/pipeline.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestRecord } from "../../http/record.js";
import type { GatewayKey } from "../../policies/api-key.js";
import type { CompiledPolicies } from "../../policies/compile.js";
import type { AiBackendRuntime, BackendAuthRuntime, RouteRuntime, Runtime } from "../../runtime/snapshot.js";
import type { ParsedRouteType } from "../route-types.js";

/** What the server's gateway phase (CORS, gateway key, request rate limit) hands on to the backend side. */
export interface GatewayPolicyState {
  readonly policy: CompiledPolicies;
  /** The caller's gateway key (apiKey policy), never the key itself. */
  readonly key: GatewayKey | undefined;
  /** requestHeaderModifier over the flat header list that goes upstream; undefined: none. */
  readonly editRequestHeaders: ((flat: string[]) => string[]) | undefined;
  /** Headers added to the response when it is written (x-ratelimit-*); later phases may add. */
  readonly responseHeaders: Record<string, string>;
}

export interface PipelineContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  record: RequestRecord;
  runtime: Runtime;
  route: RouteRuntime;
  routeType: ParsedRouteType;
  /** Binds form: the backend picked by weight. `llm` form: undefined (the model decides). */
  backend: AiBackendRuntime | undefined;
  /** Sends the request as received (or with `body` when it was read) to a backend. */
  forward(backend: AiBackendRuntime, auth: BackendAuthRuntime, body?: Uint8Array): Promise<void>;
  /** The route's policies and the gateway phase's outcome (key, header edits); absent without policies. */
  gateway?: GatewayPolicyState;
}

export interface LlmPipeline {
  /** Answers the request; throws a GatewayError while nothing has been sent. */
  handle(ctx: PipelineContext): Promise<void>;
}
