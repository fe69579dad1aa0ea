/**
 * THE SEAM where the LLM pipeline (a later issue) plugs into the engine.
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
import type { AiBackendRuntime, BackendAuthRuntime, RouteRuntime, Runtime } from "../../runtime/snapshot.js";
import type { GatewayPolicyState } from "../../server/gateway-policies.js";
import type { ParsedRouteType } from "../route-types.js";

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
