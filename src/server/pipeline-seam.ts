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
 * retries, usage). Until it exists, `createInterimPipeline` forwards same-format requests
 * opaquely: on the `llm` form it reads the body's `model` only when several model entries
 * could apply, otherwise the body streams untouched.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { modelEntryFor } from "../config/compile.js";
import { GatewayError } from "../errors.js";
import type { ParsedRouteType } from "../llm/route-types.js";
import type { RequestRecord } from "./record.js";
import type { AiBackendRuntime, BackendAuthRuntime, RouteRuntime, Runtime } from "./runtime.js";

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
}

export interface LlmPipeline {
  /** Answers the request; throws a GatewayError while nothing has been sent. */
  handle(ctx: PipelineContext): Promise<void>;
}

/** The API family each parsed route type speaks. */
const NATIVE_KIND: Readonly<Record<ParsedRouteType, "openAI" | "anthropic">> = {
  completions: "openAI",
  responses: "openAI",
  embeddings: "openAI",
  models: "openAI",
  messages: "anthropic",
  anthropicTokenCount: "anthropic",
};

/** Reads a request body up to `limit` bytes; 413 beyond. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "0");
  const tooLarge = () =>
    new GatewayError(413, "request_body_too_large", `The request body is larger than ${limit} bytes.`, {
      connection: "close",
    });
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const c = chunk as Buffer;
    size += c.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(c);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function modelOf(body: Uint8Array): string {
  let obj: unknown;
  try {
    obj = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch {
    throw new GatewayError(400, "invalid_request_body", "The request body is not valid JSON.");
  }
  const model = (obj as { model?: unknown } | null)?.model;
  if (typeof model !== "string" || model === "") {
    throw new GatewayError(400, "missing_model", "The request body has no model.");
  }
  return model;
}

function checkSameFormat(backend: AiBackendRuntime, routeType: ParsedRouteType): void {
  if (backend.provider.kind !== NATIVE_KIND[routeType]) {
    throw new GatewayError(
      501,
      "not_implemented",
      `Translating ${routeType} requests to the ${backend.provider.kind} API is not available yet.`,
    );
  }
}

export function createInterimPipeline(): LlmPipeline {
  return {
    async handle(ctx) {
      const table = ctx.route.llm;
      if (table === undefined) {
        const backend = ctx.backend!;
        checkSameFormat(backend, ctx.routeType);
        return ctx.forward(backend, ctx.route.backendAuth);
      }
      // Only one entry: the model cannot change the choice, so the body streams unread.
      if (table.entries.length === 1) {
        const entry = table.entries[0]!;
        checkSameFormat(entry.backend, ctx.routeType);
        return ctx.forward(entry.backend, entry.auth);
      }
      const body = await readBody(ctx.req, ctx.runtime.process.maxRequestBodyBytes);
      const model = modelOf(body);
      ctx.record.model = model;
      const entry = modelEntryFor(table, model);
      if (entry === undefined) {
        throw new GatewayError(404, "model_not_found", `No provider serves the model "${model}".`);
      }
      checkSameFormat(entry.backend, ctx.routeType);
      return ctx.forward(entry.backend, entry.auth, body);
    },
  };
}
