/**
 * The LLM response phase's prompt guard (POLICY_ORDER.llmResponse: promptGuardResponse).
 * Any response the route's response guards must read goes through the IR (the same-format
 * fast path steps aside), and is judged here:
 *  - a JSON answer: the whole chain on the IR response; reject → the guard's status in the
 *    caller's envelope (nothing has been sent yet); mask → the masked answer;
 *  - a stream: each IR event through the stream guard, which holds back only what could still
 *    become a match, so deltas keep flowing; reject → an error event in the caller's format.
 *    A webhook guard cannot judge deltas: the stream is then collected, judged whole with the
 *    same chain as JSON, and replayed (masked texts in place of the original deltas).
 */

import { responseHead } from "../../http/forward-headers.js";
import { notePolicyEvents } from "../../http/record.js";
import type { PromptGuard } from "../../policies/prompt-guard/chain.js";
import { rejectionError } from "../../policies/prompt-guard/stream-guard.js";
import {
  converterFor,
  type IrFormat,
  type IrOutputPart,
  type IrResponse,
  type IrStreamEvent,
  type IrUsage,
} from "../formats/index.js";
import { responseTextSlots } from "../formats/response-text-slots.js";
import type { Exchange } from "./exchange.js";
import { readJsonAnswer, withIdentity, writeIrResponse } from "./translate-json.js";
import { clientHeaderValue } from "./upstream-events.js";
import type { UpstreamResponse } from "./upstream-response.js";

/** The route's response guards, when there are any. */
export function responseGuardOf(x: Exchange): PromptGuard | undefined {
  const g = x.ctx.gateway?.policy.promptGuard;
  return g !== undefined && g.response.length > 0 ? g : undefined;
}

/** The answer to write: the guarded IR; throws the guard's GatewayError on a rejection. */
export async function guardIrResponse(x: Exchange, ir: IrResponse): Promise<IrResponse> {
  const guard = responseGuardOf(x);
  if (guard === undefined) return ir;
  const r = await guard.checkResponse(ir);
  notePolicyEvents(x.record, r.events);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * A JSON answer in the caller's own format, judged by the response guards: written as the
 * upstream sent it (its headers too), with only the texts a guard masked replaced in place.
 * Nothing else of the body changes, so fields the IR does not carry are kept.
 */
export async function answerGuardedSameFormat(
  x: Exchange,
  up: UpstreamResponse,
  format: IrFormat,
  guard: PromptGuard,
): Promise<void> {
  const { raw, parsed } = await readJsonAnswer(up.body, x.ctx.runtime.process.maxUpstreamResponseBytes);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    // No response of any format: the IR path says so in the caller's envelope.
    converterFor(format).responseToIR(parsed);
    return;
  }
  const body = parsed as Record<string, unknown>;
  const slots = responseTextSlots(format, body);
  // What the guards read: the answer's texts, as the IR response they take.
  const ir: IrResponse = {
    id: "",
    model: "",
    content: slots.map(
      (s): IrOutputPart =>
        s.kind === "text"
          ? { type: "text", text: s.text }
          : { type: "tool_call", id: "", name: "", arguments: s.text },
    ),
    stopReason: "end_turn",
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
  };
  const r = await guard.checkResponse(ir);
  notePolicyEvents(x.record, r.events);
  if (!r.ok) throw r.error;
  let out: string | Buffer = raw;
  if (r.value !== ir) {
    r.value.content.forEach((p, i) => {
      const slot = slots[i];
      const text = p.type === "text" ? p.text : p.type === "tool_call" ? p.arguments : undefined;
      if (slot !== undefined && text !== undefined && text !== slot.text) slot.set(text);
    });
    out = JSON.stringify(body);
  }
  // An echo of the managed key is redacted as on the unguarded path.
  const echo = x.echo;
  if (echo !== undefined) out = typeof out === "string" ? echo.redact(out) : echo.redactBytes(out);
  x.record.status = up.statusCode;
  x.res.writeHead(up.statusCode, [
    ...upstreamHeadsFor(x, up),
    "content-length",
    String(Buffer.byteLength(out)),
  ]);
  x.res.end(out);
  const { usage, model } = converterFor(format).responseUsage(body);
  x.noteUsage(usage, model);
}

/**
 * The upstream's response head as the client gets it: an echo of the managed key redacted,
 * without its content-length unless `keepLength` (the body goes out as received), an event
 * stream's content type said as SSE's.
 */
export function upstreamHeadsFor(x: Exchange, up: UpstreamResponse, keepLength = false): string[] {
  const h = responseHead(up.head, x.ctx.requestId);
  // One prefilter over all values: a header echoing the managed key is rare.
  const echo = x.echo?.mayHold(h.join("\n")) ? x.echo : undefined;
  if (keepLength && echo === undefined) return h;
  const out: string[] = [];
  for (let i = 0; i < h.length; i += 2) {
    if (!keepLength && h[i] === "content-length") continue;
    const value = clientHeaderValue(h[i]!, h[i + 1]!);
    out.push(h[i]!, echo === undefined ? value : echo.redact(value));
  }
  return out;
}

/** A JSON answer of any format, judged by the response guards, written in the caller's format. */
export async function answerGuardedJson(
  x: Exchange,
  up: UpstreamResponse,
  providerFormat: IrFormat,
): Promise<void> {
  const { parsed } = await readJsonAnswer(up.body, x.ctx.runtime.process.maxUpstreamResponseBytes);
  const { ir, dropped } = converterFor(providerFormat).responseToIR(parsed);
  x.logDropped("upstream response", dropped);
  writeIrResponse(x, await guardIrResponse(x, withIdentity(x, ir)));
}

export interface StreamFilter {
  /** One IR event in; what to pass on now. */
  push(ev: IrStreamEvent): IrStreamEvent[];
  /** At the end of the upstream stream: what is still owed (a buffered stream, judged). */
  end(): Promise<IrStreamEvent[]>;
}

/** A filter for one streamed response, or undefined when the route has no response guards. */
export function streamFilterOf(x: Exchange): StreamFilter | undefined {
  const guard = responseGuardOf(x);
  if (guard === undefined) return undefined;
  if (guard.streamsNeedBuffering) return bufferingFilter(x, guard);
  const sg = guard.createStreamGuard();
  if (sg === undefined) return undefined;
  let noted = false;
  const note = (): void => {
    if (noted) return;
    noted = true;
    notePolicyEvents(x.record, sg.events());
  };
  return {
    push(ev) {
      const out = sg.push(ev);
      for (const e of out) {
        if (e.type === "error" && e.error.code === "guardrail_rejected")
          x.record.error ??= "guardrail_rejected";
        if (e.type === "message_stop" || e.type === "error") note();
      }
      return out;
    },
    end: async () => {
      note();
      return [];
    },
  };
}

interface Assembled {
  readonly ir: IrResponse;
  /** Part index → position in ir.content. */
  readonly position: ReadonlyMap<number, number>;
}

function addUsage(prev: IrUsage | undefined, next: IrUsage | undefined): IrUsage | undefined {
  if (next === undefined) return prev;
  if (prev === undefined || next.inputTokens !== 0) return next;
  return { ...next, inputTokens: prev.inputTokens, totalTokens: prev.inputTokens + next.outputTokens };
}

/** The IR response a list of stream events describes. */
export function assembleResponse(events: readonly IrStreamEvent[]): Assembled {
  const content: IrOutputPart[] = [];
  const position = new Map<number, number>();
  let id = "";
  let model = "";
  let created: number | undefined;
  let usage: IrUsage | undefined;
  let stopReason: IrResponse["stopReason"] = "end_turn";
  let stopSequence: string | undefined;
  for (const ev of events) {
    switch (ev.type) {
      case "message_start":
        id = ev.id;
        model = ev.model;
        created = ev.created;
        usage = addUsage(usage, ev.usage);
        break;
      case "part_start": {
        const p = ev.part;
        position.set(ev.index, content.length);
        if (p.kind === "text") content.push({ type: "text", text: "" });
        else if (p.kind === "tool_call")
          content.push({ type: "tool_call", id: p.id, name: p.name, arguments: "" });
        else if (p.kind === "thinking") content.push({ type: "thinking", thinking: "" });
        else content.push({ type: "redacted_thinking", data: p.data });
        break;
      }
      case "text_delta": {
        const part = content[position.get(ev.index) ?? -1];
        if (part?.type === "text") part.text += ev.text;
        break;
      }
      case "tool_args_delta": {
        const part = content[position.get(ev.index) ?? -1];
        if (part?.type === "tool_call") part.arguments += ev.json;
        break;
      }
      case "message_delta":
        if (ev.stopReason !== undefined) stopReason = ev.stopReason;
        if (ev.stopSequence !== undefined) stopSequence = ev.stopSequence;
        usage = addUsage(usage, ev.usage);
        break;
      default:
        break;
    }
  }
  const ir: IrResponse = {
    id,
    model,
    content,
    stopReason,
    usage: usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    ...(created === undefined ? {} : { created }),
    ...(stopSequence === undefined ? {} : { stopSequence }),
  };
  return { ir, position };
}

/** The collected events with each guarded part's deltas replaced by its masked text, in one delta. */
export function replayMasked(
  events: readonly IrStreamEvent[],
  masked: IrResponse,
  position: ReadonlyMap<number, number>,
): IrStreamEvent[] {
  const written = new Set<number>();
  const out: IrStreamEvent[] = [];
  for (const ev of events) {
    if (ev.type !== "text_delta" && ev.type !== "tool_args_delta") {
      out.push(ev);
      continue;
    }
    if (written.has(ev.index)) continue;
    written.add(ev.index);
    const part = masked.content[position.get(ev.index) ?? -1];
    if (part?.type === "text" && ev.type === "text_delta") out.push({ ...ev, text: part.text });
    else if (part?.type === "tool_call" && ev.type === "tool_args_delta")
      out.push({ ...ev, json: part.arguments });
    else out.push(ev);
  }
  return out;
}

/**
 * Holds a whole streamed answer for a guard that judges it at the end (a webhook). What it
 * holds is bounded like a JSON answer: past `config.maxUpstreamResponse` characters of text
 * and tool arguments the stream ends with upstream_response_too_large (the caller's stream
 * stops there, and so does the upstream request).
 */
function bufferingFilter(x: Exchange, guard: PromptGuard): StreamFilter {
  const held: IrStreamEvent[] = [];
  const limit = x.ctx.runtime.process.maxUpstreamResponseBytes;
  let size = 0;
  let failed = false;
  return {
    push(ev) {
      if (failed) return [];
      if (ev.type === "error") {
        // An upstream failure ends the stream as it would have without the guard.
        failed = true;
        held.length = 0;
        return [ev];
      }
      if (ev.type === "text_delta") size += ev.text.length;
      else if (ev.type === "tool_args_delta") size += ev.json.length;
      if (size > limit) {
        failed = true;
        const start = held.filter((e) => e.type === "message_start");
        held.length = 0;
        x.record.error ??= "upstream_response_too_large";
        const message = `The upstream answer is larger than ${limit} bytes, the limit (config.maxUpstreamResponse).`;
        return [
          ...start,
          {
            type: "error",
            error: { status: 502, type: "server", code: "upstream_response_too_large", message },
          },
        ];
      }
      held.push(ev);
      return [];
    },
    async end() {
      if (failed || held.length === 0) return [];
      const { ir, position } = assembleResponse(held);
      const r = await guard.checkResponse(ir);
      notePolicyEvents(x.record, r.events);
      if (!r.ok) {
        x.record.error ??= "guardrail_rejected";
        const keep = held.filter((e) => e.type === "message_start");
        return [
          ...keep,
          {
            type: "error",
            error: { ...rejectionError({ status: r.error.status, message: r.error.message }) },
          },
        ];
      }
      return r.value === ir ? held : replayMasked(held, r.value, position);
    },
  };
}
