/** An IR request as an Anthropic Messages request (the other direction is request.ts). */
import type { IrImagePart, IrMessage, IrRequest, RequestFromIrResult } from "../ir.js";
import { alternatingTurns, argumentsToObject, isRecord, type Json, mergeExtras } from "../util.js";
import { anthropicOutputSchema } from "./output-schema.js";
import { type ClaudeTokenOptions, claudeThinking } from "./thinking.js";

export { DEFAULT_ANTHROPIC_MAX_TOKENS } from "./thinking.js";

export type AnthropicRequestOptions = ClaudeTokenOptions;

/** Plain JSON mode has no Anthropic equivalent (its schemas need closed objects): it is asked for in words. */
export const JSON_OBJECT_INSTRUCTION =
  "Respond with a single JSON object and nothing else: no prose, no Markdown code fences.";

/**
 * Anthropic rejects thinking when the last assistant turn holds tool_use without starting with a
 * signed thinking block ("a final assistant message must start with a thinking block").
 */
function toolTurnLacksThinking(messages: Json[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "assistant") continue;
    const blocks = Array.isArray(m.content) ? (m.content as Json[]) : [];
    if (!blocks.some((b) => b.type === "tool_use")) return false;
    const first = blocks[0]?.type;
    return first !== "thinking" && first !== "redacted_thinking";
  }
  return false;
}

function withCache(block: Json, cc: unknown): Json {
  if (cc !== undefined) block.cache_control = cc;
  return block;
}

function imageBlock(p: IrImagePart): Json {
  const source =
    p.source.kind === "base64"
      ? { type: "base64", media_type: p.source.mediaType, data: p.source.data }
      : { type: "url", url: p.source.url };
  return withCache({ type: "image", source }, p.cacheControl);
}

/**
 * A mid-conversation system instruction: Anthropic has one top-level `system`, so it rides in
 * the user turn where it was given, as a text block marked as a system instruction.
 */
function systemInTurn(m: IrMessage): Json[] {
  const text = m.content.map((p) => (p.type === "text" ? p.text : "")).join("\n\n");
  return text === "" ? [] : [{ type: "text", text: `<system>\n${text}\n</system>` }];
}

function blocksFor(m: IrMessage, i: number, dropped: string[]): Json[] {
  if (m.role === "system") return systemInTurn(m);
  const out: Json[] = [];
  for (const p of m.content) {
    switch (p.type) {
      case "text":
        // Anthropic rejects empty text blocks.
        if (p.text !== "") out.push(withCache({ type: "text", text: p.text }, p.cacheControl));
        break;
      case "image":
        out.push(imageBlock(p));
        break;
      case "thinking":
        // A thinking block without its signature is rejected upstream; it came from another provider.
        if (p.signature) out.push({ type: "thinking", thinking: p.thinking, signature: p.signature });
        else dropped.push(`messages[${i}].thinking(unsigned)`);
        break;
      case "redacted_thinking":
        out.push({ type: "redacted_thinking", data: p.data });
        break;
      case "tool_call":
        out.push({ type: "tool_use", id: p.id, name: p.name, input: argumentsToObject(p.arguments) });
        break;
      case "tool_result": {
        const b: Json = { type: "tool_result", tool_use_id: p.toolCallId };
        b.content =
          typeof p.content === "string"
            ? p.content
            : p.content.map((c) =>
                c.type === "text" ? withCache({ type: "text", text: c.text }, c.cacheControl) : imageBlock(c),
              );
        if (p.isError === true) b.is_error = true;
        out.push(withCache(b, p.cacheControl));
        break;
      }
    }
  }
  return out;
}

export function anthropicRequestFromIR(
  ir: IrRequest,
  opts: AnthropicRequestOptions = {},
): RequestFromIrResult {
  const dropped: string[] = [];
  const messages = alternatingTurns(ir.messages, (m, i) => blocksFor(m, i, dropped), dropped);

  const body: Json = { model: ir.model, messages };
  const system = [...ir.system];
  if (ir.responseFormat?.type === "json_object") system.push({ type: "text", text: JSON_OBJECT_INSTRUCTION });
  if (system.length > 0) {
    body.system =
      system.length === 1 && system[0]!.cacheControl === undefined
        ? system[0]!.text
        : system.map((p) => withCache({ type: "text", text: p.text }, p.cacheControl));
  }
  const outputConfig: Json = {};
  if (ir.responseFormat?.type === "json_schema")
    outputConfig.format = { type: "json_schema", schema: anthropicOutputSchema(ir.responseFormat.schema) };

  const plan = claudeThinking(ir, opts, toolTurnLacksThinking(messages), dropped);
  if (plan.thinking !== undefined) body.thinking = plan.thinking;
  if (plan.effort !== undefined) outputConfig.effort = plan.effort;
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;
  body.max_tokens = plan.maxTokens;
  if (ir.stop !== undefined && ir.stop.length > 0) body.stop_sequences = ir.stop;
  if (ir.temperature !== undefined) {
    // Extended thinking only accepts the default temperature; Anthropic's range is 0..1.
    if (plan.on) dropped.push("temperature");
    else {
      body.temperature = Math.min(ir.temperature, 1);
      if (ir.temperature > 1) dropped.push("temperature (clamped to 1)");
    }
  }
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.topK !== undefined) {
    if (plan.on) dropped.push("top_k");
    else body.top_k = ir.topK;
  }
  if (ir.stream) body.stream = true;

  if (ir.tools !== undefined && ir.tools.length > 0) {
    body.tools = ir.tools.map((t) => {
      const tool: Json = { name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.input_schema = t.parameters;
      return withCache(tool, t.cacheControl);
    });
  }
  const hasTools = body.tools !== undefined;
  if (ir.toolChoice !== undefined || ir.parallelToolCalls === false) {
    const tc = ir.toolChoice ?? { type: "auto" };
    let choice: Json;
    if (tc.type === "required") choice = { type: "any" };
    else if (tc.type === "tool") choice = { type: "tool", name: tc.name };
    else choice = { type: tc.type };
    if (ir.parallelToolCalls === false && tc.type !== "none") choice.disable_parallel_tool_use = true;
    if (hasTools) body.tool_choice = choice;
    else if (ir.toolChoice !== undefined) dropped.push("tool_choice");
  }
  if (ir.user !== undefined) body.metadata = { user_id: ir.user };
  if (ir.metadata !== undefined) dropped.push("metadata");
  if (ir.seed !== undefined) dropped.push("seed");
  // Fewer choices than asked for would pass silently for the client: refused instead.
  const unsupported: string[] = [];
  if (ir.n !== undefined && ir.n > 1) unsupported.push(`n=${ir.n}`);
  if (ir.presencePenalty !== undefined) dropped.push("presence_penalty");
  if (ir.frequencyPenalty !== undefined) dropped.push("frequency_penalty");
  const ocExtra = ir.extras?.["anthropic-messages"]?.output_config;
  if (isRecord(ocExtra) && isRecord(body.output_config))
    body.output_config = { ...ocExtra, ...body.output_config };
  mergeExtras(body, ir, "anthropic-messages", dropped);
  return unsupported.length > 0 ? { body, dropped, unsupported } : { body, dropped };
}
