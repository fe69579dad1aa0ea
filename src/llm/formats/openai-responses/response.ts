import { GatewayError } from "../../../errors.js";
import type {
  IrOutputPart,
  IrResponse,
  IrStopReason,
  IrToolOrigin,
  IrUsage,
  ResponseFromIrResult,
  ResponseToIrResult,
} from "../ir.js";
import { asArray, asNumber, asString, isRecord, type Json, makeUsage } from "../util.js";
import { callItem } from "./client-tools.js";

export function responsesUsageToIR(u: unknown): IrUsage | undefined {
  if (!isRecord(u)) return undefined;
  const itd = isRecord(u.input_tokens_details) ? u.input_tokens_details : {};
  const otd = isRecord(u.output_tokens_details) ? u.output_tokens_details : {};
  return makeUsage(asNumber(u.input_tokens) ?? 0, asNumber(u.output_tokens) ?? 0, {
    cacheRead: asNumber(itd.cached_tokens),
    reasoning: asNumber(otd.reasoning_tokens),
    total: asNumber(u.total_tokens),
  });
}

export function responsesUsageFromIR(u: IrUsage): Json {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.totalTokens,
  };
}

/** Responses has a status, not a stop reason; tool use is inferred from the output items. */
export function responsesStopToIR(
  status: unknown,
  incompleteReason: unknown,
  hasToolCall: boolean,
): IrStopReason {
  if (status === "incomplete") return incompleteReason === "content_filter" ? "content_filter" : "max_tokens";
  if (status === "failed") return "error";
  return hasToolCall ? "tool_use" : "end_turn";
}

export function responsesStatusFromIR(stop: IrStopReason): { status: string; incomplete: Json | null } {
  if (stop === "max_tokens") return { status: "incomplete", incomplete: { reason: "max_output_tokens" } };
  if (stop === "content_filter" || stop === "refusal")
    return { status: "incomplete", incomplete: { reason: "content_filter" } };
  if (stop === "error") return { status: "failed", incomplete: null };
  return { status: "completed", incomplete: null };
}

export function responsesResponseToIR(body: unknown): ResponseToIrResult {
  if (!isRecord(body))
    throw new GatewayError(502, "upstream_error", "upstream response is not a JSON object");
  const dropped: string[] = [];
  const content: IrOutputPart[] = [];
  for (const item of asArray(body.output)) {
    if (!isRecord(item)) continue;
    if (item.type === "message") {
      for (const c of asArray(item.content)) {
        if (!isRecord(c)) continue;
        if (c.type === "output_text") content.push({ type: "text", text: asString(c.text) ?? "" });
        else if (c.type === "refusal") content.push({ type: "text", text: asString(c.refusal) ?? "" });
      }
    } else if (item.type === "function_call") {
      const args = asString(item.arguments) ?? "";
      content.push({
        type: "tool_call",
        id: asString(item.call_id) ?? "",
        name: asString(item.name) ?? "",
        arguments: args === "" ? "{}" : args,
      });
    } else if (item.type === "reasoning") {
      const text = asArray(item.summary)
        .map((s) => (isRecord(s) ? (asString(s.text) ?? "") : ""))
        .join("\n\n");
      const sig = asString(item.encrypted_content);
      content.push(
        sig !== undefined
          ? { type: "thinking", thinking: text, signature: sig }
          : { type: "thinking", thinking: text },
      );
    } else dropped.push(`output[${String(item.type)}]`);
  }
  const incomplete = isRecord(body.incomplete_details) ? body.incomplete_details.reason : undefined;
  const ir: IrResponse = {
    id: asString(body.id) ?? "",
    model: asString(body.model) ?? "",
    content,
    stopReason: responsesStopToIR(
      body.status,
      incomplete,
      content.some((p) => p.type === "tool_call"),
    ),
    usage: responsesUsageToIR(body.usage) ?? makeUsage(0, 0),
  };
  const created = asNumber(body.created_at);
  if (created !== undefined) ir.created = created;
  return { ir, dropped };
}

export interface ResponsesOutputOptions {
  now?: () => number;
  /** Item ids; the default derives them from the response id so output is deterministic. */
  newId?: (prefix: string) => string;
  /** Tools the request renamed (namespaced, custom): their calls are named back (client-tools.ts). */
  toolOrigins?: ReadonlyMap<string, IrToolOrigin> | undefined;
}

export function idFactory(base: string, opts: ResponsesOutputOptions): (prefix: string) => string {
  if (opts.newId !== undefined) return opts.newId;
  let n = 0;
  const clean = base.replace(/^(resp|chatcmpl|msg)[-_]/, "");
  return (prefix) => `${prefix}_${clean}_${n++}`;
}

export function responseId(id: string): string {
  return id.startsWith("resp_") ? id : `resp_${id}`;
}

export function textPartJson(text: string): Json {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** Builds output items from IR parts: consecutive text parts share one assistant message item. */
export function outputItems(
  content: IrOutputPart[],
  newId: (prefix: string) => string,
  origins?: ReadonlyMap<string, IrToolOrigin>,
): Json[] {
  const items: Json[] = [];
  let msg: Json | undefined;
  for (const p of content) {
    if (p.type === "text") {
      if (msg === undefined) {
        msg = { id: newId("msg"), type: "message", status: "completed", role: "assistant", content: [] };
        items.push(msg);
      }
      (msg.content as Json[]).push(textPartJson(p.text));
      continue;
    }
    msg = undefined;
    if (p.type === "thinking") items.push(reasoningItem(newId("rs"), p.thinking, p.signature));
    else if (p.type === "tool_call")
      items.push(
        callItem(
          newId(origins?.get(p.name)?.kind === "custom" ? "ctc" : "fc"),
          p.id,
          p.name,
          p.arguments === "" ? "{}" : p.arguments,
          origins,
          "completed",
        ),
      );
  }
  return items;
}

export function reasoningItem(id: string, text: string, signature: string | undefined): Json {
  const item: Json = { id, type: "reasoning", summary: text === "" ? [] : [{ type: "summary_text", text }] };
  // Anthropic's thinking signature rides in encrypted_content so a client can hand it back.
  if (signature) item.encrypted_content = signature;
  return item;
}

/** The fields every Response object carries; request echo fields are left at their neutral values. */
export function responseSkeleton(id: string, model: string, createdAt: number): Json {
  return {
    id,
    object: "response",
    created_at: createdAt,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: null,
    truncation: "disabled",
    usage: null,
    user: null,
    metadata: {},
  };
}

export function responsesResponseFromIR(
  ir: IrResponse,
  opts: ResponsesOutputOptions = {},
): ResponseFromIrResult {
  const id = responseId(ir.id);
  const newId = idFactory(id, opts);
  const body = responseSkeleton(id, ir.model, ir.created ?? Math.floor((opts.now ?? Date.now)() / 1000));
  const { status, incomplete } = responsesStatusFromIR(ir.stopReason);
  body.status = status;
  body.incomplete_details = incomplete;
  body.output = outputItems(ir.content, newId, opts.toolOrigins);
  body.usage = responsesUsageFromIR(ir.usage);
  const dropped: string[] = ir.content
    .filter((p) => p.type === "redacted_thinking")
    .map(() => "redacted_thinking");
  return { body, dropped };
}
