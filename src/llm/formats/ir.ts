/**
 * The canonical intermediate representation (IR) that every client and provider format converts
 * to and from. It carries what the three APIs share; anything only one format understands rides
 * in `extras[format]` so a same-format upstream can still receive it.
 *
 * Usage convention (the one most bugs come from): `inputTokens` is the WHOLE prompt, including
 * cache reads and cache writes; `cacheReadTokens` / `cacheCreationTokens` are subsets of it.
 * `outputTokens` includes `reasoningTokens`. Anthropic's `input_tokens` (uncached only) is thus
 * `inputTokens - cacheReadTokens - cacheCreationTokens`.
 */

export type IrFormat =
  | "openai-chat"
  | "anthropic-messages"
  | "openai-responses"
  | "gemini"
  | "bedrock-converse";

export type IrImageSource =
  | { kind: "base64"; mediaType: string; data: string }
  | { kind: "url"; url: string };

export interface IrTextPart {
  type: "text";
  text: string;
  /** Anthropic prompt-caching marker, kept opaque. */
  cacheControl?: unknown;
}
export interface IrImagePart {
  type: "image";
  source: IrImageSource;
  /** OpenAI image detail (auto | low | high). */
  detail?: string;
  cacheControl?: unknown;
}
export interface IrThinkingPart {
  type: "thinking";
  thinking: string;
  signature?: string;
}
export interface IrRedactedThinkingPart {
  type: "redacted_thinking";
  data: string;
}
export interface IrToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  /** Arguments as a JSON text, exactly as the model produced them ("{}" when none). */
  arguments: string;
}
export interface IrToolResultPart {
  type: "tool_result";
  toolCallId: string;
  content: string | Array<IrTextPart | IrImagePart>;
  isError?: boolean;
  cacheControl?: unknown;
}

export type IrContentPart =
  | IrTextPart
  | IrImagePart
  | IrThinkingPart
  | IrRedactedThinkingPart
  | IrToolCallPart
  | IrToolResultPart;

/**
 * `tool` messages carry only tool_result parts. `user` messages carry text and images;
 * `assistant` messages carry text, thinking and tool_call parts. `system` messages carry text:
 * a system or developer instruction given mid-conversation (after the first other message),
 * kept where it was; leading ones are `IrRequest.system`.
 */
export interface IrMessage {
  role: "user" | "assistant" | "tool" | "system";
  content: IrContentPart[];
  name?: string;
}

/**
 * How a Responses client named a tool that the IR carries as a plain function under a flat
 * name: a function inside a `namespace` tool, or a freeform `custom` tool (one string input).
 * The client's answer names it back this way.
 */
export type IrToolOrigin =
  | { kind: "namespace"; namespace: string; name: string; namespaceDescription?: string }
  | { kind: "custom"; name: string; format?: unknown };

export interface IrTool {
  name: string;
  origin?: IrToolOrigin;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: unknown;
}

export type IrToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

export type IrResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

export interface IrReasoning {
  /**
   * OpenAI reasoning effort (none | minimal | low | medium | high | xhigh); Anthropic's
   * `output_config.effort` is carried in these terms (its `max` as xhigh).
   */
  effort?: string;
  /** Anthropic adaptive thinking (`thinking: {type: "adaptive"}`): the model decides how much to think. */
  adaptive?: boolean;
  /** Anthropic `output_config.effort` without `thinking`: the effort shapes the answer, no thinking. */
  effortOnly?: boolean;
  /** Anthropic extended thinking budget. */
  budgetTokens?: number;
  /** Explicitly disabled (Anthropic thinking {type: "disabled"}). */
  disabled?: boolean;
  /** Responses API reasoning summary preference (auto | concise | detailed). */
  summary?: string;
}

export interface IrRequest {
  model: string;
  system: IrTextPart[];
  messages: IrMessage[];
  tools?: IrTool[];
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  stream: boolean;
  /** OpenAI chat `stream_options.include_usage`. */
  includeUsage?: boolean;
  reasoning?: IrReasoning;
  user?: string;
  metadata?: Record<string, string>;
  responseFormat?: IrResponseFormat;
  seed?: number;
  n?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Fields only an upstream of the same format can use, keyed by the format that produced them. */
  extras?: Partial<Record<IrFormat, Record<string, unknown>>>;
}

export type IrStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "content_filter"
  | "pause_turn"
  | "refusal"
  | "error";

export interface IrUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
  totalTokens: number;
}

export type IrOutputPart = IrTextPart | IrThinkingPart | IrRedactedThinkingPart | IrToolCallPart;

export interface IrResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created?: number;
  content: IrOutputPart[];
  stopReason: IrStopReason;
  stopSequence?: string;
  usage: IrUsage;
}

export type IrErrorType =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "billing"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "overloaded"
  | "server"
  | "timeout"
  | "unavailable";

export interface IrError {
  status: number;
  type: IrErrorType;
  message: string;
  /** Provider or gateway code (OpenAI `code`, e.g. "context_length_exceeded"). */
  code?: string;
  param?: string;
  /** Seconds. */
  retryAfter?: number;
}

// ---- stream events ----

export type IrPartStart =
  | { kind: "text" }
  | { kind: "thinking" }
  | { kind: "redacted_thinking"; data: string }
  | { kind: "tool_call"; id: string; name: string };

/**
 * Part indexes are unique within a message and assigned in start order. Parts may interleave
 * (OpenAI parallel tool calls can); encoders for formats that need sequential blocks reorder.
 */
export type IrStreamEvent =
  | { type: "message_start"; id: string; model: string; created?: number; usage?: IrUsage }
  | { type: "part_start"; index: number; part: IrPartStart }
  | { type: "text_delta"; index: number; text: string }
  | { type: "thinking_delta"; index: number; thinking: string }
  | { type: "signature_delta"; index: number; signature: string }
  | { type: "tool_args_delta"; index: number; json: string }
  | { type: "part_stop"; index: number }
  | { type: "message_delta"; stopReason?: IrStopReason; stopSequence?: string; usage?: IrUsage }
  | { type: "message_stop" }
  | { type: "error"; error: IrError };

export type IrErrorEvent = Extract<IrStreamEvent, { type: "error" }>;

// ---- converter contracts ----

export interface RequestToIrResult {
  ir: IrRequest;
  /** Request fields the IR cannot carry (logged at debug). */
  dropped: string[];
  /** Features that only a same-format upstream can serve; the pipeline answers 400 otherwise. */
  unsupported: string[];
}

export interface RequestFromIrResult {
  body: Record<string, unknown>;
  /** IR fields the target format cannot carry. */
  dropped: string[];
  /** What the target format cannot serve and must not be dropped silently; the pipeline answers 400. */
  unsupported?: string[];
}

export interface ResponseToIrResult {
  ir: IrResponse;
  dropped: string[];
}

export interface ResponseFromIrResult {
  body: Record<string, unknown>;
  dropped: string[];
}

export interface WireEvent {
  event?: string;
  data: string;
}

export interface StreamDecoder {
  /** One upstream SSE event in; zero or more IR events out. */
  push(e: WireEvent): IrStreamEvent[];
  /**
   * Called at upstream end of stream. Returns the closing events still owed (e.g. a chat stream
   * that had its finish_reason but no `[DONE]`), or an `error` event when the stream was
   * truncated, so the encoder ends the client stream with an error, never a clean end.
   */
  finish(): IrStreamEvent[];
}

export interface StreamEncoder {
  /** One IR event in; zero or more client wire events out. After an error, nothing more is emitted. */
  push(e: IrStreamEvent): WireEvent[];
}

export interface ErrorFromIrResult {
  status: number;
  body: Record<string, unknown>;
}

export function emptyUsage(): IrUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** An upstream event whose data is not JSON: the stream cannot be trusted past it. */
export function malformedStreamError(): IrErrorEvent {
  return {
    type: "error",
    error: {
      status: 502,
      type: "server",
      code: "upstream_stream_malformed",
      message: "The upstream sent a stream event whose data is not JSON.",
    },
  };
}

export function truncatedStreamError(detail: string): IrErrorEvent {
  return {
    type: "error",
    error: {
      status: 502,
      type: "server",
      code: "upstream_stream_truncated",
      message: `Upstream stream ended early: ${detail}`,
    },
  };
}
