import {
  type IrStreamEvent,
  malformedStreamError,
  type StreamDecoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { openAiErrorToIR } from "../openai-chat/error.js";
import { asNumber, asString, isRecord, parseJson, streamedError } from "../util.js";
import { responsesStopToIR, responsesUsageToIR } from "./response.js";

/**
 * Responses typed events → IR. Each output_text content part, function_call item and
 * reasoning item becomes one IR part (keyed by output_index and content_index).
 */
export function createResponsesStreamDecoder(): StreamDecoder {
  let started = false;
  let ended = false;
  let nextIndex = 0;
  const parts = new Map<string, number>();
  const argsSeen = new Set<number>();
  let sawToolCall = false;

  const open = (
    key: string,
    out: IrStreamEvent[],
    part: Extract<IrStreamEvent, { type: "part_start" }>["part"],
  ): number => {
    const idx = nextIndex++;
    parts.set(key, idx);
    out.push({ type: "part_start", index: idx, part });
    return idx;
  };

  return {
    push(e: WireEvent): IrStreamEvent[] {
      const out: IrStreamEvent[] = [];
      if (ended) return out;
      const ev = parseJson(e.data);
      if (ev === undefined) {
        // Skipping it would lose content silently and still end cleanly.
        ended = true;
        out.push(malformedStreamError());
        return out;
      }
      if (!isRecord(ev)) return out;
      const type = asString(ev.type) ?? e.event;
      const oi = asNumber(ev.output_index) ?? 0;
      const ci = asNumber(ev.content_index) ?? 0;
      switch (type) {
        case "response.created": {
          const r = isRecord(ev.response) ? ev.response : {};
          started = true;
          const ms: IrStreamEvent = {
            type: "message_start",
            id: asString(r.id) ?? "",
            model: asString(r.model) ?? "",
          };
          const created = asNumber(r.created_at);
          if (created !== undefined) ms.created = created;
          out.push(ms);
          break;
        }
        case "response.output_item.added": {
          const item = isRecord(ev.item) ? ev.item : {};
          if (item.type === "function_call") {
            sawToolCall = true;
            const idx = open(`${oi}`, out, {
              kind: "tool_call",
              id: asString(item.call_id) ?? "",
              name: asString(item.name) ?? "",
            });
            const args = asString(item.arguments);
            if (args) {
              argsSeen.add(idx);
              out.push({ type: "tool_args_delta", index: idx, json: args });
            }
          } else if (item.type === "reasoning") open(`${oi}`, out, { kind: "thinking" });
          break;
        }
        case "response.content_part.added": {
          const part = isRecord(ev.part) ? ev.part : {};
          if (part.type === "output_text" || part.type === "refusal")
            open(`${oi}:${ci}`, out, { kind: "text" });
          break;
        }
        case "response.output_text.delta":
        case "response.refusal.delta": {
          const idx = parts.get(`${oi}:${ci}`);
          const d = asString(ev.delta);
          if (idx !== undefined && d) out.push({ type: "text_delta", index: idx, text: d });
          break;
        }
        case "response.content_part.done": {
          const idx = parts.get(`${oi}:${ci}`);
          if (idx !== undefined) {
            parts.delete(`${oi}:${ci}`);
            out.push({ type: "part_stop", index: idx });
          }
          break;
        }
        case "response.function_call_arguments.delta": {
          const idx = parts.get(`${oi}`);
          const d = asString(ev.delta);
          if (idx !== undefined && d) {
            argsSeen.add(idx);
            out.push({ type: "tool_args_delta", index: idx, json: d });
          }
          break;
        }
        case "response.reasoning_summary_text.delta":
        case "response.reasoning_text.delta": {
          const idx = parts.get(`${oi}`);
          const d = asString(ev.delta);
          if (idx !== undefined && d) out.push({ type: "thinking_delta", index: idx, thinking: d });
          break;
        }
        case "response.reasoning_summary_part.added": {
          const idx = parts.get(`${oi}`);
          if (idx !== undefined && (asNumber(ev.summary_index) ?? 0) > 0)
            out.push({ type: "thinking_delta", index: idx, thinking: "\n\n" });
          break;
        }
        case "response.output_item.done": {
          const idx = parts.get(`${oi}`);
          if (idx === undefined) break;
          const item = isRecord(ev.item) ? ev.item : {};
          parts.delete(`${oi}`);
          if (item.type === "function_call" && !argsSeen.has(idx)) {
            const args = asString(item.arguments);
            if (args) out.push({ type: "tool_args_delta", index: idx, json: args });
          }
          const sig = asString(item.encrypted_content);
          if (item.type === "reasoning" && sig)
            out.push({ type: "signature_delta", index: idx, signature: sig });
          out.push({ type: "part_stop", index: idx });
          break;
        }
        case "response.completed":
        case "response.incomplete": {
          const r = isRecord(ev.response) ? ev.response : {};
          for (const idx of parts.values()) out.push({ type: "part_stop", index: idx });
          parts.clear();
          const reason = isRecord(r.incomplete_details) ? r.incomplete_details.reason : undefined;
          const md: IrStreamEvent = {
            type: "message_delta",
            stopReason: responsesStopToIR(r.status, reason, sawToolCall),
          };
          const u = responsesUsageToIR(r.usage);
          if (u !== undefined) md.usage = u;
          out.push(md, { type: "message_stop" });
          ended = true;
          break;
        }
        case "response.failed": {
          const r = isRecord(ev.response) ? ev.response : {};
          const err = isRecord(r.error) ? r.error : {};
          ended = true;
          out.push({
            type: "error",
            error: openAiErrorToIR(500, { error: { ...err, type: "server_error" } }),
          });
          break;
        }
        case "error":
          ended = true;
          out.push({ type: "error", error: streamedError(openAiErrorToIR(500, { error: ev })) });
          break;
      }
      return out;
    },
    finish(): IrStreamEvent[] {
      if (ended) return [];
      ended = true;
      return [
        truncatedStreamError(started ? "no response.completed before end of stream" : "no events received"),
      ];
    },
  };
}
