/**
 * Gemini `streamGenerateContent?alt=sse` → IR. Every event is a whole GenerateContentResponse
 * holding the next slice of the first candidate: text parts are appended to the open text (or
 * thought) part, a functionCall part arrives complete and becomes a whole tool call. The stream
 * has no end marker: the chunk with a finishReason (or a blocked prompt) says the answer is
 * complete, and the message is closed when the upstream ends; usageMetadata is cumulative, the
 * last one counts. An upstream that ends before a finishReason was truncated.
 */
import {
  type IrStopReason,
  type IrStreamEvent,
  type IrUsage,
  malformedStreamError,
  type StreamDecoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { asString, isRecord, objectToArguments, parseJson, streamedError } from "../util.js";
import { callIdFor } from "./call-id.js";
import { geminiErrorToIR } from "./error.js";
import {
  candidateParts,
  firstCandidate,
  geminiFinishToIR,
  geminiUsageToIR,
  promptBlockReason,
} from "./response.js";

export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false;
  let ended = false;
  let nextIndex = 0;
  let open: { index: number; kind: "text" | "thinking" } | undefined;
  let responseId = "";
  let calls = 0;
  let finishReason: unknown;
  let blocked = false;
  let usage: IrUsage | undefined;

  const closeOpen = (out: IrStreamEvent[]): void => {
    if (open === undefined) return;
    out.push({ type: "part_stop", index: open.index });
    open = undefined;
  };
  const onText = (text: string, kind: "text" | "thinking", out: IrStreamEvent[]): void => {
    if (open?.kind !== kind) {
      closeOpen(out);
      open = { index: nextIndex++, kind };
      out.push({ type: "part_start", index: open.index, part: { kind } });
    }
    if (kind === "text") out.push({ type: "text_delta", index: open.index, text });
    else out.push({ type: "thinking_delta", index: open.index, thinking: text });
  };

  return {
    push(e: WireEvent): IrStreamEvent[] {
      const out: IrStreamEvent[] = [];
      if (ended) return out;
      const chunk = parseJson(e.data);
      if (chunk === undefined) {
        ended = true;
        out.push(malformedStreamError());
        return out;
      }
      if (!isRecord(chunk)) return out;
      if (isRecord(chunk.error)) {
        ended = true;
        out.push({ type: "error", error: streamedError(geminiErrorToIR(500, chunk)) });
        return out;
      }
      if (!started) {
        started = true;
        responseId = asString(chunk.responseId) ?? "";
        out.push({ type: "message_start", id: responseId, model: asString(chunk.modelVersion) ?? "" });
      }
      const u = geminiUsageToIR(chunk.usageMetadata);
      if (u !== undefined) usage = u;
      const cand = firstCandidate(chunk);
      if (cand === undefined && promptBlockReason(chunk) !== undefined) blocked = true;
      for (const p of candidateParts(cand)) {
        if (!isRecord(p)) continue;
        if (typeof p.text === "string") {
          if (p.text !== "") onText(p.text, p.thought === true ? "thinking" : "text", out);
        } else if (isRecord(p.functionCall)) {
          closeOpen(out);
          const fc = p.functionCall;
          const name = asString(fc.name) ?? "";
          const args = objectToArguments(fc.args);
          const index = nextIndex++;
          const id = callIdFor(
            asString(fc.id),
            responseId,
            calls++,
            name,
            args,
            asString(p.thoughtSignature),
          );
          out.push(
            { type: "part_start", index, part: { kind: "tool_call", id, name } },
            { type: "tool_args_delta", index, json: args },
            { type: "part_stop", index },
          );
        }
      }
      if (cand?.finishReason !== undefined) finishReason = cand.finishReason;
      return out;
    },
    finish(): IrStreamEvent[] {
      if (ended) return [];
      ended = true;
      if (finishReason === undefined && !blocked)
        return [truncatedStreamError(started ? "no chunk carried a finishReason" : "no chunk was received")];
      const out: IrStreamEvent[] = [];
      closeOpen(out);
      const stopReason: IrStopReason = blocked ? "content_filter" : geminiFinishToIR(finishReason, calls > 0);
      const md: IrStreamEvent = { type: "message_delta", stopReason };
      if (usage !== undefined) md.usage = usage;
      out.push(md, { type: "message_stop" });
      return out;
    },
  };
}
