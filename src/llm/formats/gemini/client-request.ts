/**
 * A Gemini `generateContent` request → IR, for Gemini-format clients. The model and streaming
 * are in the URL: the caller of this function puts them on the body as `model` / `stream`
 * first. Function calls without ids get minted ones (call-id.ts) and each functionResponse is
 * paired with its call by id, else with the earliest unanswered call of the same name.
 */
import { GatewayError } from "../../../errors.js";
import type { IrContentPart, IrMessage, IrRequest, IrTextPart, IrTool, RequestToIrResult } from "../ir.js";
import { effortForBudget } from "../reasoning.js";
import { asArray, asNumber, asString, isRecord, type Json, objectToArguments, unknownKeys } from "../util.js";
import { callIdFor } from "./call-id.js";

const KNOWN = new Set([
  "model",
  "stream",
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
]);

function invalid(message: string): GatewayError {
  return new GatewayError(400, "invalid_request_body", message);
}

/** Schema fields Google's API types as int64, which its JSON spells (and @google/genai types) as strings. */
const INT64_FIELDS = new Set([
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
]);

/**
 * Gemini's OpenAPI-subset Schema (types in capitals) as JSON Schema: int64 bounds as numbers,
 * `nullable` as a `"null"` type (or a `{type: "null"}` branch of `anyOf`, as @google/genai
 * writes a nullable union), `example` as `examples`, `TYPE_UNSPECIFIED` as no type.
 */
export function openApiSchemaToJsonSchema(s: unknown): Record<string, unknown> {
  if (!isRecord(s)) return {};
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "type" && typeof v === "string") {
      if (v !== "TYPE_UNSPECIFIED") out.type = v.toLowerCase();
    } else if (k === "properties" && isRecord(v))
      out.properties = Object.fromEntries(
        Object.entries(v).map(([p, sub]) => [p, openApiSchemaToJsonSchema(sub)]),
      );
    else if (k === "items") out.items = openApiSchemaToJsonSchema(v);
    else if (k === "anyOf" && Array.isArray(v)) out.anyOf = v.map(openApiSchemaToJsonSchema);
    else if (INT64_FIELDS.has(k) && typeof v === "string" && /^\d+$/.test(v)) out[k] = Number(v);
    else if (k === "example") out.examples = [v];
    else if (k === "nullable") continue;
    else if (k === "propertyOrdering") continue;
    else out[k] = v;
  }
  if (s.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: "null" }];
  }
  return out;
}

function textOf(parts: unknown[]): IrTextPart[] {
  const out: IrTextPart[] = [];
  for (const p of parts)
    if (isRecord(p) && typeof p.text === "string") out.push({ type: "text", text: p.text });
  return out;
}

export function geminiRequestToIR(body: unknown): RequestToIrResult {
  if (!isRecord(body)) throw invalid("request body must be a JSON object");
  if (!Array.isArray(body.contents)) throw invalid("`contents` must be an array");
  const dropped: string[] = [];
  const unsupported: string[] = [];
  const system = isRecord(body.systemInstruction) ? textOf(asArray(body.systemInstruction.parts)) : [];

  const messages: IrMessage[] = [];
  /** Calls not answered yet, in order: their ids by name. */
  const pending: Array<{ id: string; name: string }> = [];
  let calls = 0;
  body.contents.forEach((c, i) => {
    if (!isRecord(c)) throw invalid(`contents[${i}] must be an object`);
    const role = c.role ?? "user";
    if (role !== "user" && role !== "model") throw invalid(`contents[${i}].role must be "user" or "model"`);
    // A streamed answer comes back as one model turn per chunk (@google/genai's chats record it
    // so): consecutive model turns are one assistant message.
    const prev = messages.at(-1);
    const continues = role === "model" && prev?.role === "assistant";
    const parts: IrContentPart[] = continues ? prev.content : [];
    const results: IrContentPart[] = [];
    for (const p of asArray(c.parts)) {
      if (!isRecord(p)) continue;
      if (typeof p.text === "string") {
        if (p.thought === true) {
          if (role === "model") {
            // A streamed thought comes back as several parts, its signature on the last one.
            const prev = parts.at(-1);
            const signature = asString(p.thoughtSignature);
            if (prev?.type === "thinking" && prev.signature === undefined) {
              prev.thinking += p.text;
              if (signature !== undefined) prev.signature = signature;
            } else
              parts.push(
                signature === undefined
                  ? { type: "thinking", thinking: p.text }
                  : { type: "thinking", thinking: p.text, signature },
              );
          } else dropped.push(`contents[${i}].thought`);
        } else parts.push({ type: "text", text: p.text });
      } else if (isRecord(p.inlineData)) {
        const mime = asString(p.inlineData.mimeType) ?? "";
        if (mime.startsWith("image/") && typeof p.inlineData.data === "string")
          parts.push({ type: "image", source: { kind: "base64", mediaType: mime, data: p.inlineData.data } });
        else unsupported.push(`contents[${i}].inlineData(${mime})`);
      } else if (isRecord(p.functionCall)) {
        const name = asString(p.functionCall.name) ?? "";
        const args = objectToArguments(p.functionCall.args);
        const id = callIdFor(
          asString(p.functionCall.id),
          "",
          calls++,
          name,
          args,
          asString(p.thoughtSignature),
        );
        pending.push({ id, name });
        parts.push({ type: "tool_call", id, name, arguments: args });
      } else if (isRecord(p.functionResponse)) {
        const name = asString(p.functionResponse.name) ?? "";
        const given = asString(p.functionResponse.id);
        let at =
          given === undefined
            ? -1
            : pending.findIndex((q) => q.id === given || q.id.startsWith(`${given}__ts__`));
        if (at === -1) at = pending.findIndex((q) => q.name === name);
        const id = at === -1 ? (given ?? `call_gm_orphan_${name}`) : pending.splice(at, 1)[0]!.id;
        const response = p.functionResponse.response;
        const isError = isRecord(response) && response.error !== undefined && response.output === undefined;
        const content =
          isRecord(response) && typeof response.output === "string" && Object.keys(response).length === 1
            ? response.output
            : JSON.stringify(response ?? {});
        results.push(
          isError
            ? { type: "tool_result", toolCallId: id, content, isError }
            : { type: "tool_result", toolCallId: id, content },
        );
      } else unsupported.push(`contents[${i}].parts[${Object.keys(p).join(",")}]`);
    }
    if (results.length > 0) messages.push({ role: "tool", content: results });
    if (!continues && (parts.length > 0 || results.length === 0))
      messages.push({ role: role === "model" ? "assistant" : "user", content: parts });
  });

  const ir: IrRequest = { model: asString(body.model) ?? "", system, messages, stream: body.stream === true };
  const tools: IrTool[] = [];
  for (const t of asArray(body.tools)) {
    if (!isRecord(t)) continue;
    for (const k of Object.keys(t)) if (k !== "functionDeclarations") unsupported.push(`tools[${k}]`);
    for (const d of asArray(t.functionDeclarations)) {
      if (!isRecord(d)) continue;
      const parameters = isRecord(d.parametersJsonSchema)
        ? d.parametersJsonSchema
        : isRecord(d.parameters)
          ? openApiSchemaToJsonSchema(d.parameters)
          : { type: "object", properties: {} };
      const tool: IrTool = { name: asString(d.name) ?? "", parameters };
      if (typeof d.description === "string") tool.description = d.description;
      tools.push(tool);
    }
  }
  if (tools.length > 0) ir.tools = tools;
  const fc =
    isRecord(body.toolConfig) && isRecord(body.toolConfig.functionCallingConfig)
      ? body.toolConfig.functionCallingConfig
      : undefined;
  if (fc !== undefined) {
    const names = asArray(fc.allowedFunctionNames).filter((n): n is string => typeof n === "string");
    if (fc.mode === "AUTO") ir.toolChoice = { type: "auto" };
    else if (fc.mode === "NONE") ir.toolChoice = { type: "none" };
    else if (fc.mode === "ANY" || fc.mode === "VALIDATED")
      ir.toolChoice = names.length === 1 ? { type: "tool", name: names[0]! } : { type: "required" };
    if (names.length > 1) dropped.push("toolConfig.functionCallingConfig.allowedFunctionNames");
  }

  const g = isRecord(body.generationConfig) ? body.generationConfig : {};
  const num = (k: string): number | undefined => asNumber(g[k]);
  if (num("temperature") !== undefined) ir.temperature = num("temperature")!;
  if (num("topP") !== undefined) ir.topP = num("topP")!;
  if (num("topK") !== undefined) ir.topK = num("topK")!;
  if (num("maxOutputTokens") !== undefined) ir.maxTokens = num("maxOutputTokens")!;
  if (num("seed") !== undefined) ir.seed = num("seed")!;
  if (num("presencePenalty") !== undefined) ir.presencePenalty = num("presencePenalty")!;
  if (num("frequencyPenalty") !== undefined) ir.frequencyPenalty = num("frequencyPenalty")!;
  if (num("candidateCount") !== undefined) ir.n = num("candidateCount")!;
  if (Array.isArray(g.stopSequences))
    ir.stop = g.stopSequences.filter((s): s is string => typeof s === "string");
  if (g.responseMimeType === "application/json") {
    const schema = isRecord(g.responseJsonSchema)
      ? g.responseJsonSchema
      : isRecord(g.responseSchema)
        ? openApiSchemaToJsonSchema(g.responseSchema)
        : undefined;
    ir.responseFormat =
      schema === undefined ? { type: "json_object" } : { type: "json_schema", name: "response", schema };
  } else if (g.responseMimeType !== undefined && g.responseMimeType !== "text/plain")
    unsupported.push(`generationConfig.responseMimeType=${String(g.responseMimeType)}`);
  if (isRecord(g.thinkingConfig)) {
    const budget = asNumber(g.thinkingConfig.thinkingBudget);
    const level = asString(g.thinkingConfig.thinkingLevel);
    if (budget === 0) ir.reasoning = { disabled: true };
    else if (budget !== undefined && budget > 0)
      ir.reasoning = { budgetTokens: budget, effort: effortForBudget(budget) };
    else if (level !== undefined) ir.reasoning = { effort: level.toLowerCase() };
    else if (budget === -1) ir.reasoning = { effort: "medium" };
  }
  const extras = unknownKeys(body, KNOWN);
  if (extras !== undefined) ir.extras = { gemini: extras };
  return { ir, dropped, unsupported };
}
