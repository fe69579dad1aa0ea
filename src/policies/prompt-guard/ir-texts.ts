/**
 * The texts a guard reads out of the IR, in a fixed order, put back after masking: response
 * guards use it; request guards in the pipeline read the whole body instead (body-texts.ts).
 * Scope: system prompt, text of every message role, tool call arguments (as their JSON text),
 * tool results; in responses, text and tool call arguments. Thinking is left alone: Anthropic
 * verifies its signature when it is sent back, so a masked thought would break the next turn.
 */
import type { IrContentPart, IrOutputPart, IrRequest, IrResponse } from "../../llm/formats/ir.js";

export interface TextSlots<T> {
  readonly texts: readonly string[];
  /** A copy of the original with texts[i] replaced (the original is not modified). */
  rebuild(texts: readonly string[]): T;
}

type Take = () => string;

function mapPart<P extends IrContentPart>(part: P, next: Take): P {
  switch (part.type) {
    case "text":
      return { ...part, text: next() };
    case "tool_call":
      return { ...part, arguments: next() };
    case "tool_result":
      return {
        ...part,
        content:
          typeof part.content === "string"
            ? next()
            : part.content.map((c) => (c.type === "text" ? { ...c, text: next() } : c)),
      };
    default:
      return part;
  }
}

function collectPart(part: IrContentPart, out: string[]): void {
  if (part.type === "text") out.push(part.text);
  else if (part.type === "tool_call") out.push(part.arguments);
  else if (part.type === "tool_result") {
    if (typeof part.content === "string") out.push(part.content);
    else for (const c of part.content) if (c.type === "text") out.push(c.text);
  }
}

function taker(texts: readonly string[]): Take {
  let i = 0;
  return () => {
    const t = texts[i++];
    if (t === undefined) throw new Error("guard returned fewer texts than it was given");
    return t;
  };
}

export function requestTexts(ir: IrRequest): TextSlots<IrRequest> {
  const texts: string[] = [];
  for (const s of ir.system) texts.push(s.text);
  for (const m of ir.messages) for (const p of m.content) collectPart(p, texts);
  return {
    texts,
    rebuild(next) {
      const take = taker(next);
      return {
        ...ir,
        system: ir.system.map((s) => ({ ...s, text: take() })),
        messages: ir.messages.map((m) => ({ ...m, content: m.content.map((p) => mapPart(p, take)) })),
      };
    },
  };
}

export function responseTexts(ir: IrResponse): TextSlots<IrResponse> {
  const texts: string[] = [];
  for (const p of ir.content) collectPart(p, texts);
  return {
    texts,
    rebuild(next) {
      const take = taker(next);
      return { ...ir, content: ir.content.map((p) => mapPart<IrOutputPart>(p, take)) };
    },
  };
}
