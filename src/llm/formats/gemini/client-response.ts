/**
 * IR → Gemini answers, for Gemini-format clients: a GenerateContentResponse, and the SSE
 * chunks of streamGenerateContent (each a whole GenerateContentResponse; a tool call is sent
 * whole when its arguments are complete; the last chunk carries finishReason and usage). A
 * thinking signature (Anthropic's) rides as the thought part's `thoughtSignature`, so a client
 * that sends its history back returns it.
 */
import type {
  IrOutputPart,
  IrResponse,
  IrStopReason,
  IrStreamEvent,
  IrUsage,
  ResponseFromIrResult,
  StreamEncoder,
  WireEvent,
} from "../ir.js";
import { argumentsToObject, type Json } from "../util.js";
import { splitCallId } from "./call-id.js";
import { geminiErrorFromIR } from "./error.js";

export function geminiFinishFromIR(reason: IrStopReason): string {
  switch (reason) {
    case "max_tokens":
      return "MAX_TOKENS";
    case "content_filter":
    case "refusal":
      return "SAFETY";
    case "error":
      return "OTHER";
    default:
      return "STOP";
  }
}

export function geminiUsageFromIR(u: IrUsage): Json {
  const thoughts = u.reasoningTokens ?? 0;
  const out: Json = {
    promptTokenCount: u.inputTokens,
    candidatesTokenCount: Math.max(0, u.outputTokens - thoughts),
    totalTokenCount: u.totalTokens,
  };
  if (u.cacheReadTokens !== undefined && u.cacheReadTokens > 0)
    out.cachedContentTokenCount = u.cacheReadTokens;
  if (thoughts > 0) out.thoughtsTokenCount = thoughts;
  return out;
}

function callPart(id: string, name: string, args: string): Json {
  const call: Json = { name, args: argumentsToObject(args) };
  const { upstreamId, signature } = splitCallId(id);
  if (upstreamId !== undefined) call.id = upstreamId;
  return signature === undefined
    ? { functionCall: call }
    : { functionCall: call, thoughtSignature: signature };
}

function partOf(p: IrOutputPart): Json | undefined {
  if (p.type === "text") return { text: p.text };
  if (p.type === "thinking")
    return p.signature === undefined
      ? { text: p.thinking, thought: true }
      : { text: p.thinking, thought: true, thoughtSignature: p.signature };
  if (p.type === "tool_call") return callPart(p.id, p.name, p.arguments);
  return undefined;
}

export function geminiResponseFromIR(ir: IrResponse): ResponseFromIrResult {
  const dropped: string[] = [];
  const parts: Json[] = [];
  for (const p of ir.content) {
    const part = partOf(p);
    if (part === undefined) dropped.push(p.type);
    else parts.push(part);
  }
  return {
    body: {
      candidates: [
        { content: { role: "model", parts }, finishReason: geminiFinishFromIR(ir.stopReason), index: 0 },
      ],
      usageMetadata: geminiUsageFromIR(ir.usage),
      modelVersion: ir.model,
      responseId: ir.id,
    },
    dropped,
  };
}

export function createGeminiStreamEncoder(): StreamEncoder {
  let done = false;
  let id = "";
  let model = "";
  let stop: IrStopReason = "end_turn";
  let usage: IrUsage | undefined;
  const kinds = new Map<number, "text" | "thinking" | "redacted_thinking" | "tool_call">();
  const calls = new Map<number, { id: string; name: string; args: string }>();

  const chunk = (parts: Json[], last: boolean): WireEvent => {
    const cand: Json = { content: { role: "model", parts }, index: 0 };
    const c: Json = { candidates: [cand] };
    if (last) {
      cand.finishReason = geminiFinishFromIR(stop);
      if (usage !== undefined) c.usageMetadata = geminiUsageFromIR(usage);
    }
    c.modelVersion = model;
    c.responseId = id;
    return { data: JSON.stringify(c) };
  };

  return {
    push(e: IrStreamEvent): WireEvent[] {
      if (done) return [];
      switch (e.type) {
        case "message_start":
          id = e.id;
          model = e.model;
          if (e.usage !== undefined) usage = e.usage;
          return [];
        case "part_start":
          kinds.set(e.index, e.part.kind);
          if (e.part.kind === "tool_call") calls.set(e.index, { id: e.part.id, name: e.part.name, args: "" });
          return [];
        case "text_delta":
          return e.text === "" ? [] : [chunk([{ text: e.text }], false)];
        case "thinking_delta":
          return e.thinking === "" ? [] : [chunk([{ text: e.thinking, thought: true }], false)];
        case "signature_delta":
          // Anthropic's thinking signature, which it needs back with the thinking in later turns.
          return kinds.get(e.index) === "thinking"
            ? [chunk([{ text: "", thought: true, thoughtSignature: e.signature }], false)]
            : [];
        case "tool_args_delta": {
          const c = calls.get(e.index);
          if (c !== undefined) c.args += e.json;
          return [];
        }
        case "part_stop": {
          const c = calls.get(e.index);
          if (c === undefined) return [];
          calls.delete(e.index);
          return [chunk([callPart(c.id, c.name, c.args)], false)];
        }
        case "message_delta":
          if (e.stopReason !== undefined) stop = e.stopReason;
          if (e.usage !== undefined) usage = e.usage;
          return [];
        case "message_stop": {
          done = true;
          const out: WireEvent[] = [];
          for (const c of calls.values()) out.push(chunk([callPart(c.id, c.name, c.args)], false));
          calls.clear();
          out.push(chunk([{ text: "" }], true));
          return out;
        }
        case "error":
          done = true;
          return [{ data: JSON.stringify(geminiErrorFromIR(e.error).body) }];
        default:
          return [];
      }
    },
  };
}
