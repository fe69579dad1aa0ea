/**
 * IR → a Gemini `generateContent` request (Google AI Studio, v1beta). The model and streaming are
 * in the URL, not the body. Tool and response schemas go as full JSON Schema
 * (`parametersJsonSchema`, `responseJsonSchema`), which the API accepts beside its OpenAPI subset.
 * Gemini tool calls may carry no id: agw mints ids on the way back (response.ts), so a tool
 * result finds its function's name from the assistant turn that called it, and a call's thought
 * signature comes back out of its id (call-id.ts).
 */
import { GatewayError } from "../../../errors.js";
import type { IrMessage, IrRequest, IrToolResultPart, RequestFromIrResult } from "../ir.js";
import { budgetForEffort } from "../reasoning.js";
import { argumentsToObject, isRecord, type Json, mergeExtras, parseJson } from "../util.js";
import { splitCallId } from "./call-id.js";

function invalid(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_body", message);
}

/** A tool result's content as the Struct Gemini's functionResponse.response needs. */
function resultResponse(p: IrToolResultPart, i: number, dropped: string[]): Json {
  let text: string;
  if (typeof p.content === "string") text = p.content;
  else {
    const texts: string[] = [];
    for (const c of p.content) {
      if (c.type === "text") texts.push(c.text);
      else dropped.push(`messages[${i}].tool_result.image`);
    }
    text = texts.join("");
  }
  if (p.isError === true) return { error: text };
  const v = parseJson(text);
  return isRecord(v) ? v : { output: text };
}

/** The name of each tool call id in the conversation (a functionResponse must name its function). */
function callNames(messages: readonly IrMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages)
    for (const p of m.content) if (p.type === "tool_call" && p.id !== "") names.set(p.id, p.name);
  return names;
}

function partsFor(m: IrMessage, i: number, names: Map<string, string>, dropped: string[]): Json[] {
  const out: Json[] = [];
  for (const p of m.content) {
    switch (p.type) {
      case "text":
        if (p.text !== "") out.push({ text: p.text });
        break;
      case "image":
        if (p.source.kind !== "base64")
          throw invalid(
            `messages[${i}]: an image by URL cannot be sent to Gemini; send it inline as base64 (a data: URL).`,
          );
        out.push({ inlineData: { mimeType: p.source.mediaType, data: p.source.data } });
        break;
      case "thinking":
      case "redacted_thinking":
        // Gemini's thoughts are summaries; they are not sent back.
        dropped.push(`messages[${i}].${p.type}`);
        break;
      case "tool_call": {
        const call: Json = { name: p.name, args: argumentsToObject(p.arguments) };
        const { upstreamId, signature } = splitCallId(p.id);
        if (upstreamId !== undefined) call.id = upstreamId;
        out.push(
          signature === undefined
            ? { functionCall: call }
            : { functionCall: call, thoughtSignature: signature },
        );
        break;
      }
      case "tool_result": {
        const name = names.get(p.toolCallId);
        if (name === undefined)
          throw invalid(
            `messages[${i}]: the tool result for call "${p.toolCallId}" has no earlier assistant tool call with that id; ` +
              "Gemini needs the function's name, so send the assistant turn that made the call.",
          );
        const resp: Json = { name, response: resultResponse(p, i, dropped) };
        const { upstreamId } = splitCallId(p.toolCallId);
        if (upstreamId !== undefined) resp.id = upstreamId;
        out.push({ functionResponse: resp });
        break;
      }
    }
  }
  return out;
}

function generationConfig(ir: IrRequest, dropped: string[]): Json {
  const g: Json = {};
  if (ir.temperature !== undefined) g.temperature = ir.temperature;
  if (ir.topP !== undefined) g.topP = ir.topP;
  if (ir.topK !== undefined) g.topK = ir.topK;
  if (ir.maxTokens !== undefined) g.maxOutputTokens = ir.maxTokens;
  if (ir.stop !== undefined && ir.stop.length > 0) g.stopSequences = ir.stop;
  if (ir.seed !== undefined) g.seed = ir.seed;
  if (ir.presencePenalty !== undefined) g.presencePenalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) g.frequencyPenalty = ir.frequencyPenalty;
  // Only the first candidate is read back: more would be paid for and lost.
  if (ir.n !== undefined && ir.n !== 1) dropped.push("n");
  const rf = ir.responseFormat;
  if (rf?.type === "json_object") g.responseMimeType = "application/json";
  else if (rf?.type === "json_schema") {
    g.responseMimeType = "application/json";
    g.responseJsonSchema = rf.schema;
  }
  const r = ir.reasoning;
  if (r !== undefined) {
    if (r.disabled === true || r.effort === "none") g.thinkingConfig = { thinkingBudget: 0 };
    else {
      const budget = r.budgetTokens ?? budgetForEffort(r.effort ?? "medium");
      const tc: Json = { includeThoughts: true };
      if (budget !== undefined) tc.thinkingBudget = budget;
      else dropped.push(`reasoning.effort=${String(r.effort)}`);
      g.thinkingConfig = tc;
    }
  }
  return g;
}

export function geminiRequestFromIR(ir: IrRequest): RequestFromIrResult {
  const dropped: string[] = [];
  const names = callNames(ir.messages);
  const contents: Json[] = [];
  ir.messages.forEach((m, i) => {
    const role = m.role === "assistant" ? "model" : "user";
    const parts = partsFor(m, i, names, dropped);
    if (parts.length === 0) {
      dropped.push(`messages[${i}](empty)`);
      return;
    }
    const prev = contents[contents.length - 1];
    // Gemini wants turns to alternate: tool results and the user text after them form one turn.
    if (prev !== undefined && prev.role === role && Array.isArray(prev.parts)) prev.parts.push(...parts);
    else contents.push({ role, parts });
  });

  const body: Json = { contents };
  const system = ir.system.filter((p) => p.text !== "");
  if (system.length > 0) body.systemInstruction = { parts: system.map((p) => ({ text: p.text })) };

  if (ir.tools !== undefined && ir.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: ir.tools.map((t) => {
          const d: Json = { name: t.name };
          if (t.description !== undefined) d.description = t.description;
          d.parametersJsonSchema = t.parameters;
          return d;
        }),
      },
    ];
  }
  const tc = ir.toolChoice;
  if (tc !== undefined) {
    if (body.tools === undefined) dropped.push("tool_choice");
    else {
      const fc: Json =
        tc.type === "auto"
          ? { mode: "AUTO" }
          : tc.type === "none"
            ? { mode: "NONE" }
            : tc.type === "required"
              ? { mode: "ANY" }
              : { mode: "ANY", allowedFunctionNames: [tc.name] };
      body.toolConfig = { functionCallingConfig: fc };
    }
  }
  if (ir.parallelToolCalls !== undefined) dropped.push("parallel_tool_calls");

  const g = generationConfig(ir, dropped);
  if (Object.keys(g).length > 0) body.generationConfig = g;
  if (ir.user !== undefined) dropped.push("user");
  if (ir.metadata !== undefined) dropped.push("metadata");
  mergeExtras(body, ir, "gemini", dropped);
  return { body, dropped };
}
