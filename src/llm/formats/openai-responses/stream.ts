import type { IrStopReason, IrStreamEvent, IrUsage, StreamEncoder, WireEvent } from "../ir.js";
import { type Json, makeUsage } from "../util.js";
import { callItem, customInput } from "./client-tools.js";
import { responsesErrorEvent } from "./error.js";
import {
  idFactory,
  type ResponsesOutputOptions,
  reasoningItem,
  responseId,
  responseSkeleton,
  responsesStatusFromIR,
  responsesUsageFromIR,
  textPartJson,
} from "./response.js";

interface OpenItem {
  outputIndex: number;
  item: Json;
  /** A custom (freeform) tool call's input is sent whole when the call ends: its arguments hold it JSON-encoded. */
  kind: "text" | "thinking" | "tool_call" | "custom_call";
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
    } else if (p.kind === "custom_call") {
      const input = customInput(p.buf);
      const base = { item_id: itemId, output_index: p.outputIndex };
      if (input !== "") out.push(ev("response.custom_tool_call_input.delta", { ...base, delta: input }));
      out.push(ev("response.custom_tool_call_input.done", { ...base, input }));
      p.item.input = input;
      p.item.status = "completed";
      out.push(
        ev("response.output_item.done", { output_index: p.outputIndex, item: structuredClone(p.item) }),
      );
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
            const custom = opts.toolOrigins?.get(e.part.name)?.kind === "custom";
            const item = callItem(
              newId(custom ? "ctc" : "fc"),
              e.part.id,
              e.part.name,
              "",
              opts.toolOrigins,
              "in_progress",
            );
            parts.set(e.index, {
              outputIndex: addItem(item, out),
              item,
              kind: custom ? "custom_call" : "tool_call",
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
          else if (p.kind === "custom_call") break;
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
            else if (p.kind === "custom_call") p.item.input = customInput(p.buf);
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

export { createResponsesStreamDecoder } from "./stream-decoder.js";
