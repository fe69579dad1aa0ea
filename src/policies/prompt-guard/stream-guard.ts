/**
 * Response guards on a stream of IR events. Text deltas and tool call argument deltas of each
 * part go through one scanner per guard, chained (a guard sees the previous guard's output,
 * as in the non-streamed chain). Each scanner holds back only the tail that could still turn
 * into a match, so deltas keep flowing; everything held is flushed at part end. A reject guard
 * that finds a match ends the stream with an `error` event (`guardrail_rejected`, the guard's
 * status and message), which the client encoder writes in the caller's format; nothing after
 * it is emitted.
 */
import type { IrError, IrStreamEvent } from "../../llm/formats/ir.js";
import { type PolicyEvent, policyEvent } from "../events.js";
import type { TextScanner } from "./scanner.js";
import type { Rejection, SyncGuard } from "./text-guards.js";

export interface StreamGuard {
  /** One IR event in; the events to pass on (possibly none, possibly a flushed delta first). */
  push(ev: IrStreamEvent): IrStreamEvent[];
  /** Characters currently held back across all parts and guards. */
  readonly held: number;
  /** Upper bound of `held` per open part: the sum of the guards' holdback bounds. */
  readonly holdbackBound: number;
  /** Outcome per guard, final once the stream has ended (message_stop or rejection). */
  events(): PolicyEvent[];
}

interface OpenPart {
  readonly kind: "text" | "tool_call";
  readonly scanners: TextScanner[];
}

export function rejectionError(r: Rejection): IrError {
  return { status: r.status, type: "permission", code: "guardrail_rejected", message: r.message };
}

export function createStreamGuard(guards: readonly SyncGuard[]): StreamGuard {
  const parts = new Map<number, OpenPart>();
  const hits = guards.map(() => 0);
  let rejectedBy = -1;
  let done = false;

  const delta = (index: number, kind: OpenPart["kind"], text: string): IrStreamEvent =>
    kind === "text" ? { type: "text_delta", index, text } : { type: "tool_args_delta", index, json: text };

  /** Runs `text` through the part's chain; `end` also flushes each stage. */
  function feed(index: number, part: OpenPart, text: string, end: boolean, out: IrStreamEvent[]): boolean {
    let carry = text;
    for (let g = 0; g < guards.length; g++) {
      const s = part.scanners[g]!;
      const a = carry === "" ? undefined : s.push(carry);
      const b = end ? s.flush() : undefined;
      const found = (a?.hits.length ?? 0) + (b?.hits.length ?? 0);
      carry = (a?.out ?? "") + (b?.out ?? "");
      if (found > 0) {
        hits[g]! += found;
        if (guards[g]!.action === "reject") {
          if (carry !== "") out.push(delta(index, part.kind, carry));
          rejectedBy = g;
          done = true;
          out.push({ type: "error", error: rejectionError(guards[g]!.rejection) });
          return false;
        }
      }
    }
    if (carry !== "") out.push(delta(index, part.kind, carry));
    return true;
  }

  function closePart(index: number, out: IrStreamEvent[]): boolean {
    const part = parts.get(index);
    if (part === undefined) return true;
    parts.delete(index);
    return feed(index, part, "", true, out);
  }

  function push(ev: IrStreamEvent): IrStreamEvent[] {
    if (done) return [];
    const out: IrStreamEvent[] = [];
    switch (ev.type) {
      case "part_start":
        if (ev.part.kind === "text" || ev.part.kind === "tool_call") {
          parts.set(ev.index, { kind: ev.part.kind, scanners: guards.map((g) => g.scanner()) });
        }
        out.push(ev);
        return out;
      case "text_delta":
      case "tool_args_delta": {
        const part = parts.get(ev.index);
        if (part === undefined) {
          out.push(ev);
          return out;
        }
        feed(ev.index, part, ev.type === "text_delta" ? ev.text : ev.json, false, out);
        return out;
      }
      case "part_stop":
        if (closePart(ev.index, out)) out.push(ev);
        return out;
      case "message_delta":
      case "message_stop":
        // A decoder that never stopped a part still gets its held text out before the end.
        for (const index of [...parts.keys()]) {
          if (!closePart(index, out)) return out;
        }
        if (ev.type === "message_stop") done = true;
        out.push(ev);
        return out;
      case "error":
        done = true;
        parts.clear();
        out.push(ev);
        return out;
      default:
        out.push(ev);
        return out;
    }
  }

  function events(): PolicyEvent[] {
    return guards
      .map((g, i) =>
        policyEvent(
          "promptGuard",
          "stream",
          i === rejectedBy ? "reject" : hits[i]! > 0 && g.action === "mask" ? "mask" : "allow",
          g.kind,
        ),
      )
      .slice(0, rejectedBy === -1 ? guards.length : rejectedBy + 1);
  }

  return {
    push,
    get held() {
      let n = 0;
      for (const p of parts.values()) for (const s of p.scanners) n += s.held;
      return n;
    },
    holdbackBound: guards.reduce((n, g) => n + g.holdbackBound, 0),
    events,
  };
}
