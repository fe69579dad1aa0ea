/**
 * The Responses API's grouped and freeform tools as plain function tools, and back: what lets a
 * Responses client (Codex) use an upstream that has only function tools.
 *  - `namespace` tools group functions: each becomes a function named `<namespace>__<name>`
 *    (the namespace alone when it already ends in `__`, as Codex's `mcp__<server>__` do); a call
 *    comes back as a `function_call` with the inner `name` and its `namespace`.
 *  - `custom` (freeform) tools take one string: a function with a single string parameter
 *    `input`; a call comes back as a `custom_tool_call` whose `input` is that string.
 *  - Hosted tools (web_search, file_search, code_interpreter, ...) run on OpenAI's side: they
 *    are kept as sent (for a Responses upstream) and reported, for the pipeline to drop or refuse.
 */
import type { IrRequest, IrTool, IrToolOrigin } from "../ir.js";
import { asArray, asString, isRecord, type Json } from "../util.js";

/** The longest function name OpenAI, Anthropic, Gemini and Bedrock all take. */
export const MAX_TOOL_NAME = 64;

/** FNV-1a over UTF-16 units, as 8 hex digits: a short, stable tag for a long name. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * A namespaced function's flat name. One longer than the 64 characters providers take (MCP
 * server and tool names add up) keeps its first 55 characters and a tag of the whole name, so
 * it stays distinct and the same in every turn; the answer names it back by the origin map.
 */
export function namespacedName(namespace: string, name: string): string {
  const flat = namespace.endsWith("__") ? `${namespace}${name}` : `${namespace}__${name}`;
  return flat.length <= MAX_TOOL_NAME ? flat : `${flat.slice(0, MAX_TOOL_NAME - 9)}_${fnv1a(flat)}`;
}

/** The arguments text of a freeform tool call. */
export function customArguments(input: string): string {
  return JSON.stringify({ input });
}

/** The freeform input a custom tool call's arguments carry ("" when they are not the expected object). */
export function customInput(args: string): string {
  try {
    const v: unknown = JSON.parse(args);
    if (isRecord(v) && typeof v.input === "string") return v.input;
  } catch {
    // fall through: the model did not produce the expected object
  }
  return args;
}

function functionTool(t: Json, name: string, origin?: IrToolOrigin): IrTool {
  const tool: IrTool = {
    name,
    parameters: isRecord(t.parameters) ? t.parameters : { type: "object", properties: {} },
  };
  if (typeof t.description === "string") tool.description = t.description;
  if (typeof t.strict === "boolean") tool.strict = t.strict;
  if (origin !== undefined) tool.origin = origin;
  return tool;
}

function customTool(t: Json): IrTool {
  const name = asString(t.name) ?? "";
  const format = isRecord(t.format) ? t.format : undefined;
  const grammar =
    format !== undefined && format.type === "grammar" && typeof format.definition === "string"
      ? ` It must match this ${asString(format.syntax) ?? ""} grammar:\n${format.definition}`
      : "";
  const tool: IrTool = {
    name,
    parameters: {
      type: "object",
      properties: { input: { type: "string", description: `The tool's raw text input.${grammar}` } },
      required: ["input"],
      additionalProperties: false,
    },
    origin: format === undefined ? { kind: "custom", name } : { kind: "custom", name, format },
  };
  if (typeof t.description === "string") tool.description = t.description;
  return tool;
}

export interface ClientTools {
  tools: IrTool[];
  /** Hosted tools as sent, for a Responses upstream. */
  hosted: Json[];
}

export function clientToolsToIR(tools: unknown, unsupported: string[]): ClientTools {
  const out: IrTool[] = [];
  const hosted: Json[] = [];
  for (const t of asArray(tools)) {
    if (!isRecord(t)) continue;
    if (t.type === "function") out.push(functionTool(t, asString(t.name) ?? ""));
    else if (t.type === "namespace") {
      const ns = asString(t.name) ?? "";
      const nsDescription = asString(t.description);
      for (const inner of asArray(t.tools)) {
        if (!isRecord(inner)) continue;
        const name = asString(inner.name) ?? "";
        const origin: IrToolOrigin = { kind: "namespace", namespace: ns, name };
        if (nsDescription !== undefined) origin.namespaceDescription = nsDescription;
        if (inner.type === "function" || inner.type === undefined)
          out.push(functionTool(inner, namespacedName(ns, name), origin));
        else if (inner.type === "custom") out.push(customTool(inner));
        else unsupported.push(`tools[type=namespace].tools[type=${String(inner.type)}]`);
      }
    } else if (t.type === "custom") out.push(customTool(t));
    else hosted.push(t);
  }
  return { tools: out, hosted };
}

/** The hosted tool types a request carries (kept in the Responses extras by requestToIR). */
export function hostedToolTypes(ir: IrRequest): string[] {
  const tools = ir.extras?.["openai-responses"]?.tools;
  const types = asArray(tools).map((t) => (isRecord(t) ? String(t.type) : "?"));
  return [...new Set(types)];
}

/** Flat function name → how the client named it, for the tools that were renamed. */
export function toolOrigins(ir: IrRequest): ReadonlyMap<string, IrToolOrigin> | undefined {
  let map: Map<string, IrToolOrigin> | undefined;
  for (const t of ir.tools ?? []) {
    if (t.origin === undefined) continue;
    map ??= new Map();
    map.set(t.name, t.origin);
  }
  return map;
}

/** A tool call as the client's output item: function_call (with its namespace) or custom_tool_call. */
export function callItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  origins: ReadonlyMap<string, IrToolOrigin> | undefined,
  status: string,
): Json {
  const origin = origins?.get(name);
  if (origin?.kind === "custom")
    return {
      id,
      type: "custom_tool_call",
      status,
      call_id: callId,
      name: origin.name,
      input: customInput(args),
    };
  const item: Json = { id, type: "function_call", status, call_id: callId, name, arguments: args };
  if (origin?.kind === "namespace") {
    item.name = origin.name;
    item.namespace = origin.namespace;
  }
  return item;
}

/** The Responses upstream's tools: namespaces regrouped, custom tools restored, hosted ones as sent. */
export function clientToolsFromIR(tools: readonly IrTool[], hosted: unknown): Json[] {
  const out: Json[] = [];
  const groups = new Map<string, Json[]>();
  for (const t of tools) {
    const o = t.origin;
    if (o?.kind === "custom") {
      const c: Json = { type: "custom", name: o.name };
      if (t.description !== undefined) c.description = t.description;
      if (o.format !== undefined) c.format = o.format;
      out.push(c);
      continue;
    }
    const f: Json = { type: "function", name: o?.kind === "namespace" ? o.name : t.name };
    if (t.description !== undefined) f.description = t.description;
    f.parameters = t.parameters;
    // Responses defaults strict to true, which rejects most hand-written schemas.
    f.strict = t.strict ?? false;
    if (o?.kind !== "namespace") {
      out.push(f);
      continue;
    }
    let group = groups.get(o.namespace);
    if (group === undefined) {
      group = [];
      groups.set(o.namespace, group);
      out.push({
        type: "namespace",
        name: o.namespace,
        description: o.namespaceDescription ?? "",
        tools: group,
      });
    }
    group.push(f);
  }
  for (const h of asArray(hosted)) out.push(h as Json);
  return out;
}
