/**
 * IR → a Bedrock Converse request body, for `POST /model/{modelId}/converse` and
 * `/converse-stream` alike: the model and streaming are in the URL, not the body.
 *
 * Converse wants strictly alternating user/assistant turns: tool results (IR `tool` messages)
 * join the user turn, consecutive same-role messages merge. A mid-conversation system
 * instruction rides in the user turn where it was given, marked as a system instruction, as
 * anthropic-messages does: Converse's only `system` is the leading one, and moving the
 * instruction there would change what the model saw when.
 *
 * What Converse has no field for goes in `additionalModelRequestFields`, in the spelling of
 * the model's own API, only for model families whose spelling is documented: Claude (thinking,
 * effort, top_k), Amazon Nova 2 (reasoningConfig, topK) and OpenAI gpt-oss (reasoning_effort).
 * For other models those settings are dropped (and named), since an unknown field is a 400.
 *
 * Converse's tool choice has no "none": without tool blocks in the history the tools are simply
 * not sent; with them, Converse needs the toolConfig to read the history, so the tools stay and
 * the choice is dropped. For the same reason a history with tool calls but no tools given
 * declares the tools it called.
 */

import { anthropicOutputSchema } from "../anthropic-messages/output-schema.js";
import { JSON_OBJECT_INSTRUCTION } from "../anthropic-messages/request-from-ir.js";
import { type ClaudeTokenOptions, claudeThinking } from "../anthropic-messages/thinking.js";
import type {
  IrContentPart,
  IrImagePart,
  IrMessage,
  IrReasoning,
  IrRequest,
  RequestFromIrResult,
} from "../ir.js";
import { effortForBudget } from "../reasoning.js";
import { alternatingTurns, argumentsToObject, isRecord, type Json, mergeExtras } from "../util.js";

export type ConverseRequestOptions = ClaudeTokenOptions;

type Family = "claude" | "nova2" | "gpt-oss" | "other";

/** The model family by its Bedrock id (`us.anthropic.claude-...`, `amazon.nova-2-lite-v1:0`, `openai.gpt-oss-120b-1:0`). */
function familyOf(model: string): Family {
  if (model.includes("claude")) return "claude";
  if (model.includes("nova-2")) return "nova2";
  if (model.includes("gpt-oss")) return "gpt-oss";
  return "other";
}

const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const CACHE_POINT: Json = { cachePoint: { type: "default" } };

interface Notes {
  readonly dropped: string[];
  readonly unsupported: string[];
}

/** The block, then a cache point when the part carried an Anthropic cache marker. */
function withCache(out: Json[], block: Json, cc: unknown, where: string, notes: Notes): void {
  out.push(block);
  if (cc === undefined) return;
  out.push(CACHE_POINT);
  if (isRecord(cc) && cc.ttl !== undefined) notes.dropped.push(`${where}.cache_control.ttl`);
}

function imageBlock(p: IrImagePart, where: string, notes: Notes): Json | undefined {
  if (p.source.kind !== "base64") {
    notes.unsupported.push(
      `${where}: an image by URL cannot be sent to Bedrock Converse; send it inline as base64 (a data: URL)`,
    );
    return undefined;
  }
  const format = IMAGE_FORMATS[p.source.mediaType.toLowerCase()];
  if (format === undefined) {
    notes.unsupported.push(
      `${where}: Bedrock Converse takes png, jpeg, gif or webp images, not ${p.source.mediaType}`,
    );
    return undefined;
  }
  if (p.detail !== undefined) notes.dropped.push(`${where}.detail`);
  return { image: { format, source: { bytes: p.source.data } } };
}

function isBlank(text: string): boolean {
  return text.trim() === "";
}

/** A mid-conversation system instruction, as a marked text block of the turn it was given in. */
function systemInTurn(m: IrMessage): Json[] {
  const text = m.content.map((p) => (p.type === "text" ? p.text : "")).join("\n\n");
  return isBlank(text) ? [] : [{ text: `<system>\n${text}\n</system>` }];
}

function blocksFor(m: IrMessage, i: number, notes: Notes): Json[] {
  if (m.role === "system") return systemInTurn(m);
  const out: Json[] = [];
  const add = (p: IrContentPart): void => {
    const where = `messages[${i}]`;
    switch (p.type) {
      case "text":
        // Converse rejects blank text blocks, whitespace-only ones too.
        if (!isBlank(p.text)) withCache(out, { text: p.text }, p.cacheControl, where, notes);
        break;
      case "image": {
        const b = imageBlock(p, `${where}.image`, notes);
        if (b !== undefined) withCache(out, b, p.cacheControl, where, notes);
        break;
      }
      case "thinking":
        // Claude rejects reasoning without its signature; an unsigned one came from another provider.
        if (p.signature)
          out.push({ reasoningContent: { reasoningText: { text: p.thinking, signature: p.signature } } });
        else notes.dropped.push(`${where}.thinking(unsigned)`);
        break;
      case "redacted_thinking":
        out.push({ reasoningContent: { redactedContent: p.data } });
        break;
      case "tool_call":
        out.push({ toolUse: { toolUseId: p.id, name: p.name, input: argumentsToObject(p.arguments) } });
        break;
      case "tool_result": {
        const content: Json[] = [];
        if (typeof p.content === "string") content.push({ text: p.content });
        else
          for (const c of p.content) {
            if (c.type === "text") content.push({ text: c.text });
            else {
              const b = imageBlock(c, `${where}.tool_result.image`, notes);
              if (b !== undefined) content.push(b);
            }
          }
        // Claude takes a result with no blocks, other models refuse it; an empty text all take.
        if (content.length === 0) content.push({ text: "" });
        const r: Json = { toolUseId: p.toolCallId, content };
        if (p.isError === true) r.status = "error";
        withCache(out, { toolResult: r }, p.cacheControl, where, notes);
        break;
      }
    }
  };
  for (const p of m.content) add(p);
  return out;
}

function hasToolBlocks(messages: readonly Json[]): boolean {
  return messages.some(
    (m) =>
      Array.isArray(m.content) &&
      (m.content as Json[]).some((b) => b.toolUse !== undefined || b.toolResult !== undefined),
  );
}

/** The names of the tools the history called, first call first. */
function historyToolNames(messages: readonly Json[]): string[] {
  const names = new Set<string>();
  for (const m of messages)
    for (const b of Array.isArray(m.content) ? (m.content as Json[]) : [])
      if (isRecord(b.toolUse) && typeof b.toolUse.name === "string") names.add(b.toolUse.name);
  return [...names];
}

/** The last assistant turn holds a tool call but does not open with signed reasoning (Claude then refuses thinking). */
function lastToolTurnUnsigned(messages: readonly Json[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "assistant") continue;
    const blocks = Array.isArray(m.content) ? (m.content as Json[]) : [];
    if (!blocks.some((b) => b.toolUse !== undefined)) return false;
    return blocks[0]?.reasoningContent === undefined;
  }
  return false;
}

/** An IR effort in the low | medium | high that Nova 2 and gpt-oss take. */
function threeLevelEffort(r: IrReasoning): string | undefined {
  const effort = r.effort ?? (r.budgetTokens !== undefined ? effortForBudget(r.budgetTokens) : "medium");
  if (effort === "minimal" || effort === "low") return "low";
  if (effort === "medium") return "medium";
  if (effort === "high" || effort === "xhigh") return "high";
  return undefined;
}

export function converseRequestFromIR(ir: IrRequest, opts: ConverseRequestOptions = {}): RequestFromIrResult {
  const notes: Notes = { dropped: [], unsupported: [] };
  const { dropped, unsupported } = notes;
  const family = familyOf(ir.model);

  const messages = alternatingTurns(ir.messages, (m, i) => blocksFor(m, i, notes), dropped);

  const body: Json = { messages };
  const system: Json[] = [];
  for (const p of ir.system)
    if (!isBlank(p.text)) withCache(system, { text: p.text }, p.cacheControl, "system", notes);
  // Converse has no plain JSON mode: it is asked for in words, as for Anthropic.
  if (ir.responseFormat?.type === "json_object") system.push({ text: JSON_OBJECT_INSTRUCTION });
  if (system.length > 0) body.system = system;

  const extra: Json = {};
  const inference: Json = {};
  let thinkingOn = false;
  if (family === "claude") {
    const plan = claudeThinking(ir, opts, lastToolTurnUnsigned(messages), dropped);
    if (plan.thinking !== undefined) extra.thinking = plan.thinking;
    if (plan.effort !== undefined) extra.output_config = { effort: plan.effort };
    thinkingOn = plan.on;
    // As on the Anthropic API: a derived max_tokens leaves room for the thinking budget.
    inference.maxTokens = plan.maxTokens;
  } else {
    if (ir.maxTokens !== undefined) inference.maxTokens = ir.maxTokens;
    const r = ir.reasoning;
    if (r !== undefined) {
      const effort = threeLevelEffort(r);
      const off = r.disabled === true || r.effort === "none";
      if (off) {
        // Nova 2 thinks only when asked; the others have no documented way to turn it off.
        if (family !== "nova2")
          dropped.push("reasoning (disabled: no Converse setting turns it off for this model)");
      } else if (r.effortOnly === true)
        dropped.push("reasoning (an effort without thinking is Claude's alone)");
      else if (family === "nova2" && effort !== undefined)
        extra.reasoningConfig = { type: "enabled", maxReasoningEffort: effort };
      else if (family === "gpt-oss" && effort !== undefined) extra.reasoning_effort = effort;
      else if (family === "other") dropped.push("reasoning (no documented Converse setting for this model)");
      else dropped.push(`reasoning.effort=${String(r.effort)}`);
    }
  }

  if (ir.temperature !== undefined) {
    // Claude's extended thinking takes only the default temperature; its range is 0..1.
    if (family === "claude" && thinkingOn) dropped.push("temperature");
    else if (family === "claude" && ir.temperature > 1) {
      inference.temperature = 1;
      dropped.push("temperature (clamped to 1)");
    } else inference.temperature = ir.temperature;
  }
  if (ir.topP !== undefined) inference.topP = ir.topP;
  if (ir.stop !== undefined && ir.stop.length > 0) inference.stopSequences = ir.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  if (ir.topK !== undefined) {
    if (family === "claude" && !thinkingOn) extra.top_k = ir.topK;
    else if (family === "nova2") extra.inferenceConfig = { topK: ir.topK };
    else dropped.push("top_k");
  }

  if (ir.responseFormat?.type === "json_schema") {
    const rf = ir.responseFormat;
    // Claude takes Anthropic's schema subset: checked (and refused by keyword) the same way.
    const schema = family === "claude" ? anthropicOutputSchema(rf.schema) : rf.schema;
    const js: Json = { schema: JSON.stringify(schema), name: rf.name };
    if (rf.description !== undefined) js.description = rf.description;
    body.outputConfig = { textFormat: { type: "json_schema", structure: { jsonSchema: js } } };
  }

  const tc = ir.toolChoice;
  const tools = ir.tools ?? [];
  const historyHasTools = hasToolBlocks(messages);
  if (tools.length > 0 && (tc?.type !== "none" || historyHasTools)) {
    const specs: Json[] = [];
    tools.forEach((t, i) => {
      const spec: Json = { name: t.name };
      if (t.description !== undefined) spec.description = t.description;
      spec.inputSchema = { json: t.parameters };
      if (t.strict === true) dropped.push(`tools[${i}].strict`);
      withCache(specs, { toolSpec: spec }, t.cacheControl, `tools[${i}]`, notes);
    });
    const toolConfig: Json = { tools: specs };
    if (tc?.type === "auto") toolConfig.toolChoice = { auto: {} };
    else if (tc?.type === "required") toolConfig.toolChoice = { any: {} };
    else if (tc?.type === "tool") toolConfig.toolChoice = { tool: { name: tc.name } };
    else if (tc?.type === "none")
      dropped.push("tool_choice=none (Converse has none; the tools stay because the history uses them)");
    body.toolConfig = toolConfig;
  } else if (tools.length > 0) dropped.push("tools (tool_choice none: sent without tools)");
  else if (historyHasTools) {
    // Converse refuses tool blocks without a toolConfig (OpenAI and Anthropic take them): the
    // tools the history called are declared, open-schema'd, with no choice forced.
    const called = historyToolNames(messages);
    if (called.length > 0) {
      body.toolConfig = {
        tools: called.map((name) => ({ toolSpec: { name, inputSchema: { json: { type: "object" } } } })),
      };
      dropped.push("tools (none given: those the history called are declared for Converse)");
    }
  }
  if (tools.length === 0 && tc !== undefined && tc.type !== "none") dropped.push("tool_choice");
  // Converse cannot ask for one call at a time (Anthropic's disable_parallel_tool_use has no field here).
  if (ir.parallelToolCalls === false) dropped.push("parallel_tool_calls=false");

  if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra;
  // Converse's requestMetadata (string pairs in the invocation log) is the IR's metadata exactly.
  if (ir.metadata !== undefined) body.requestMetadata = ir.metadata;
  if (ir.user !== undefined) dropped.push("user");
  if (ir.seed !== undefined) dropped.push("seed");
  if (ir.presencePenalty !== undefined) dropped.push("presence_penalty");
  if (ir.frequencyPenalty !== undefined) dropped.push("frequency_penalty");
  // Fewer choices than asked for would pass silently for the client: refused instead.
  if (ir.n !== undefined && ir.n > 1) unsupported.push(`n=${ir.n}`);
  mergeExtras(body, ir, "bedrock-converse", dropped);
  return unsupported.length > 0 ? { body, dropped, unsupported } : { body, dropped };
}
