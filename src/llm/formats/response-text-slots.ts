/**
 * The texts a response guard reads, found in place in a JSON answer of each format: answer
 * text and tool-call arguments (thinking is left alone, as in the IR guard's scope). Each slot
 * reads and writes its field where it is, so a masked answer keeps every other field of the
 * upstream's body (system_fingerprint, logprobs, ids, annotations, other choices, ...).
 */
import type { IrFormat } from "./ir.js";
import { argumentsToObject, asArray, isRecord, type Json, objectToArguments } from "./util.js";

export interface TextSlot {
  readonly kind: "text" | "arguments";
  readonly text: string;
  set(text: string): void;
}

function field(obj: Json, key: string, kind: TextSlot["kind"], out: TextSlot[]): void {
  const v = obj[key];
  if (typeof v !== "string") return;
  out.push({
    kind,
    text: v,
    set: (t) => {
      obj[key] = t;
    },
  });
}

function chatSlots(body: Json, out: TextSlot[]): void {
  for (const choice of asArray(body.choices)) {
    if (!isRecord(choice) || !isRecord(choice.message)) continue;
    const msg = choice.message;
    field(msg, "content", "text", out);
    field(msg, "refusal", "text", out);
    for (const tc of asArray(msg.tool_calls))
      if (isRecord(tc) && isRecord(tc.function)) field(tc.function, "arguments", "arguments", out);
  }
}

function anthropicSlots(body: Json, out: TextSlot[]): void {
  for (const b of asArray(body.content)) {
    if (!isRecord(b)) continue;
    if (b.type === "text") field(b, "text", "text", out);
    else if (b.type === "tool_use") {
      const block = b;
      out.push({
        kind: "arguments",
        text: objectToArguments(block.input),
        set: (t) => {
          block.input = argumentsToObject(t);
        },
      });
    }
  }
}

function responsesSlots(body: Json, out: TextSlot[]): void {
  for (const item of asArray(body.output)) {
    if (!isRecord(item)) continue;
    if (item.type === "message") {
      for (const c of asArray(item.content)) {
        if (!isRecord(c)) continue;
        if (c.type === "output_text") field(c, "text", "text", out);
        else if (c.type === "refusal") field(c, "refusal", "text", out);
      }
    } else if (item.type === "function_call") field(item, "arguments", "arguments", out);
    else if (item.type === "custom_tool_call") field(item, "input", "text", out);
  }
}

/** The guarded text fields of a JSON answer of `format`, in document order. */
export function responseTextSlots(format: IrFormat, body: Json): TextSlot[] {
  const out: TextSlot[] = [];
  if (format === "openai-chat") chatSlots(body, out);
  else if (format === "anthropic-messages") anthropicSlots(body, out);
  else responsesSlots(body, out);
  return out;
}
