/**
 * The built-in mock provider: answers in-process, without network or keys, so a config
 * can be tried offline. Pure and deterministic: the same IR request always gives the same
 * IR response and the same IR stream events (ids are derived from the request, usage is a
 * word count). The pipeline encodes them for the client like any provider's.
 *
 * Behaviour: when the request offers tools, tool use is not switched off and the last
 * message is the user's, the first tool (or the forced one) is called with arguments made
 * from its schema's required properties; otherwise the reply is
 * `This is a mock reply to: <last user or tool text>`, cut at max_tokens words.
 */
import type {
  IrContentPart,
  IrMessage,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  IrTool,
  IrUsage,
} from "../../formats/ir.js";

export interface MockOptions {
  /** Unix seconds for `created`; 0 when absent (the answer stays a pure function). */
  created?: number;
}

export function countWords(text: string): number {
  const t = text.trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}

function partText(p: IrContentPart): string {
  switch (p.type) {
    case "text":
      return p.text;
    case "tool_result":
      return typeof p.content === "string"
        ? p.content
        : p.content.map((c) => (c.type === "text" ? c.text : "")).join(" ");
    case "tool_call":
      return p.arguments;
    case "thinking":
      return p.thinking;
    default:
      return "";
  }
}

function messageText(m: IrMessage): string {
  return m.content
    .map(partText)
    .filter((t) => t !== "")
    .join(" ");
}

/** FNV-1a over the prompt: a stable id per distinct request. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function inputTokens(ir: IrRequest): number {
  let n = 0;
  for (const s of ir.system) n += countWords(s.text);
  for (const m of ir.messages) n += countWords(messageText(m));
  return n;
}

function sampleValue(schema: unknown): unknown {
  const type =
    typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : undefined;
  switch (type) {
    case "string":
      return "mock";
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return argumentsFor(schema as Record<string, unknown>);
    default:
      return null;
  }
}

/** Arguments holding the schema's required properties only ("{}" when none are required). */
function argumentsFor(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const args: Record<string, unknown> = {};
  for (const name of required) if (typeof name === "string") args[name] = sampleValue(props[name]);
  return args;
}

function toolToCall(ir: IrRequest): IrTool | undefined {
  const tools = ir.tools ?? [];
  if (tools.length === 0 || ir.toolChoice?.type === "none") return undefined;
  if (ir.messages[ir.messages.length - 1]?.role !== "user") return undefined;
  const choice = ir.toolChoice;
  if (choice?.type === "tool") return tools.find((t) => t.name === choice.name) ?? tools[0];
  return tools[0];
}

function usageOf(input: number, output: number): IrUsage {
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

/** The mock's answer to a request. */
export function mockResponse(ir: IrRequest, opts: MockOptions = {}): IrResponse {
  const id = `mock_${hashOf(JSON.stringify([ir.system, ir.messages, ir.tools ?? null]))}`;
  const input = inputTokens(ir);
  const base = { id, model: ir.model, created: opts.created ?? 0 };
  const tool = toolToCall(ir);
  if (tool !== undefined) {
    const args = JSON.stringify(argumentsFor(tool.parameters));
    return {
      ...base,
      content: [{ type: "tool_call", id: `call_${id.slice(5)}`, name: tool.name, arguments: args }],
      stopReason: "tool_use",
      usage: usageOf(input, countWords(args) || 1),
    };
  }
  const last = [...ir.messages].reverse().find((m) => m.role !== "assistant");
  let words = `This is a mock reply to: ${last === undefined ? "" : messageText(last)}`.trim().split(/\s+/);
  let stopReason: IrResponse["stopReason"] = "end_turn";
  if (ir.maxTokens !== undefined && words.length > ir.maxTokens) {
    words = words.slice(0, Math.max(1, ir.maxTokens));
    stopReason = "max_tokens";
  }
  return {
    ...base,
    content: [{ type: "text", text: words.join(" ") }],
    stopReason,
    usage: usageOf(input, words.length),
  };
}

/** The same answer as stream events: text word by word, tool arguments in two pieces. */
export function mockStreamEvents(ir: IrRequest, opts: MockOptions = {}): IrStreamEvent[] {
  const r = mockResponse(ir, opts);
  const events: IrStreamEvent[] = [
    {
      type: "message_start",
      id: r.id,
      model: r.model,
      created: r.created ?? 0,
      usage: usageOf(r.usage.inputTokens, 0),
    },
  ];
  r.content.forEach((part, index) => {
    if (part.type === "text") {
      events.push({ type: "part_start", index, part: { kind: "text" } });
      part.text.split(/(?<= )/).forEach((piece) => {
        events.push({ type: "text_delta", index, text: piece });
      });
    } else if (part.type === "tool_call") {
      events.push({ type: "part_start", index, part: { kind: "tool_call", id: part.id, name: part.name } });
      const half = Math.ceil(part.arguments.length / 2);
      events.push({ type: "tool_args_delta", index, json: part.arguments.slice(0, half) });
      if (half < part.arguments.length)
        events.push({ type: "tool_args_delta", index, json: part.arguments.slice(half) });
    }
    events.push({ type: "part_stop", index });
  });
  events.push({ type: "message_delta", stopReason: r.stopReason, usage: r.usage }, { type: "message_stop" });
  return events;
}

/** count_tokens for the mock: the prompt's word count. */
export function mockTokenCount(ir: IrRequest): number {
  return inputTokens(ir);
}
