import { anthropicErrorFromIR, anthropicErrorToIR } from "./anthropic-messages/error.js";
import { anthropicRequestToIR } from "./anthropic-messages/request.js";
import { anthropicRequestFromIR } from "./anthropic-messages/request-from-ir.js";
import {
  anthropicResponseFromIR,
  anthropicResponseToIR,
  anthropicUsageToIR,
} from "./anthropic-messages/response.js";
import { createAnthropicStreamDecoder, createAnthropicStreamEncoder } from "./anthropic-messages/stream.js";
import { converseRequestToIR, createConverseStreamEncoder } from "./bedrock-converse/client.js";
import { converseErrorFromIR, converseErrorToIR } from "./bedrock-converse/error.js";
import { converseRequestFromIR } from "./bedrock-converse/request.js";
import {
  converseResponseFromIR,
  converseResponseToIR,
  converseUsageToIR,
} from "./bedrock-converse/response.js";
import { createConverseStreamDecoder } from "./bedrock-converse/stream.js";
import { geminiRequestToIR } from "./gemini/client-request.js";
import { createGeminiStreamEncoder, geminiResponseFromIR } from "./gemini/client-response.js";
import { geminiErrorFromIR, geminiErrorToIR } from "./gemini/error.js";
import { geminiRequestFromIR } from "./gemini/request.js";
import { geminiResponseToIR, geminiUsageToIR } from "./gemini/response.js";
import { createGeminiStreamDecoder } from "./gemini/stream.js";
import type {
  ErrorFromIrResult,
  IrError,
  IrFormat,
  IrRequest,
  IrResponse,
  IrToolOrigin,
  IrUsage,
  RequestFromIrResult,
  RequestToIrResult,
  ResponseFromIrResult,
  ResponseToIrResult,
  StreamDecoder,
  StreamEncoder,
} from "./ir.js";
import { openAiErrorFromIR, openAiErrorToIR } from "./openai-chat/error.js";
import { chatRequestFromIR, chatRequestToIR } from "./openai-chat/request.js";
import { chatResponseFromIR, chatResponseToIR, chatUsageToIR } from "./openai-chat/response.js";
import { createChatStreamDecoder, createChatStreamEncoder } from "./openai-chat/stream.js";
import { responsesErrorFromIR } from "./openai-responses/error.js";
import { responsesRequestFromIR, responsesRequestToIR } from "./openai-responses/request.js";
import {
  responsesResponseFromIR,
  responsesResponseToIR,
  responsesUsageToIR,
} from "./openai-responses/response.js";
import { createResponsesStreamDecoder, createResponsesStreamEncoder } from "./openai-responses/stream.js";
import { asString, type Json, makeUsage } from "./util.js";

export interface ConverterOptions {
  /** Anthropic upstream (and Claude on Bedrock): max_tokens when the client gave none (default 4096). */
  defaultMaxTokens?: number;
  /** Anthropic upstream (and Claude on Bedrock): the model's output cap, over the built-in table (model-limits.ts). */
  maxOutputTokens?: number;
  /** Chat upstream: which field carries the token limit (default max_completion_tokens). */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Chat client: its stream_options.include_usage (send the usage-only chunk). */
  includeUsage?: boolean;
  /** Clock for `created` fields. */
  now?: () => number;
  /** Responses client: id generator for items the upstream format has no id for. */
  newId?: (prefix: string) => string;
  /** Responses client: the tools its request renamed (namespaced, custom), named back in its answer. */
  toolOrigins?: ReadonlyMap<string, IrToolOrigin> | undefined;
}

/** Everything needed to speak one wire format, as client and as upstream. */
export interface FormatConverters {
  readonly format: IrFormat;
  requestToIR(body: unknown): RequestToIrResult;
  requestFromIR(ir: IrRequest, opts?: ConverterOptions): RequestFromIrResult;
  responseToIR(body: unknown): ResponseToIrResult;
  /**
   * The usage and model of a response body, as responseToIR gives them, without converting the
   * rest (the same-format path reads only these for accounting).
   */
  responseUsage(body: Json): { usage: IrUsage; model: string };
  responseFromIR(ir: IrResponse, opts?: ConverterOptions): ResponseFromIrResult;
  createDecoder(): StreamDecoder;
  createEncoder(opts?: ConverterOptions): StreamEncoder;
  errorToIR(status: number, body: unknown, retryAfterHeader?: string): IrError;
  errorFromIR(err: IrError): ErrorFromIrResult;
}

function usageOf(body: Json, usage: IrUsage | undefined): { usage: IrUsage; model: string } {
  return { usage: usage ?? makeUsage(0, 0), model: asString(body.model) ?? "" };
}

const openAiChat: FormatConverters = {
  format: "openai-chat",
  requestToIR: chatRequestToIR,
  requestFromIR: (ir, o) =>
    chatRequestFromIR(ir, o?.maxTokensField ? { maxTokensField: o.maxTokensField } : {}),
  responseToIR: chatResponseToIR,
  responseUsage: (b) => usageOf(b, chatUsageToIR(b.usage)),
  responseFromIR: (ir, o) => chatResponseFromIR(ir, o?.now),
  createDecoder: createChatStreamDecoder,
  createEncoder: (o) =>
    createChatStreamEncoder({ includeUsage: o?.includeUsage === true, ...(o?.now ? { now: o.now } : {}) }),
  errorToIR: openAiErrorToIR,
  errorFromIR: openAiErrorFromIR,
};

const anthropicMessages: FormatConverters = {
  format: "anthropic-messages",
  requestToIR: anthropicRequestToIR,
  requestFromIR: (ir, o) =>
    anthropicRequestFromIR(ir, {
      ...(o?.defaultMaxTokens !== undefined ? { defaultMaxTokens: o.defaultMaxTokens } : {}),
      ...(o?.maxOutputTokens !== undefined ? { maxOutputTokens: o.maxOutputTokens } : {}),
    }),
  responseToIR: anthropicResponseToIR,
  responseUsage: (b) => usageOf(b, anthropicUsageToIR(b.usage)),
  responseFromIR: (ir) => anthropicResponseFromIR(ir),
  createDecoder: createAnthropicStreamDecoder,
  createEncoder: () => createAnthropicStreamEncoder(),
  errorToIR: anthropicErrorToIR,
  errorFromIR: anthropicErrorFromIR,
};

const openAiResponses: FormatConverters = {
  format: "openai-responses",
  requestToIR: responsesRequestToIR,
  requestFromIR: (ir) => responsesRequestFromIR(ir),
  responseToIR: responsesResponseToIR,
  responseUsage: (b) => usageOf(b, responsesUsageToIR(b.usage)),
  responseFromIR: (ir, o) => responsesResponseFromIR(ir, o ?? {}),
  createDecoder: createResponsesStreamDecoder,
  createEncoder: (o) => createResponsesStreamEncoder(o ?? {}),
  errorToIR: openAiErrorToIR,
  errorFromIR: responsesErrorFromIR,
};

/**
 * Gemini's generateContent: spoken to a `provider: gemini` upstream, and understood from a
 * Gemini-format client (the model and streaming come from its URL; see client-request.ts).
 */
const gemini: FormatConverters = {
  format: "gemini",
  requestToIR: geminiRequestToIR,
  requestFromIR: (ir) => geminiRequestFromIR(ir),
  responseToIR: geminiResponseToIR,
  responseUsage: (b) => ({
    usage: geminiUsageToIR(b.usageMetadata) ?? makeUsage(0, 0),
    model: asString(b.modelVersion) ?? "",
  }),
  responseFromIR: (ir) => geminiResponseFromIR(ir),
  createDecoder: createGeminiStreamDecoder,
  createEncoder: () => createGeminiStreamEncoder(),
  errorToIR: geminiErrorToIR,
  errorFromIR: geminiErrorFromIR,
};

/**
 * AWS Bedrock's Converse: spoken to Bedrock upstreams only. No client route speaks it, so its
 * client-side directions refuse (requestToIR, createEncoder) or give a plain body (responses, errors).
 */
const bedrockConverse: FormatConverters = {
  format: "bedrock-converse",
  requestToIR: converseRequestToIR,
  requestFromIR: (ir, o) =>
    converseRequestFromIR(ir, {
      ...(o?.defaultMaxTokens !== undefined ? { defaultMaxTokens: o.defaultMaxTokens } : {}),
      ...(o?.maxOutputTokens !== undefined ? { maxOutputTokens: o.maxOutputTokens } : {}),
    }),
  responseToIR: converseResponseToIR,
  // The body names no model (it is in the URL): "" as responseToIR gives.
  responseUsage: (b) => ({ usage: converseUsageToIR(b.usage) ?? makeUsage(0, 0), model: "" }),
  responseFromIR: (ir) => converseResponseFromIR(ir),
  createDecoder: createConverseStreamDecoder,
  createEncoder: () => createConverseStreamEncoder(),
  errorToIR: converseErrorToIR,
  errorFromIR: converseErrorFromIR,
};

export const FORMATS: Readonly<Record<IrFormat, FormatConverters>> = {
  "openai-chat": openAiChat,
  "anthropic-messages": anthropicMessages,
  "openai-responses": openAiResponses,
  gemini,
  "bedrock-converse": bedrockConverse,
};

export function converterFor(format: IrFormat): FormatConverters {
  return FORMATS[format];
}

export type * from "./ir.js";
