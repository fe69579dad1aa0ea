/**
 * The content description a mock reply is built from. One description renders into each
 * provider format (OpenAI chat, OpenAI Responses, Anthropic Messages), JSON or SSE, so a test
 * states *what* the model said and the builders decide *how* each API spells it.
 */
export interface ToolCallSpec {
  id?: string;
  name: string;
  /** A string is sent verbatim (may be invalid JSON on purpose); an object is JSON-encoded. */
  arguments: string | object;
}

/**
 * Token counts, placed verbatim into each format's own fields (no arithmetic except OpenAI's
 * `total_tokens = input + output`):
 * - OpenAI chat: prompt_tokens=input, completion_tokens=output,
 *   prompt_tokens_details.cached_tokens=cachedInput, completion_tokens_details.reasoning_tokens=reasoning
 * - Responses: input_tokens=input, input_tokens_details.cached_tokens=cachedInput,
 *   output_tokens=output, output_tokens_details.reasoning_tokens=reasoning
 * - Anthropic: input_tokens=input, output_tokens=output, cache_read_input_tokens=cachedInput,
 *   cache_creation_input_tokens=cacheCreation
 */
export interface UsageSpec {
  input: number;
  output: number;
  cachedInput?: number;
  cacheCreation?: number;
  reasoning?: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface ReplySpec {
  text?: string;
  /** Anthropic: a thinking block (with signature). Responses: a reasoning item with a summary. Chat: not representable, ignored. */
  thinking?: string;
  /** Anthropic thinking signature; a deterministic one is made up when absent. */
  signature?: string;
  toolCalls?: ToolCallSpec[];
  /** Default: "tool_calls" when toolCalls are present, else "stop". */
  finish?: FinishReason;
  usage?: UsageSpec;
  model?: string;
  /** Chat streams only: alternate argument deltas of parallel tool calls instead of sending them one after another. */
  interleaveToolCalls?: boolean;
}

/** A reply with every default filled in; what the format builders consume. */
export interface ResolvedReply {
  text: string;
  thinking: string | undefined;
  signature: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: FinishReason;
  usage: Required<UsageSpec>;
  model: string;
  interleaveToolCalls: boolean;
}

/** Identifiers and timestamps of one response; deterministic so bodies can be compared. */
export interface WireContext {
  /** e.g. `id("chatcmpl-")` → "chatcmpl-mock0001"; distinct per call. */
  id: (prefix: string) => string;
  /** Unix seconds. */
  created: number;
}

export interface SseEvent {
  event?: string;
  data: string | object;
}
