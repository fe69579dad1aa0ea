import { GatewayError } from "../../../errors.js";
import type {
  IrContentPart,
  IrImagePart,
  IrMessage,
  IrRequest,
  IrResponseFormat,
  IrTextPart,
  RequestFromIrResult,
  RequestToIrResult,
} from "../ir.js";
import { imageFromUrl, imageToUrl } from "../openai-chat/request.js";
import { effortForBudget } from "../reasoning.js";
import { asArray, asNumber, asString, isRecord, type Json, mergeExtras, unknownKeys } from "../util.js";
import {
  callItem,
  clientToolsFromIR,
  clientToolsToIR,
  customArguments,
  namespacedName,
  toolOrigins,
} from "./client-tools.js";

const KNOWN = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_output_tokens",
  "temperature",
  "top_p",
  "stream",
  "reasoning",
  "user",
  "metadata",
  "text",
  "stream_options",
]);

function invalid(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_body", message);
}

function contentParts(
  content: unknown,
  where: string,
  dropped: string[],
  unsupported: string[],
): IrContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: IrContentPart[] = [];
  for (const p of asArray(content)) {
    if (!isRecord(p)) continue;
    if (p.type === "input_text" || p.type === "output_text" || p.type === "text")
      out.push({ type: "text", text: asString(p.text) ?? "" });
    else if (p.type === "refusal") out.push({ type: "text", text: asString(p.refusal) ?? "" });
    else if (p.type === "input_image") {
      const url = asString(p.image_url);
      if (url === undefined) unsupported.push(`${where}.input_image.file_id`);
      else out.push(imageFromUrl(url, asString(p.detail)));
    } else if (p.type === "input_file") unsupported.push(`${where}.input_file`);
    else dropped.push(`${where}.${String(p.type)}`);
  }
  return out;
}

/** The id prefix agw gives the reasoning items it produces (see response.ts idFactory). */
const REASONING_ID = /^rs_/;

/**
 * An `item_reference` names a stored item; agw stores none, so only a Responses upstream can
 * resolve one. A reasoning item (which clients such as the AI SDK reference by default) is
 * dropped, as an unsigned reasoning item would be; any other reference is refused with what to do.
 */
function itemReference(item: Json, where: string, dropped: string[], unsupported: string[]): void {
  const id = asString(item.id) ?? "";
  if (REASONING_ID.test(id)) dropped.push(`${where}.item_reference(reasoning ${id})`);
  else
    unsupported.push(
      `${where}.item_reference to ${JSON.stringify(id)} (agw stores no items: send the item itself, ` +
        "e.g. with `store: false`, which the Vercel AI SDK takes as providerOptions.openai.store)",
    );
}

/** The Responses API with state (stored responses, conversations) and hosted tools needs a Responses upstream. */
export function responsesRequestToIR(body: unknown): RequestToIrResult {
  if (!isRecord(body)) throw invalid("request body must be a JSON object");
  const model = asString(body.model);
  if (model === undefined) throw invalid("`model` is required");
  const dropped: string[] = [];
  const unsupported: string[] = [];
  if (body.previous_response_id != null) unsupported.push("previous_response_id");
  if (body.conversation != null) unsupported.push("conversation");
  if (body.background === true) unsupported.push("background");
  if (body.prompt != null) unsupported.push("prompt");
  // `store: true` is carried in extras: a Responses upstream stores; any other upstream drops it
  // (reported as dropped), since the gateway itself keeps no responses to retrieve later.

  const system: IrTextPart[] = [];
  if (typeof body.instructions === "string" && body.instructions !== "")
    system.push({ type: "text", text: body.instructions });
  const messages: IrMessage[] = [];
  const lastAssistant = (): IrMessage => {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === "assistant") return last;
    const m: IrMessage = { role: "assistant", content: [] };
    messages.push(m);
    return m;
  };

  if (typeof body.input === "string")
    messages.push({ role: "user", content: [{ type: "text", text: body.input }] });
  else if (Array.isArray(body.input)) {
    body.input.forEach((item, i) => {
      if (!isRecord(item)) throw invalid(`input[${i}] must be an object`);
      const where = `input[${i}]`;
      const type = item.type ?? "message";
      if (type === "message") {
        const role = item.role;
        const parts = contentParts(item.content, where, dropped, unsupported);
        if (role === "system" || role === "developer") {
          const texts = parts.filter((p): p is IrTextPart => p.type === "text");
          // Leading instructions are the system prompt; a later one stays where it was.
          if (messages.length === 0) system.push(...texts);
          else messages.push({ role: "system", content: texts });
        } else if (role === "user") messages.push({ role: "user", content: parts });
        else if (role === "assistant") lastAssistant().content.push(...parts);
        else throw invalid(`${where}: unsupported role ${JSON.stringify(role)}`);
      } else if (type === "function_call") {
        const name = asString(item.name) ?? "";
        const ns = asString(item.namespace);
        lastAssistant().content.push({
          type: "tool_call",
          id: asString(item.call_id) ?? "",
          name: ns === undefined ? name : namespacedName(ns, name),
          arguments: asString(item.arguments) ?? "",
        });
      } else if (type === "custom_tool_call") {
        lastAssistant().content.push({
          type: "tool_call",
          id: asString(item.call_id) ?? "",
          name: asString(item.name) ?? "",
          arguments: customArguments(asString(item.input) ?? ""),
        });
      } else if (type === "function_call_output" || type === "custom_tool_call_output") {
        const out = item.output;
        const content: string | Array<IrTextPart | IrImagePart> =
          typeof out === "string"
            ? out
            : contentParts(out, where, dropped, unsupported).filter(
                (p): p is IrTextPart | IrImagePart => p.type === "text" || p.type === "image",
              );
        const prev = messages[messages.length - 1];
        const part: IrContentPart = {
          type: "tool_result",
          toolCallId: asString(item.call_id) ?? "",
          content,
        };
        if (prev !== undefined && prev.role === "tool") prev.content.push(part);
        else messages.push({ role: "tool", content: [part] });
      } else if (type === "reasoning") {
        const text = asArray(item.summary)
          .map((s) => (isRecord(s) ? (asString(s.text) ?? "") : ""))
          .join("\n\n");
        const sig = asString(item.encrypted_content);
        lastAssistant().content.push(
          sig !== undefined
            ? { type: "thinking", thinking: text, signature: sig }
            : { type: "thinking", thinking: text },
        );
      } else if (type === "item_reference") itemReference(item, where, dropped, unsupported);
      else unsupported.push(`${where}.type=${String(type)}`);
    });
  } else throw invalid("`input` must be a string or an array of items");

  const ir: IrRequest = { model, system, messages, stream: body.stream === true };
  const { tools, hosted } = clientToolsToIR(body.tools, unsupported);
  if (tools.length > 0) ir.tools = tools;
  const tc = body.tool_choice;
  let hostedChoice: Json | undefined;
  if (tc === "auto" || tc === "none" || tc === "required") ir.toolChoice = { type: tc };
  else if (isRecord(tc) && tc.type === "function" && typeof tc.name === "string")
    ir.toolChoice = {
      type: "tool",
      name: typeof tc.namespace === "string" ? namespacedName(tc.namespace, tc.name) : tc.name,
    };
  else if (isRecord(tc) && tc.type === "custom" && typeof tc.name === "string")
    ir.toolChoice = { type: "tool", name: tc.name };
  else if (isRecord(tc) && tc.type !== "allowed_tools" && tc.type !== "mcp")
    hostedChoice = tc; // a hosted tool: goes wherever the hosted tools go
  else if (isRecord(tc)) unsupported.push(`tool_choice.type=${String(tc.type)}`);
  if (typeof body.parallel_tool_calls === "boolean") ir.parallelToolCalls = body.parallel_tool_calls;
  const mt = asNumber(body.max_output_tokens);
  if (mt !== undefined) ir.maxTokens = mt;
  const temp = asNumber(body.temperature);
  if (temp !== undefined) ir.temperature = temp;
  const topP = asNumber(body.top_p);
  if (topP !== undefined) ir.topP = topP;
  if (isRecord(body.reasoning)) {
    const effort = asString(body.reasoning.effort);
    const summary = asString(body.reasoning.summary);
    if (effort !== undefined || summary !== undefined) {
      ir.reasoning = {};
      if (effort !== undefined) ir.reasoning.effort = effort;
      if (summary !== undefined) ir.reasoning.summary = summary;
    }
  }
  if (typeof body.user === "string") ir.user = body.user;
  if (isRecord(body.metadata)) {
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.metadata)) if (typeof v === "string") md[k] = v;
    ir.metadata = md;
  }
  if (isRecord(body.text) && isRecord(body.text.format)) {
    const f = body.text.format;
    if (f.type === "json_object" || f.type === "text") ir.responseFormat = { type: f.type };
    else if (f.type === "json_schema") {
      const rf: IrResponseFormat = {
        type: "json_schema",
        name: asString(f.name) ?? "response",
        schema: isRecord(f.schema) ? f.schema : {},
      };
      if (typeof f.strict === "boolean") rf.strict = f.strict;
      if (typeof f.description === "string") rf.description = f.description;
      ir.responseFormat = rf;
    }
  }
  const extras = unknownKeys(body, KNOWN) ?? {};
  // Hosted tools ride in the extras: a Responses upstream gets them as sent, another one cannot
  // run them (the pipeline drops or refuses them, see hostedToolTypes).
  if (hosted.length > 0) extras.tools = hosted;
  if (hostedChoice !== undefined) extras.tool_choice = hostedChoice;
  if (Object.keys(extras).length > 0) ir.extras = { "openai-responses": extras };
  return { ir, dropped, unsupported };
}

function inputContent(parts: IrContentPart[], role: "user" | "assistant"): Json[] {
  const out: Json[] = [];
  for (const p of parts) {
    if (p.type === "text") out.push({ type: role === "user" ? "input_text" : "output_text", text: p.text });
    else if (p.type === "image") {
      const img: Json = { type: "input_image", image_url: imageToUrl(p) };
      img.detail = p.detail ?? "auto";
      out.push(img);
    }
  }
  return out;
}

export function responsesRequestFromIR(ir: IrRequest): RequestFromIrResult {
  const dropped: string[] = [];
  const origins = toolOrigins(ir);
  const customCallIds = new Set<string>();
  for (const m of ir.messages)
    for (const p of m.content)
      if (p.type === "tool_call" && origins?.get(p.name)?.kind === "custom") customCallIds.add(p.id);
  const input: Json[] = [];
  ir.messages.forEach((m, i) => {
    if (m.role === "user" || m.role === "system")
      input.push({ type: "message", role: m.role, content: inputContent(m.content, "user") });
    else if (m.role === "assistant") {
      let pendingText: IrContentPart[] = [];
      const flush = (): void => {
        if (pendingText.length > 0)
          input.push({ type: "message", role: "assistant", content: inputContent(pendingText, "assistant") });
        pendingText = [];
      };
      for (const p of m.content) {
        if (p.type === "text") pendingText.push(p);
        else if (p.type === "tool_call") {
          flush();
          const call = callItem("", p.id, p.name, p.arguments === "" ? "{}" : p.arguments, origins, "");
          delete call.id;
          delete call.status;
          input.push(call);
        } else dropped.push(`messages[${i}].${p.type}`);
      }
      flush();
    } else {
      for (const p of m.content) {
        if (p.type !== "tool_result") continue;
        const custom = customCallIds.has(p.toolCallId);
        const output =
          typeof p.content === "string"
            ? p.content
            : p.content.map((c) =>
                c.type === "text"
                  ? { type: "input_text", text: c.text }
                  : { type: "input_image", image_url: imageToUrl(c) },
              );
        input.push({
          type: custom ? "custom_tool_call_output" : "function_call_output",
          call_id: p.toolCallId,
          output: custom && typeof output !== "string" ? JSON.stringify(output) : output,
        });
      }
    }
  });
  const body: Json = { model: ir.model, input };
  if (ir.system.length > 0) body.instructions = ir.system.map((p) => p.text).join("\n\n");
  const hosted = ir.extras?.["openai-responses"]?.tools;
  if ((ir.tools !== undefined && ir.tools.length > 0) || hosted !== undefined)
    body.tools = clientToolsFromIR(ir.tools ?? [], hosted);
  if (ir.toolChoice !== undefined) {
    const tc = ir.toolChoice;
    const origin = tc.type === "tool" ? origins?.get(tc.name) : undefined;
    if (tc.type !== "tool") body.tool_choice = tc.type;
    else if (origin?.kind === "custom") body.tool_choice = { type: "custom", name: origin.name };
    else if (origin?.kind === "namespace")
      body.tool_choice = { type: "function", name: origin.name, namespace: origin.namespace };
    else body.tool_choice = { type: "function", name: tc.name };
  }
  if (ir.parallelToolCalls !== undefined) body.parallel_tool_calls = ir.parallelToolCalls;
  if (ir.maxTokens !== undefined) body.max_output_tokens = ir.maxTokens;
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.topK !== undefined) dropped.push("top_k");
  if (ir.stop !== undefined && ir.stop.length > 0) dropped.push("stop");
  if (ir.stream) body.stream = true;
  if (ir.reasoning !== undefined && ir.reasoning.disabled !== true) {
    const r: Json = {};
    const effort =
      ir.reasoning.effort ??
      (ir.reasoning.budgetTokens !== undefined ? effortForBudget(ir.reasoning.budgetTokens) : undefined);
    if (effort !== undefined) r.effort = effort;
    if (ir.reasoning.summary !== undefined) r.summary = ir.reasoning.summary;
    if (Object.keys(r).length > 0) body.reasoning = r;
  }
  if (ir.user !== undefined) body.user = ir.user;
  if (ir.metadata !== undefined) body.metadata = ir.metadata;
  if (ir.responseFormat !== undefined) {
    const rf = ir.responseFormat;
    if (rf.type === "json_schema") {
      const f: Json = { type: "json_schema", name: rf.name, schema: rf.schema };
      if (rf.strict !== undefined) f.strict = rf.strict;
      if (rf.description !== undefined) f.description = rf.description;
      body.text = { format: f };
    } else body.text = { format: { type: rf.type } };
  }
  const unsupported: string[] = [];
  if (ir.n !== undefined && ir.n > 1) unsupported.push(`n=${ir.n}`);
  for (const [k, v] of [
    ["seed", ir.seed],
    ["presence_penalty", ir.presencePenalty],
    ["frequency_penalty", ir.frequencyPenalty],
  ] as const)
    if (v !== undefined) dropped.push(k);
  mergeExtras(body, ir, "openai-responses", dropped);
  // The gateway never relies on upstream storage unless a Responses client asked for it.
  if (!("store" in body)) body.store = false;
  return unsupported.length > 0 ? { body, dropped, unsupported } : { body, dropped };
}
