import {
  type IrStopReason,
  type IrStreamEvent,
  type IrUsage,
  type StreamDecoder,
  type StreamEncoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { openAiErrorToIR } from "../openai-chat/error.js";
import { asNumber, asString, isRecord, type Json, makeUsage, parseJson, streamedError } from "../util.js";
import { responsesErrorEvent } from "./error.js";
import {
  idFactory,
  type ResponsesOutputOptions,
  reasoningItem,
  responseId,
  responseSkeleton,
  responsesStatusFromIR,
  responsesStopToIR,
  responsesUsageFromIR,
  responsesUsageToIR,
  textPartJson,
} from "./response.js";

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

interface OpenItem {
  outputIndex: number;
  item: Json;
  kind: "text" | "thinking" | "tool_call";
  contentIndex: number;
  buf: string;
  signature: string;
}

/**
 * IR → Responses events with sequence_number. Items are addressed by output_index, so
 * interleaved tool calls stream live. Text parts open a message item (closed when a non-text
 * part starts or at the end); thinking becomes a reasoning item with one summary part.
 */
export function createResponsesStreamEncoder(opts: ResponsesOutputOptions = {}): StreamEncoder {
  let seq = 0;
  let done = false;
  let response: Json = {};
  let newId: (prefix: string) => string = () => "";
  const output: Json[] = [];
  const parts = new Map<number, OpenItem>();
  let message: { outputIndex: number; item: Json; parts: number } | undefined;
  let stop: IrStopReason = "end_turn";
  let usage: IrUsage | undefined;

  const ev = (type: string, payload: Json): WireEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: seq++, ...payload }),
  });
  const snapshot = (): Json => structuredClone(response);

  const closeMessage = (out: WireEvent[]): void => {
    if (message === undefined) return;
    message.item.status = "completed";
    out.push(
      ev("response.output_item.done", {
        output_index: message.outputIndex,
        item: structuredClone(message.item),
      }),
    );
    message = undefined;
  };

  const stopPart = (irIndex: number, out: WireEvent[]): void => {
    const p = parts.get(irIndex);
    if (p === undefined) return;
    parts.delete(irIndex);
    const itemId = p.item.id as string;
    if (p.kind === "text") {
      const base = { item_id: itemId, output_index: p.outputIndex, content_index: p.contentIndex };
      out.push(ev("response.output_text.done", { ...base, text: p.buf, logprobs: [] }));
      out.push(ev("response.content_part.done", { ...base, part: textPartJson(p.buf) }));
      (p.item.content as Json[])[p.contentIndex] = textPartJson(p.buf);
    } else if (p.kind === "tool_call") {
      const args = p.buf === "" ? "{}" : p.buf;
      out.push(
        ev("response.function_call_arguments.done", {
          item_id: itemId,
          output_index: p.outputIndex,
          name: p.item.name,
          arguments: args,
        }),
      );
      p.item.arguments = args;
      p.item.status = "completed";
      out.push(
        ev("response.output_item.done", { output_index: p.outputIndex, item: structuredClone(p.item) }),
      );
    } else {
      const base = { item_id: itemId, output_index: p.outputIndex, summary_index: 0 };
      out.push(ev("response.reasoning_summary_text.done", { ...base, text: p.buf }));
      out.push(
        ev("response.reasoning_summary_part.done", { ...base, part: { type: "summary_text", text: p.buf } }),
      );
      const done = reasoningItem(itemId, p.buf, p.signature);
      output[p.outputIndex] = done;
      out.push(ev("response.output_item.done", { output_index: p.outputIndex, item: structuredClone(done) }));
    }
  };

  const addItem = (item: Json, out: WireEvent[]): number => {
    const outputIndex = output.length;
    output.push(item);
    out.push(ev("response.output_item.added", { output_index: outputIndex, item: structuredClone(item) }));
    return outputIndex;
  };

  return {
    push(e: IrStreamEvent): WireEvent[] {
      if (done) return [];
      const out: WireEvent[] = [];
      switch (e.type) {
        case "message_start": {
          const id = responseId(e.id);
          newId = idFactory(id, opts);
          response = responseSkeleton(id, e.model, e.created ?? Math.floor((opts.now ?? Date.now)() / 1000));
          response.output = output;
          out.push(ev("response.created", { response: snapshot() }));
          out.push(ev("response.in_progress", { response: snapshot() }));
          break;
        }
        case "part_start": {
          if (e.part.kind === "text") {
            if (message === undefined) {
              const item: Json = {
                id: newId("msg"),
                type: "message",
                status: "in_progress",
                role: "assistant",
                content: [],
              };
              message = { outputIndex: addItem(item, out), item, parts: 0 };
            }
            const contentIndex = message.parts++;
            (message.item.content as Json[]).push(textPartJson(""));
            parts.set(e.index, {
              outputIndex: message.outputIndex,
              item: message.item,
              kind: "text",
              contentIndex,
              buf: "",
              signature: "",
            });
            out.push(
              ev("response.content_part.added", {
                item_id: message.item.id,
                output_index: message.outputIndex,
                content_index: contentIndex,
                part: textPartJson(""),
              }),
            );
          } else if (e.part.kind === "tool_call") {
            closeMessage(out);
            const item: Json = {
              id: newId("fc"),
              type: "function_call",
              status: "in_progress",
              call_id: e.part.id,
              name: e.part.name,
              arguments: "",
            };
            parts.set(e.index, {
              outputIndex: addItem(item, out),
              item,
              kind: "tool_call",
              contentIndex: 0,
              buf: "",
              signature: "",
            });
          } else if (e.part.kind === "thinking") {
            closeMessage(out);
            const item: Json = { id: newId("rs"), type: "reasoning", summary: [] };
            const outputIndex = addItem(item, out);
            parts.set(e.index, {
              outputIndex,
              item,
              kind: "thinking",
              contentIndex: 0,
              buf: "",
              signature: "",
            });
            out.push(
              ev("response.reasoning_summary_part.added", {
                item_id: item.id,
                output_index: outputIndex,
                summary_index: 0,
                part: { type: "summary_text", text: "" },
              }),
            );
          }
          break;
        }
        case "text_delta":
        case "thinking_delta":
        case "tool_args_delta": {
          const p = parts.get(e.index);
          const d = e.type === "text_delta" ? e.text : e.type === "thinking_delta" ? e.thinking : e.json;
          if (p === undefined || d === "") break;
          p.buf += d;
          const base = { item_id: p.item.id, output_index: p.outputIndex };
          if (p.kind === "text")
            out.push(
              ev("response.output_text.delta", {
                ...base,
                content_index: p.contentIndex,
                delta: d,
                logprobs: [],
              }),
            );
          else if (p.kind === "tool_call")
            out.push(ev("response.function_call_arguments.delta", { ...base, delta: d }));
          else out.push(ev("response.reasoning_summary_text.delta", { ...base, summary_index: 0, delta: d }));
          break;
        }
        case "signature_delta": {
          const p = parts.get(e.index);
          if (p !== undefined) p.signature = e.signature;
          break;
        }
        case "part_stop":
          stopPart(e.index, out);
          break;
        case "message_delta":
          if (e.stopReason !== undefined) stop = e.stopReason;
          if (e.usage !== undefined) usage = e.usage;
          break;
        case "message_stop": {
          for (const idx of [...parts.keys()]) stopPart(idx, out);
          closeMessage(out);
          const { status, incomplete } = responsesStatusFromIR(stop);
          response.status = status;
          response.incomplete_details = incomplete;
          response.usage = responsesUsageFromIR(usage ?? makeUsage(0, 0));
          out.push(
            ev(status === "incomplete" ? "response.incomplete" : "response.completed", {
              response: snapshot(),
            }),
          );
          done = true;
          break;
        }
        case "error": {
          done = true;
          // The failed response shows what was produced before the error.
          for (const p of parts.values()) {
            if (p.kind === "text") (p.item.content as Json[])[p.contentIndex] = textPartJson(p.buf);
            else if (p.kind === "tool_call") p.item.arguments = p.buf;
            else output[p.outputIndex] = reasoningItem(p.item.id as string, p.buf, p.signature);
          }
          out.push({ event: "error", data: JSON.stringify(responsesErrorEvent(e.error, seq++)) });
          response.status = "failed";
          response.error = { code: e.error.code ?? "server_error", message: e.error.message };
          out.push(ev("response.failed", { response: snapshot() }));
          break;
        }
      }
      return out;
    },
  };
}
