/**
 * Turns (request, script) into the response the mock sends: status, headers and the body as
 * natural pieces (one per SSE event, or the whole JSON). Pure: no sockets here.
 */
import {
  anthropicAllText,
  anthropicLastUserText,
  anthropicMessage,
  anthropicStreamEvents,
} from "./anthropic-messages.js";
import { countTokens, resolveReply } from "./context.js";
import { anthropicError, openaiError } from "./errors.js";
import { chatAllText, chatCompletion, chatLastUserText, chatStreamEvents, isRecord } from "./openai-chat.js";
import { anthropicModelList, embeddingsResponse, openaiModelList } from "./openai-misc.js";
import {
  responsesAllText,
  responsesLastUserText,
  responsesObject,
  responsesStreamEvents,
} from "./openai-responses.js";
import { renderSseEvent } from "./sse.js";
import type { ReplySpec, SseEvent, WireContext } from "./types.js";

export type RouteKind =
  | "chat"
  | "responses"
  | "embeddings"
  | "models"
  | "messages"
  | "countTokens"
  | "unknown";

/** Route kind by path suffix, with or without a `/v1` prefix. */
export function routeKind(method: string, pathname: string): RouteKind {
  const p = pathname.replace(/\/+$/u, "");
  if (method === "GET" && p.endsWith("/models")) return "models";
  if (method !== "POST") return "unknown";
  if (p.endsWith("/chat/completions")) return "chat";
  if (p.endsWith("/responses")) return "responses";
  if (p.endsWith("/embeddings")) return "embeddings";
  if (p.endsWith("/messages/count_tokens")) return "countTokens";
  if (p.endsWith("/messages")) return "messages";
  return "unknown";
}

export function isAnthropicKind(kind: RouteKind, headers: Record<string, string>): boolean {
  return (
    kind === "messages" || kind === "countTokens" || (kind === "models" && "anthropic-version" in headers)
  );
}

/** What a script may say about the body; the socket-level parts live in the mock. */
export interface BodyScript {
  status?: number;
  headers?: Record<string, string>;
  reply?: ReplySpec;
  json?: unknown;
  raw?: string | Buffer;
  events?: (string | SseEvent)[];
  error?: {
    status: number;
    format: "openai" | "anthropic";
    type?: string;
    message: string;
    retryAfter?: number;
  };
}

export interface RenderInput {
  method: string;
  pathname: string;
  headers: Record<string, string>;
  json: unknown;
  requestId: string;
  models: readonly string[];
  ctx: WireContext;
}

export interface PlannedResponse {
  status: number;
  headers: Record<string, string>;
  pieces: Buffer[];
  /** SSE bodies are sent chunked; others carry content-length. */
  streaming: boolean;
}

const JSON_TYPE = "application/json";
const SSE_TYPE = "text/event-stream; charset=utf-8";

const sse = (events: readonly (string | SseEvent)[]) =>
  events.map((e) => Buffer.from(renderSseEvent(e), "utf8"));

export function renderResponse(input: RenderInput, script: BodyScript): PlannedResponse {
  const kind = routeKind(input.method, input.pathname);
  const anthropic = isAnthropicKind(kind, input.headers);
  const body = isRecord(input.json) ? input.json : {};
  const wantsStream = body.stream === true;
  const pretty = !anthropic;
  const jsonPieces = (v: unknown) => [
    Buffer.from(pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v), "utf8"),
  ];

  const base: Record<string, string> = anthropic
    ? { "request-id": input.requestId }
    : { "x-request-id": input.requestId, "openai-processing-ms": "1", "openai-version": "2020-10-01" };

  const done = (
    status: number,
    contentType: string,
    pieces: Buffer[],
    streaming: boolean,
  ): PlannedResponse => {
    const headers: Record<string, string> = { ...base, "content-type": contentType };
    if (streaming) headers["cache-control"] = "no-cache";
    return {
      status: script.status ?? status,
      headers: { ...headers, ...lower(script.headers) },
      pieces,
      streaming,
    };
  };

  if (script.error) {
    const e = script.error;
    const envelope =
      e.format === "anthropic"
        ? anthropicError(e.status, e.message, e.type, input.requestId)
        : openaiError(e.status, e.message, e.type);
    const res = done(e.status, JSON_TYPE, [Buffer.from(JSON.stringify(envelope), "utf8")], false);
    if (e.retryAfter !== undefined && !("retry-after" in res.headers)) {
      res.headers["retry-after"] = String(e.retryAfter);
    }
    return res;
  }
  if (script.json !== undefined) return done(200, JSON_TYPE, jsonPieces(script.json), false);
  if (script.raw !== undefined) {
    const raw = typeof script.raw === "string" ? Buffer.from(script.raw, "utf8") : script.raw;
    return done(200, wantsStream ? SSE_TYPE : JSON_TYPE, [raw], wantsStream);
  }
  if (script.events !== undefined) return done(200, SSE_TYPE, sse(script.events), true);

  const model = typeof body.model === "string" ? body.model : "mock-model";
  const { ctx } = input;
  switch (kind) {
    case "chat": {
      const r = resolveReply(script.reply ?? { text: `echo: ${chatLastUserText(body)}` }, ctx, {
        model,
        inputTokens: countTokens(chatAllText(body)),
        toolIdPrefix: "call_",
      });
      if (!wantsStream) return done(200, JSON_TYPE, jsonPieces(chatCompletion(r, ctx)), false);
      const so = body.stream_options;
      const includeUsage = isRecord(so) && so.include_usage === true;
      return done(200, SSE_TYPE, sse(chatStreamEvents(r, ctx, { includeUsage })), true);
    }
    case "responses": {
      const r = resolveReply(script.reply ?? { text: `echo: ${responsesLastUserText(body)}` }, ctx, {
        model,
        inputTokens: countTokens(responsesAllText(body)),
        toolIdPrefix: "call_",
      });
      if (!wantsStream) return done(200, JSON_TYPE, jsonPieces(responsesObject(r, ctx, body)), false);
      return done(200, SSE_TYPE, sse(responsesStreamEvents(r, ctx, body)), true);
    }
    case "messages": {
      const r = resolveReply(script.reply ?? { text: `echo: ${anthropicLastUserText(body)}` }, ctx, {
        model,
        inputTokens: countTokens(anthropicAllText(body)),
        toolIdPrefix: "toolu_",
      });
      if (!wantsStream) return done(200, JSON_TYPE, jsonPieces(anthropicMessage(r, ctx)), false);
      return done(200, SSE_TYPE, sse(anthropicStreamEvents(r, ctx)), true);
    }
    case "countTokens":
      return done(200, JSON_TYPE, jsonPieces({ input_tokens: countTokens(anthropicAllText(body)) }), false);
    case "embeddings":
      return done(200, JSON_TYPE, jsonPieces(embeddingsResponse(body, model, countTokens)), false);
    case "models":
      return done(
        200,
        JSON_TYPE,
        jsonPieces(
          anthropic
            ? anthropicModelList(input.models, ctx.created)
            : openaiModelList(input.models, ctx.created),
        ),
        false,
      );
    case "unknown": {
      const msg = `Invalid URL (${input.method} ${input.pathname})`;
      return done(404, JSON_TYPE, jsonPieces(openaiError(404, msg, "invalid_request_error", null)), false);
    }
  }
}

function lower(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}
