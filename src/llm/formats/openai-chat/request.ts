import { GatewayError } from "../../../errors.js";
import type {
  IrContentPart,
  IrImagePart,
  IrMessage,
  IrRequest,
  IrResponseFormat,
  IrTextPart,
  IrTool,
  IrToolChoice,
  RequestFromIrResult,
  RequestToIrResult,
} from "../ir.js";
import { effortForBudget } from "../reasoning.js";
import { asArray, asNumber, asString, isRecord, type Json, mergeExtras, unknownKeys } from "../util.js";
import { thinkingBlocksToIR } from "./response.js";

const KNOWN = new Set([
  "model",
  "messages",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "stream",
  "stream_options",
  "reasoning_effort",
  "user",
  "metadata",
  "response_format",
  "seed",
  "n",
  "presence_penalty",
  "frequency_penalty",
]);

function invalid(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_body", message);
}

const DATA_URL = /^data:([^;,]+)(?:;[^,;]*)*;base64,(.*)$/s;

export function imageFromUrl(url: string, detail?: string): IrImagePart {
  const m = DATA_URL.exec(url);
  const part: IrImagePart =
    m !== null
      ? { type: "image", source: { kind: "base64", mediaType: m[1]!, data: m[2]! } }
      : { type: "image", source: { kind: "url", url } };
  if (detail !== undefined) part.detail = detail;
  return part;
}

export function imageToUrl(part: IrImagePart): string {
  return part.source.kind === "url"
    ? part.source.url
    : `data:${part.source.mediaType};base64,${part.source.data}`;
}

function textParts(content: unknown, where: string, dropped: string[]): IrTextPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: IrTextPart[] = [];
  for (const p of asArray(content)) {
    if (isRecord(p) && (p.type === "text" || p.type === "refusal")) {
      const t = asString(p.text) ?? asString(p.refusal);
      if (t !== undefined) out.push({ type: "text", text: t });
    } else dropped.push(`${where}.content[${isRecord(p) ? String(p.type) : "?"}]`);
  }
  return out;
}

function userParts(content: unknown, i: number, dropped: string[]): IrContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: IrContentPart[] = [];
  for (const p of asArray(content)) {
    if (!isRecord(p)) continue;
    if (p.type === "text" && typeof p.text === "string") out.push({ type: "text", text: p.text });
    else if (p.type === "image_url") {
      const iu = p.image_url;
      const url = isRecord(iu) ? asString(iu.url) : asString(iu);
      if (url === undefined) throw invalid(`messages[${i}]: image_url part without a url`);
      out.push(imageFromUrl(url, isRecord(iu) ? asString(iu.detail) : undefined));
    } else dropped.push(`messages[${i}].content[${String(p.type)}]`);
  }
  return out;
}

export function chatRequestToIR(body: unknown): RequestToIrResult {
  if (!isRecord(body)) throw invalid("request body must be a JSON object");
  const model = asString(body.model);
  if (model === undefined) throw invalid("`model` is required");
  if (!Array.isArray(body.messages)) throw invalid("`messages` must be an array");
  const dropped: string[] = [];
  const unsupported: string[] = [];
  const system: IrTextPart[] = [];
  const messages: IrMessage[] = [];

  body.messages.forEach((m, i) => {
    if (!isRecord(m)) throw invalid(`messages[${i}] must be an object`);
    const role = m.role;
    if (role === "system" || role === "developer") {
      const texts = textParts(m.content, `messages[${i}]`, dropped);
      // Leading instructions are the system prompt; a later one stays where it was.
      if (messages.length === 0) system.push(...texts);
      else messages.push({ role: "system", content: texts });
    } else if (role === "user") {
      const msg: IrMessage = { role: "user", content: userParts(m.content, i, dropped) };
      if (typeof m.name === "string") msg.name = m.name;
      messages.push(msg);
    } else if (role === "assistant") {
      // Signed thinking agw handed out (thinking_blocks) goes first, as Anthropic wants it back.
      const content: IrContentPart[] = [
        ...thinkingBlocksToIR(m.thinking_blocks),
        ...(m.content == null ? [] : textParts(m.content, `messages[${i}]`, dropped)),
      ];
      for (const tc of asArray(m.tool_calls)) {
        if (!isRecord(tc) || !isRecord(tc.function)) continue;
        content.push({
          type: "tool_call",
          id: asString(tc.id) ?? "",
          name: asString(tc.function.name) ?? "",
          arguments: asString(tc.function.arguments) ?? "",
        });
      }
      if (m.function_call !== undefined) dropped.push(`messages[${i}].function_call`);
      messages.push({ role: "assistant", content });
    } else if (role === "tool") {
      const id = asString(m.tool_call_id);
      if (id === undefined) throw invalid(`messages[${i}]: tool message without tool_call_id`);
      const parts = textParts(m.content, `messages[${i}]`, dropped);
      const part: IrContentPart = {
        type: "tool_result",
        toolCallId: id,
        content: typeof m.content === "string" ? m.content : parts,
      };
      // Consecutive tool messages are one turn of results (one Anthropic user message).
      const prev = messages[messages.length - 1];
      if (prev !== undefined && prev.role === "tool") prev.content.push(part);
      else messages.push({ role: "tool", content: [part] });
    } else {
      throw invalid(`messages[${i}]: unsupported role ${JSON.stringify(role)}`);
    }
  });

  const ir: IrRequest = { model, system, messages, stream: body.stream === true };

  const tools: IrTool[] = [];
  for (const t of asArray(body.tools)) {
    if (isRecord(t) && t.type === "function" && isRecord(t.function)) {
      const f = t.function;
      const tool: IrTool = {
        name: asString(f.name) ?? "",
        parameters: isRecord(f.parameters) ? f.parameters : { type: "object", properties: {} },
      };
      if (typeof f.description === "string") tool.description = f.description;
      if (typeof f.strict === "boolean") tool.strict = f.strict;
      tools.push(tool);
    } else if (isRecord(t)) unsupported.push(`tools[type=${String(t.type)}]`);
  }
  if (tools.length > 0) ir.tools = tools;

  const tc = body.tool_choice;
  if (tc === "auto" || tc === "none" || tc === "required") ir.toolChoice = { type: tc };
  else if (isRecord(tc) && isRecord(tc.function) && typeof tc.function.name === "string")
    ir.toolChoice = { type: "tool", name: tc.function.name };
  else if (tc !== undefined) dropped.push("tool_choice");
  if (typeof body.parallel_tool_calls === "boolean") ir.parallelToolCalls = body.parallel_tool_calls;

  const maxTokens = asNumber(body.max_completion_tokens) ?? asNumber(body.max_tokens);
  if (maxTokens !== undefined) ir.maxTokens = maxTokens;
  const num = (k: string): number | undefined => asNumber(body[k]);
  if (num("temperature") !== undefined) ir.temperature = num("temperature")!;
  if (num("top_p") !== undefined) ir.topP = num("top_p")!;
  if (typeof body.stop === "string") ir.stop = [body.stop];
  else if (Array.isArray(body.stop)) ir.stop = body.stop.filter((s): s is string => typeof s === "string");
  if (isRecord(body.stream_options) && typeof body.stream_options.include_usage === "boolean")
    ir.includeUsage = body.stream_options.include_usage;
  if (typeof body.reasoning_effort === "string") ir.reasoning = { effort: body.reasoning_effort };
  if (typeof body.user === "string") ir.user = body.user;
  if (isRecord(body.metadata)) {
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.metadata)) if (typeof v === "string") md[k] = v;
    ir.metadata = md;
  }
  const rf = body.response_format;
  if (isRecord(rf)) {
    if (rf.type === "json_object" || rf.type === "text") ir.responseFormat = { type: rf.type };
    else if (rf.type === "json_schema" && isRecord(rf.json_schema)) {
      const js = rf.json_schema;
      const f: IrResponseFormat = {
        type: "json_schema",
        name: asString(js.name) ?? "response",
        schema: isRecord(js.schema) ? js.schema : {},
      };
      if (typeof js.strict === "boolean") f.strict = js.strict;
      if (typeof js.description === "string") f.description = js.description;
      ir.responseFormat = f;
    }
  }
  if (num("seed") !== undefined) ir.seed = num("seed")!;
  if (num("n") !== undefined) ir.n = num("n")!;
  if (num("presence_penalty") !== undefined) ir.presencePenalty = num("presence_penalty")!;
  if (num("frequency_penalty") !== undefined) ir.frequencyPenalty = num("frequency_penalty")!;
  const extras = unknownKeys(body, KNOWN);
  if (extras !== undefined) ir.extras = { "openai-chat": extras };
  return { ir, dropped, unsupported };
}

export interface ChatRequestOptions {
  /** OpenAI reasoning models reject `max_tokens`; most compatible servers accept both. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
}

function textOrParts(parts: IrContentPart[]): string | Json[] {
  if (parts.length === 1 && parts[0]!.type === "text") return parts[0]!.text;
  return parts.map((p) =>
    p.type === "image"
      ? {
          type: "image_url",
          image_url: p.detail ? { url: imageToUrl(p), detail: p.detail } : { url: imageToUrl(p) },
        }
      : { type: "text", text: p.type === "text" ? p.text : "" },
  );
}

function toolChoiceToChat(tc: IrToolChoice): unknown {
  return tc.type === "tool" ? { type: "function", function: { name: tc.name } } : tc.type;
}

export function chatRequestFromIR(ir: IrRequest, opts: ChatRequestOptions = {}): RequestFromIrResult {
  const dropped: string[] = [];
  const messages: Json[] = [];
  if (ir.system.length > 0)
    messages.push({ role: "system", content: ir.system.map((p) => p.text).join("\n\n") });

  for (const [i, m] of ir.messages.entries()) {
    if (m.role === "system") {
      // `system` rather than `developer`: every OpenAI-compatible server knows it, and OpenAI
      // reads it as `developer` for the models that have that role.
      const text = m.content.map((p) => (p.type === "text" ? p.text : "")).join("\n\n");
      messages.push({ role: "system", content: text });
    } else if (m.role === "user") {
      const parts = m.content.filter((p) => {
        if (p.type === "text" || p.type === "image") return true;
        dropped.push(`messages[${i}].${p.type}`);
        return false;
      });
      const msg: Json = { role: "user", content: textOrParts(parts) };
      if (m.name !== undefined) msg.name = m.name;
      messages.push(msg);
    } else if (m.role === "assistant") {
      let text = "";
      const toolCalls: Json[] = [];
      for (const p of m.content) {
        if (p.type === "text") text += p.text;
        else if (p.type === "tool_call")
          toolCalls.push({
            id: p.id,
            type: "function",
            function: { name: p.name, arguments: p.arguments === "" ? "{}" : p.arguments },
          });
        else dropped.push(`messages[${i}].${p.type}`);
      }
      const msg: Json = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text };
      if (toolCalls.length > 0) msg.tool_calls = toolCalls;
      messages.push(msg);
    } else {
      for (const p of m.content) {
        if (p.type !== "tool_result") {
          dropped.push(`messages[${i}].${p.type}`);
          continue;
        }
        let content: string;
        if (typeof p.content === "string") content = p.content;
        else {
          content = p.content.map((c) => (c.type === "text" ? c.text : "")).join("");
          if (p.content.some((c) => c.type === "image")) dropped.push(`messages[${i}].tool_result.image`);
        }
        if (p.isError === true) dropped.push(`messages[${i}].tool_result.is_error`);
        messages.push({ role: "tool", tool_call_id: p.toolCallId, content });
      }
    }
  }

  const body: Json = { model: ir.model, messages };
  if (ir.tools !== undefined && ir.tools.length > 0) {
    body.tools = ir.tools.map((t) => {
      const f: Json = { name: t.name };
      if (t.description !== undefined) f.description = t.description;
      f.parameters = t.parameters;
      if (t.strict !== undefined) f.strict = t.strict;
      return { type: "function", function: f };
    });
  }
  if (ir.toolChoice !== undefined) body.tool_choice = toolChoiceToChat(ir.toolChoice);
  if (ir.parallelToolCalls !== undefined && body.tools !== undefined)
    body.parallel_tool_calls = ir.parallelToolCalls;
  if (ir.maxTokens !== undefined) body[opts.maxTokensField ?? "max_completion_tokens"] = ir.maxTokens;
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.topK !== undefined) dropped.push("top_k");
  if (ir.stop !== undefined && ir.stop.length > 0) body.stop = ir.stop;
  if (ir.stream) {
    body.stream = true;
    // Usage is needed for accounting whatever the client asked; the encoder hides it if unwanted.
    body.stream_options = { include_usage: true };
  }
  if (ir.reasoning !== undefined && ir.reasoning.disabled !== true) {
    const effort =
      ir.reasoning.effort ??
      (ir.reasoning.budgetTokens !== undefined ? effortForBudget(ir.reasoning.budgetTokens) : undefined);
    if (effort !== undefined) body.reasoning_effort = effort;
  }
  if (ir.user !== undefined) body.user = ir.user;
  if (ir.metadata !== undefined) body.metadata = ir.metadata;
  if (ir.responseFormat !== undefined) {
    const rf = ir.responseFormat;
    if (rf.type === "json_schema") {
      const js: Json = { name: rf.name, schema: rf.schema };
      if (rf.strict !== undefined) js.strict = rf.strict;
      if (rf.description !== undefined) js.description = rf.description;
      body.response_format = { type: "json_schema", json_schema: js };
    } else body.response_format = { type: rf.type };
  }
  if (ir.seed !== undefined) body.seed = ir.seed;
  if (ir.n !== undefined) body.n = ir.n;
  if (ir.presencePenalty !== undefined) body.presence_penalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) body.frequency_penalty = ir.frequencyPenalty;
  mergeExtras(body, ir, "openai-chat", dropped);
  return { body, dropped };
}
