import {
  type IrPartStart,
  type IrStopReason,
  type IrStreamEvent,
  type IrUsage,
  malformedStreamError,
  type StreamDecoder,
  type StreamEncoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { asNumber, asString, isRecord, type Json, makeUsage, parseJson, streamedError } from "../util.js";
import { compactAnthropicEvent } from "./compact-events.js";
import { anthropicErrorObject, anthropicErrorToIR } from "./error.js";
import {
  anthropicStopFromIR,
  anthropicStopToIR,
  anthropicUsageFromIR,
  anthropicUsageToIR,
  bedrockGuardrailIntervened,
} from "./response.js";
import { canonicalTextDelta } from "./text-delta.js";

/**
 * Anthropic typed events → IR. IR part index = Anthropic block index. Blocks the IR cannot
 * carry (server tool use and its results) are skipped with their deltas. message_delta usage
 * is cumulative; it is merged with message_start's so the IR message_delta carries the whole.
 */
export function createAnthropicStreamDecoder(): StreamDecoder {
  let started = false;
  let stopReason: IrStopReason | undefined;
  let stopped = false;
  let failed = false;
  let intervened = false;
  let usage: IrUsage | undefined;
  const skipped = new Set<number>();

  return {
    push(e: WireEvent): IrStreamEvent[] {
      if (stopped || failed) return [];
      const delta = canonicalTextDelta(e.data);
      if (delta !== undefined) {
        return skipped.has(delta.index) ? [] : [{ type: "text_delta", index: delta.index, text: delta.text }];
      }
      // The events around the deltas likewise (compact-events.ts); anything else parsed whole.
      const ev = compactAnthropicEvent(e.data) ?? parseJson(e.data);
      if (ev === undefined) {
        // Skipping it would lose content silently and still end cleanly.
        failed = true;
        return [malformedStreamError()];
      }
      if (!isRecord(ev)) return [];
      const type = asString(ev.type) ?? e.event;
      const index = asNumber(ev.index) ?? 0;
      switch (type) {
        case "message_start": {
          const m = isRecord(ev.message) ? ev.message : {};
          started = true;
          intervened ||= bedrockGuardrailIntervened(m) || bedrockGuardrailIntervened(ev);
          usage = anthropicUsageToIR(m.usage);
          const out: IrStreamEvent = {
            type: "message_start",
            id: asString(m.id) ?? "",
            model: asString(m.model) ?? "",
          };
          if (usage !== undefined) out.usage = usage;
          return [out];
        }
        case "content_block_start": {
          const b = isRecord(ev.content_block) ? ev.content_block : {};
          let part: IrPartStart;
          const extra: IrStreamEvent[] = [];
          if (b.type === "text") {
            part = { kind: "text" };
            const t = asString(b.text);
            if (t) extra.push({ type: "text_delta", index, text: t });
          } else if (b.type === "thinking") {
            part = { kind: "thinking" };
            const t = asString(b.thinking);
            if (t) extra.push({ type: "thinking_delta", index, thinking: t });
          } else if (b.type === "redacted_thinking")
            part = { kind: "redacted_thinking", data: asString(b.data) ?? "" };
          else if (b.type === "tool_use") {
            part = { kind: "tool_call", id: asString(b.id) ?? "", name: asString(b.name) ?? "" };
            if (isRecord(b.input) && Object.keys(b.input).length > 0)
              extra.push({ type: "tool_args_delta", index, json: JSON.stringify(b.input) });
          } else {
            skipped.add(index);
            return [];
          }
          return [{ type: "part_start", index, part }, ...extra];
        }
        case "content_block_delta": {
          if (skipped.has(index)) return [];
          const d = isRecord(ev.delta) ? ev.delta : {};
          if (d.type === "text_delta") return [{ type: "text_delta", index, text: asString(d.text) ?? "" }];
          if (d.type === "input_json_delta")
            return [{ type: "tool_args_delta", index, json: asString(d.partial_json) ?? "" }];
          if (d.type === "thinking_delta")
            return [{ type: "thinking_delta", index, thinking: asString(d.thinking) ?? "" }];
          if (d.type === "signature_delta")
            return [{ type: "signature_delta", index, signature: asString(d.signature) ?? "" }];
          return [];
        }
        case "content_block_stop":
          if (skipped.has(index)) return [];
          return [{ type: "part_stop", index }];
        case "message_delta": {
          const d = isRecord(ev.delta) ? ev.delta : {};
          intervened ||= bedrockGuardrailIntervened(ev) || bedrockGuardrailIntervened(d);
          stopReason = intervened ? "content_filter" : anthropicStopToIR(d.stop_reason);
          const u = isRecord(ev.usage) ? ev.usage : {};
          const prev = usage ?? makeUsage(0, 0);
          // Fields absent from message_delta keep their message_start values.
          const merged = anthropicUsageToIR({
            input_tokens:
              asNumber(u.input_tokens) ??
              prev.inputTokens - (prev.cacheReadTokens ?? 0) - (prev.cacheCreationTokens ?? 0),
            output_tokens: asNumber(u.output_tokens) ?? prev.outputTokens,
            cache_read_input_tokens: asNumber(u.cache_read_input_tokens) ?? prev.cacheReadTokens,
            cache_creation_input_tokens: asNumber(u.cache_creation_input_tokens) ?? prev.cacheCreationTokens,
          });
          if (merged !== undefined) usage = merged;
          const out: IrStreamEvent = { type: "message_delta", stopReason };
          const seq = asString(d.stop_sequence);
          if (seq !== undefined) out.stopSequence = seq;
          if (usage !== undefined) out.usage = usage;
          return [out];
        }
        case "message_stop":
          stopped = true;
          return [{ type: "message_stop" }];
        case "error":
          failed = true;
          return [{ type: "error", error: streamedError(anthropicErrorToIR(500, ev)) }];
        default:
          return [];
      }
    },
    finish(): IrStreamEvent[] {
      if (stopped || failed) return [];
      failed = true;
      // A message_delta with a stop_reason is the semantic end; only message_stop is missing.
      if (stopReason !== undefined) return [{ type: "message_stop" }];
      return [truncatedStreamError(started ? "no message_stop before end of stream" : "no events received")];
    },
  };
}

interface PendingPart {
  irIndex: number;
  part: IrPartStart;
  /** Coalesced deltas received while another block was open. */
  text: string;
  signature: string;
  stopped: boolean;
}

/**
 * IR → Anthropic events. Anthropic blocks are strictly sequential, IR parts may interleave
 * (parallel OpenAI tool calls with interleaved indexes). The first open part streams live;
 * a part that starts while another is open is buffered (its deltas coalesced) and emitted,
 * in start order, once the open one stops or the message ends. Sequential upstreams — the
 * usual case — therefore stream with no buffering at all.
 */
export function createAnthropicStreamEncoder(): StreamEncoder {
  let done = false;
  let nextBlock = 0;
  let active: { irIndex: number; block: number } | undefined;
  const pending: PendingPart[] = [];
  let deltaSent = false;
  let inputUsage: IrUsage | undefined;

  const ev = (type: string, payload: Json): WireEvent => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });

  // The events every stream has are written as the text JSON.stringify gives for them,
  // without the spread object per event (~3% of a translated stream's CPU under load,
  // profiled). Tested against JSON.stringify.
  const blockStop = (block: number): WireEvent => ({
    event: "content_block_stop",
    data: `{"type":"content_block_stop","index":${block}}`,
  });
  const blockStart = (part: IrPartStart, block: number): WireEvent => {
    if (part.kind === "text") {
      return {
        event: "content_block_start",
        data: `{"type":"content_block_start","index":${block},"content_block":{"type":"text","text":""}}`,
      };
    }
    let cb: Json;
    if (part.kind === "thinking") cb = { type: "thinking", thinking: "", signature: "" };
    else if (part.kind === "redacted_thinking") cb = { type: "redacted_thinking", data: part.data };
    else cb = { type: "tool_use", id: part.id, name: part.name, input: {} };
    return ev("content_block_start", { index: block, content_block: cb });
  };
  const delta = (block: number, d: Json): WireEvent => ev("content_block_delta", { index: block, delta: d });
  /**
   * The most frequent event of every stream, written as the text JSON.stringify gives for
   * { type, index, delta: { type, <field> } } without building the two objects: stringifying
   * them was ~5% of a translated stream's CPU (profiled). Tested against JSON.stringify.
   */
  const textDelta = (kind: IrPartStart["kind"], block: number, s: string): WireEvent => {
    const [type, field] =
      kind === "thinking"
        ? ["thinking_delta", "thinking"]
        : kind === "tool_call"
          ? ["input_json_delta", "partial_json"]
          : ["text_delta", "text"];
    return {
      event: "content_block_delta",
      data: `{"type":"content_block_delta","index":${block},"delta":{"type":"${type}","${field}":${JSON.stringify(s)}}}`,
    };
  };

  const kinds = new Map<number, IrPartStart["kind"]>();

  /** Opens pending parts in order; stops at the first one still streaming unless `all`. */
  const drain = (out: WireEvent[], all: boolean): void => {
    while (active === undefined && pending.length > 0) {
      const p = pending.shift()!;
      const block = nextBlock++;
      out.push(blockStart(p.part, block));
      if (p.text !== "") out.push(textDelta(p.part.kind, block, p.text));
      if (p.signature !== "") out.push(delta(block, { type: "signature_delta", signature: p.signature }));
      if (p.stopped || all) out.push(blockStop(block));
      else active = { irIndex: p.irIndex, block };
    }
  };
  const closeAll = (out: WireEvent[]): void => {
    if (active !== undefined) {
      out.push(blockStop(active.block));
      active = undefined;
    }
    drain(out, true);
  };
  const messageDelta = (
    stop: IrStopReason,
    seq: string | undefined,
    usage: IrUsage | undefined,
  ): WireEvent => {
    const u = anthropicUsageFromIR(usage ?? inputUsage ?? makeUsage(0, 0));
    return {
      event: "message_delta",
      data: `{"type":"message_delta","delta":{"stop_reason":${JSON.stringify(anthropicStopFromIR(stop))},"stop_sequence":${JSON.stringify(seq ?? null)}},"usage":${JSON.stringify(u)}}`,
    };
  };

  return {
    push(e: IrStreamEvent): WireEvent[] {
      if (done) return [];
      const out: WireEvent[] = [];
      switch (e.type) {
        case "message_start": {
          inputUsage = e.usage;
          const usage = anthropicUsageFromIR(e.usage ?? makeUsage(0, 0));
          out.push({
            event: "message_start",
            data: `{"type":"message_start","message":{"id":${JSON.stringify(e.id)},"type":"message","role":"assistant","model":${JSON.stringify(e.model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${JSON.stringify(usage)}}}`,
          });
          break;
        }
        case "part_start":
          kinds.set(e.index, e.part.kind);
          if (active === undefined && pending.length === 0) {
            active = { irIndex: e.index, block: nextBlock++ };
            out.push(blockStart(e.part, active.block));
          } else pending.push({ irIndex: e.index, part: e.part, text: "", signature: "", stopped: false });
          break;
        case "text_delta":
        case "thinking_delta":
        case "tool_args_delta": {
          const s = e.type === "text_delta" ? e.text : e.type === "thinking_delta" ? e.thinking : e.json;
          if (s === "") break;
          if (active?.irIndex === e.index) out.push(textDelta(kinds.get(e.index) ?? "text", active.block, s));
          else {
            const p = pending.find((x) => x.irIndex === e.index);
            if (p !== undefined) p.text += s;
          }
          break;
        }
        case "signature_delta":
          if (active?.irIndex === e.index)
            out.push(delta(active.block, { type: "signature_delta", signature: e.signature }));
          else {
            const p = pending.find((x) => x.irIndex === e.index);
            if (p !== undefined) p.signature = e.signature;
          }
          break;
        case "part_stop":
          if (active?.irIndex === e.index) {
            out.push(blockStop(active.block));
            active = undefined;
            drain(out, false);
          } else {
            const p = pending.find((x) => x.irIndex === e.index);
            if (p !== undefined) p.stopped = true;
          }
          break;
        case "message_delta":
          closeAll(out);
          deltaSent = true;
          out.push(messageDelta(e.stopReason ?? "end_turn", e.stopSequence, e.usage));
          break;
        case "message_stop":
          closeAll(out);
          if (!deltaSent) out.push(messageDelta("end_turn", undefined, undefined));
          out.push({ event: "message_stop", data: '{"type":"message_stop"}' });
          done = true;
          break;
        case "error":
          done = true;
          out.push({ event: "error", data: JSON.stringify(anthropicErrorObject(e.error)) });
          break;
      }
      return out;
    },
  };
}
