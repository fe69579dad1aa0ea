/** An Anthropic Messages request read into the IR (the other direction is request-from-ir.ts). */
import { GatewayError } from "../../../errors.js";
import type {
  IrContentPart,
  IrImagePart,
  IrMessage,
  IrReasoning,
  IrRequest,
  IrTextPart,
  IrTool,
  RequestToIrResult,
} from "../ir.js";
import { effortForBudget, effortFromAnthropic } from "../reasoning.js";
import { asArray, asNumber, asString, isRecord, type Json, objectToArguments, unknownKeys } from "../util.js";

const KNOWN = new Set([
  "model",
  "messages",
  "system",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "stream",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
  "output_config",
]);

const OUTPUT_CONFIG_KNOWN = new Set(["format", "effort"]);

function invalid(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_body", message);
}

function imageToIR(b: Json): IrImagePart | undefined {
  const s = b.source;
  if (!isRecord(s)) return undefined;
  let part: IrImagePart | undefined;
  if (s.type === "base64" && typeof s.data === "string")
    part = {
      type: "image",
      source: { kind: "base64", mediaType: asString(s.media_type) ?? "image/png", data: s.data },
    };
  else if (s.type === "url" && typeof s.url === "string")
    part = { type: "image", source: { kind: "url", url: s.url } };
  if (part !== undefined && b.cache_control !== undefined) part.cacheControl = b.cache_control;
  return part;
}

function textBlock(b: Json): IrTextPart {
  const t: IrTextPart = { type: "text", text: asString(b.text) ?? "" };
  if (b.cache_control !== undefined) t.cacheControl = b.cache_control;
  return t;
}

export function anthropicRequestToIR(body: unknown): RequestToIrResult {
  if (!isRecord(body)) throw invalid("request body must be a JSON object");
  const model = asString(body.model);
  if (model === undefined) throw invalid("`model` is required");
  if (!Array.isArray(body.messages)) throw invalid("`messages` must be an array");
  const dropped: string[] = [];
  const unsupported: string[] = [];

  const system: IrTextPart[] = [];
  if (typeof body.system === "string") system.push({ type: "text", text: body.system });
  else for (const b of asArray(body.system)) if (isRecord(b) && b.type === "text") system.push(textBlock(b));

  const messages: IrMessage[] = [];
  body.messages.forEach((m, i) => {
    if (!isRecord(m) || (m.role !== "user" && m.role !== "assistant"))
      throw invalid(`messages[${i}]: role must be "user" or "assistant"`);
    const blocks: unknown[] =
      typeof m.content === "string" ? [{ type: "text", text: m.content }] : asArray(m.content);
    const results: IrContentPart[] = [];
    const parts: IrContentPart[] = [];
    for (const b of blocks) {
      if (!isRecord(b)) continue;
      switch (b.type) {
        case "text":
          parts.push(textBlock(b));
          break;
        case "image": {
          const img = imageToIR(b);
          if (img === undefined) unsupported.push(`messages[${i}].image.source`);
          else parts.push(img);
          break;
        }
        case "thinking":
          parts.push({
            type: "thinking",
            thinking: asString(b.thinking) ?? "",
            signature: asString(b.signature) ?? "",
          });
          break;
        case "redacted_thinking":
          parts.push({ type: "redacted_thinking", data: asString(b.data) ?? "" });
          break;
        case "tool_use":
          parts.push({
            type: "tool_call",
            id: asString(b.id) ?? "",
            name: asString(b.name) ?? "",
            arguments: objectToArguments(b.input),
          });
          break;
        case "tool_result": {
          const content =
            typeof b.content === "string"
              ? b.content
              : asArray(b.content).flatMap((c): Array<IrTextPart | IrImagePart> => {
                  if (!isRecord(c)) return [];
                  if (c.type === "text") return [textBlock(c)];
                  const img = c.type === "image" ? imageToIR(c) : undefined;
                  if (img !== undefined) return [img];
                  dropped.push(`messages[${i}].tool_result.${String(c.type)}`);
                  return [];
                });
          const r: IrContentPart = {
            type: "tool_result",
            toolCallId: asString(b.tool_use_id) ?? "",
            content,
          };
          if (b.is_error === true) r.isError = true;
          if (b.cache_control !== undefined) r.cacheControl = b.cache_control;
          results.push(r);
          break;
        }
        default:
          // documents, search results, server tool blocks: only an Anthropic upstream understands them.
          unsupported.push(`messages[${i}].content[${String(b.type)}]`);
      }
    }
    if (results.length > 0) messages.push({ role: "tool", content: results });
    if (parts.length > 0 || results.length === 0) messages.push({ role: m.role, content: parts });
  });

  const ir: IrRequest = { model, system, messages, stream: body.stream === true };
  const tools: IrTool[] = [];
  for (const t of asArray(body.tools)) {
    if (!isRecord(t)) continue;
    if (t.type === undefined || t.type === "custom") {
      const tool: IrTool = {
        name: asString(t.name) ?? "",
        parameters: isRecord(t.input_schema) ? t.input_schema : { type: "object", properties: {} },
      };
      if (typeof t.description === "string") tool.description = t.description;
      if (typeof t.strict === "boolean") tool.strict = t.strict;
      if (t.cache_control !== undefined) tool.cacheControl = t.cache_control;
      tools.push(tool);
    } else unsupported.push(`tools[type=${String(t.type)}]`);
  }
  if (tools.length > 0) ir.tools = tools;

  const tc = body.tool_choice;
  if (isRecord(tc)) {
    if (tc.type === "auto" || tc.type === "none") ir.toolChoice = { type: tc.type };
    else if (tc.type === "any") ir.toolChoice = { type: "required" };
    else if (tc.type === "tool" && typeof tc.name === "string")
      ir.toolChoice = { type: "tool", name: tc.name };
    if (tc.disable_parallel_tool_use === true) ir.parallelToolCalls = false;
  }
  const mt = asNumber(body.max_tokens);
  if (mt !== undefined) ir.maxTokens = mt;
  for (const [k, f] of [
    ["temperature", "temperature"],
    ["top_p", "topP"],
    ["top_k", "topK"],
  ] as const) {
    const v = asNumber(body[k]);
    if (v !== undefined) ir[f] = v;
  }
  if (Array.isArray(body.stop_sequences))
    ir.stop = body.stop_sequences.filter((s): s is string => typeof s === "string");
  const oc = isRecord(body.output_config) ? body.output_config : {};
  const effortName = asString(oc.effort);
  const effort = effortName === undefined ? undefined : effortFromAnthropic(effortName);
  if (effortName !== undefined && effort === undefined) dropped.push(`output_config.effort=${effortName}`);
  const th = body.thinking;
  if (isRecord(th)) {
    if (th.type === "enabled") {
      const budget = asNumber(th.budget_tokens);
      ir.reasoning =
        budget !== undefined
          ? { budgetTokens: budget, effort: effort ?? effortForBudget(budget) }
          : { effort: effort ?? "medium" };
    } else if (th.type === "adaptive") {
      // Claude Code sends this with output_config.effort for current models.
      const r: IrReasoning = { adaptive: true };
      if (effort !== undefined) r.effort = effort;
      ir.reasoning = r;
    } else if (th.type === "disabled") ir.reasoning = { disabled: true };
    else dropped.push(`thinking.type=${String(th.type)}`);
  } else if (effort !== undefined) ir.reasoning = { effort, effortOnly: true };
  const fmt = oc.format;
  if (isRecord(fmt)) {
    if (fmt.type === "json_schema" && isRecord(fmt.schema))
      ir.responseFormat = { type: "json_schema", name: "output", schema: fmt.schema };
    else dropped.push(`output_config.format.type=${String(fmt.type)}`);
  }
  if (isRecord(body.metadata) && typeof body.metadata.user_id === "string") ir.user = body.metadata.user_id;
  const extras = unknownKeys(body, KNOWN);
  const ocRest = unknownKeys(oc, OUTPUT_CONFIG_KNOWN);
  if (ocRest !== undefined) {
    // Other output_config keys reach only an Anthropic upstream.
    const bag = extras ?? {};
    bag.output_config = ocRest;
    ir.extras = { "anthropic-messages": bag };
  } else if (extras !== undefined) ir.extras = { "anthropic-messages": extras };
  return { ir, dropped, unsupported };
}
