/**
 * ConverseStream → IR. agw's event-stream framer gives one WireEvent per frame: `event` is the
 * frame's `:event-type` (or "exception", the `:exception-type` then in the payload's `__type`),
 * `data` its JSON payload, whose padding field `p` and other unknown fields are ignored.
 *
 * Only tool-use blocks open with contentBlockStart; a text or reasoning block begins with its
 * first delta, so a block is started by whichever comes first. Converse block indexes are
 * renumbered in start order (the IR's contract). The stop reason (messageStop) and the usage
 * (metadata, the last event) arrive apart: the IR message_delta and message_stop are sent once
 * both are known. A stream that ends after messageStop without metadata ends cleanly, without
 * usage (the answer was whole); one that ends before messageStop was truncated.
 */
import {
  type IrPartStart,
  type IrStopReason,
  type IrStreamEvent,
  type IrUsage,
  malformedStreamError,
  type StreamDecoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { asNumber, asString, isRecord, type Json, parseJson } from "../util.js";
import { converseErrorToIR } from "./error.js";
import { converseStopSequence, converseStopToIR, converseUsageToIR } from "./response.js";

interface OpenBlock {
  index: number;
  kind: IrPartStart["kind"];
}

export function createConverseStreamDecoder(): StreamDecoder {
  let started = false;
  let ended = false;
  let nextIndex = 0;
  const blocks = new Map<number, OpenBlock>();
  let stopReason: IrStopReason | undefined;
  let stopSequence: string | undefined;
  let usage: IrUsage | undefined;

  const start = (out: IrStreamEvent[]): void => {
    if (started) return;
    started = true;
    out.push({ type: "message_start", id: "", model: "" });
  };
  const open = (converseIndex: number, part: IrPartStart, out: IrStreamEvent[]): OpenBlock => {
    const b: OpenBlock = { index: nextIndex++, kind: part.kind };
    blocks.set(converseIndex, b);
    out.push({ type: "part_start", index: b.index, part });
    return b;
  };
  const closeAll = (out: IrStreamEvent[]): void => {
    for (const b of blocks.values()) out.push({ type: "part_stop", index: b.index });
    blocks.clear();
  };
  const end = (out: IrStreamEvent[]): void => {
    ended = true;
    const md: IrStreamEvent = { type: "message_delta", stopReason: stopReason ?? "end_turn" };
    if (stopSequence !== undefined) md.stopSequence = stopSequence;
    if (usage !== undefined) md.usage = usage;
    out.push(md, { type: "message_stop" });
  };

  const onDelta = (ci: number, d: Json, out: IrStreamEvent[]): void => {
    let b = blocks.get(ci);
    if (typeof d.text === "string") {
      b ??= open(ci, { kind: "text" }, out);
      if (d.text !== "") out.push({ type: "text_delta", index: b.index, text: d.text });
    } else if (isRecord(d.toolUse)) {
      // A tool block always opens with contentBlockStart; input for an unknown one has no call to belong to.
      if (b?.kind === "tool_call")
        out.push({ type: "tool_args_delta", index: b.index, json: asString(d.toolUse.input) ?? "" });
    } else if (isRecord(d.reasoningContent)) {
      const r = d.reasoningContent;
      const redacted = asString(r.redactedContent);
      if (redacted !== undefined) {
        if (b === undefined) open(ci, { kind: "redacted_thinking", data: redacted }, out);
        return;
      }
      b ??= open(ci, { kind: "thinking" }, out);
      const text = asString(r.text);
      if (text !== undefined && text !== "")
        out.push({ type: "thinking_delta", index: b.index, thinking: text });
      const sig = asString(r.signature);
      if (sig !== undefined && sig !== "")
        out.push({ type: "signature_delta", index: b.index, signature: sig });
    }
  };

  return {
    push(e: WireEvent): IrStreamEvent[] {
      const out: IrStreamEvent[] = [];
      if (ended) return out;
      const ev = parseJson(e.data);
      if (ev === undefined) {
        ended = true;
        out.push(malformedStreamError());
        return out;
      }
      if (!isRecord(ev)) return out;
      if (e.event === "exception") {
        ended = true;
        out.push({ type: "error", error: converseErrorToIR(500, ev) });
        return out;
      }
      const ci = asNumber(ev.contentBlockIndex) ?? 0;
      switch (e.event) {
        case "messageStart":
          start(out);
          break;
        case "contentBlockStart": {
          start(out);
          const s = isRecord(ev.start) ? ev.start : {};
          if (isRecord(s.toolUse) && !blocks.has(ci))
            open(
              ci,
              {
                kind: "tool_call",
                id: asString(s.toolUse.toolUseId) ?? "",
                name: asString(s.toolUse.name) ?? "",
              },
              out,
            );
          break;
        }
        case "contentBlockDelta":
          start(out);
          if (isRecord(ev.delta)) onDelta(ci, ev.delta, out);
          break;
        case "contentBlockStop": {
          const b = blocks.get(ci);
          if (b !== undefined) {
            out.push({ type: "part_stop", index: b.index });
            blocks.delete(ci);
          }
          break;
        }
        case "messageStop":
          start(out);
          closeAll(out);
          stopReason = converseStopToIR(ev.stopReason);
          stopSequence = converseStopSequence(ev.additionalModelResponseFields);
          break;
        case "metadata":
          usage = converseUsageToIR(ev.usage) ?? usage;
          // Metadata before the stop is not the end: messageStop is still owed.
          if (stopReason !== undefined) end(out);
          break;
        default:
          break;
      }
      return out;
    },
    finish(): IrStreamEvent[] {
      if (ended) return [];
      if (stopReason === undefined) {
        ended = true;
        return [truncatedStreamError(started ? "no messageStop before end of stream" : "no events received")];
      }
      const out: IrStreamEvent[] = [];
      end(out);
      return out;
    },
  };
}
