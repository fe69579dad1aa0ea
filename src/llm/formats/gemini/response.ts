/**
 * A Gemini GenerateContentResponse → IR. Only the first candidate is read. A prompt blocked
 * by safety (`promptFeedback.blockReason`, no candidates) and a candidate stopped for safety,
 * recitation or blocked terms become a `content_filter` stop: a refusal in the client's format.
 */
import { GatewayError } from "../../../errors.js";
import type { IrOutputPart, IrResponse, IrStopReason, IrUsage, ResponseToIrResult } from "../ir.js";
import { asArray, asNumber, asString, isRecord, type Json, makeUsage, objectToArguments } from "../util.js";
import { callIdFor } from "./call-id.js";

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "LANGUAGE",
]);

/** A finishReason → IR; a STOP that carried function calls is a tool_use stop. */
export function geminiFinishToIR(reason: unknown, hasToolCalls: boolean): IrStopReason {
  if (typeof reason === "string") {
    if (reason === "MAX_TOKENS") return "max_tokens";
    if (FILTERED.has(reason)) return "content_filter";
    if (reason === "MALFORMED_FUNCTION_CALL" || reason === "UNEXPECTED_TOOL_CALL") return "error";
  }
  return hasToolCalls ? "tool_use" : "end_turn";
}

/**
 * usageMetadata → IR. promptTokenCount includes the cached tokens; candidatesTokenCount leaves
 * out thoughtsTokenCount, which the IR's outputTokens includes. Tool-use prompt tokens are input.
 */
export function geminiUsageToIR(u: unknown): IrUsage | undefined {
  if (!isRecord(u)) return undefined;
  const thoughts = asNumber(u.thoughtsTokenCount);
  const input = (asNumber(u.promptTokenCount) ?? 0) + (asNumber(u.toolUsePromptTokenCount) ?? 0);
  const output = (asNumber(u.candidatesTokenCount) ?? 0) + (thoughts ?? 0);
  return makeUsage(input, output, {
    cacheRead: asNumber(u.cachedContentTokenCount),
    reasoning: thoughts,
    total: asNumber(u.totalTokenCount) ?? input + output,
  });
}

/** The prompt's block reason, when Gemini refused the prompt itself. */
export function promptBlockReason(body: Json): string | undefined {
  return isRecord(body.promptFeedback) ? asString(body.promptFeedback.blockReason) : undefined;
}

export function firstCandidate(body: Json): Json | undefined {
  const c = asArray(body.candidates)[0];
  return isRecord(c) ? c : undefined;
}

export function candidateParts(c: Json | undefined): unknown[] {
  return c !== undefined && isRecord(c.content) ? asArray(c.content.parts) : [];
}

export function geminiResponseToIR(body: unknown): ResponseToIrResult {
  if (!isRecord(body))
    throw new GatewayError(502, "upstream_error", "upstream response is not a JSON object");
  const dropped: string[] = [];
  const id = asString(body.responseId) ?? "";
  const content: IrOutputPart[] = [];
  const cand = firstCandidate(body);
  let calls = 0;
  for (const p of candidateParts(cand)) {
    if (!isRecord(p)) continue;
    if (typeof p.text === "string") {
      if (p.thought === true) content.push({ type: "thinking", thinking: p.text });
      else content.push({ type: "text", text: p.text });
    } else if (isRecord(p.functionCall)) {
      const fc = p.functionCall;
      const name = asString(fc.name) ?? "";
      const args = objectToArguments(fc.args);
      content.push({
        type: "tool_call",
        id: callIdFor(asString(fc.id), id, calls++, name, args, asString(p.thoughtSignature)),
        name,
        arguments: args,
      });
    } else dropped.push(`parts[${Object.keys(p).join(",")}]`);
  }
  if (asArray(body.candidates).length > 1) dropped.push("candidates[1..]");
  const blocked = promptBlockReason(body);
  const stopReason: IrStopReason =
    blocked !== undefined && cand === undefined
      ? "content_filter"
      : geminiFinishToIR(cand?.finishReason, calls > 0);
  const ir: IrResponse = {
    id,
    model: asString(body.modelVersion) ?? "",
    content,
    stopReason,
    usage: geminiUsageToIR(body.usageMetadata) ?? makeUsage(0, 0),
  };
  return { ir, dropped };
}
