/**
 * The texts a request guard reads, taken from the request body in the caller's own format (the
 * bytes a same-format upstream receives, and the source of any translation), and put back
 * after masking. Reading the body rather than the intermediate form means a field the IR does
 * not carry (a Messages `document`, a legacy `function_call`, Responses `prompt.variables`)
 * cannot slip past the guard and still reach the provider.
 *
 * Read, per format (empty strings are skipped; the README lists the same):
 * - chat: every message's `content` (string, or each part's `text` / `refusal`), `refusal`,
 *   `tool_calls[].function.arguments` and `.custom.input`, the legacy `function_call.arguments`;
 *   tool and legacy `functions` descriptions and parameter schemas; `response_format`'s
 *   schema and description; `prediction.content`.
 * - messages: `system`; every content block: text (and its citations), `document` (title,
 *   context, a `text` source's data, a `content` source's blocks), `search_result` (source,
 *   title, content), tool use `input`, tool results (string or blocks, recursively); any other
 *   block type's strings except identifiers and binary data; tool descriptions and schemas.
 * - responses: `instructions`, `input` (string, or every item: message content parts,
 *   function / custom tool call arguments and outputs, reasoning summaries, and any other item
 *   type's strings except identifiers and binary data), `prompt.variables`, tool descriptions
 *   and parameter schemas, `text.format`'s schema and description.
 * - gemini (generateContent and countTokens): `systemInstruction`, every part's `text`,
 *   `functionCall.args`, `functionResponse.response`, executable code and its output; function
 *   declarations' descriptions and schemas; `generationConfig`'s response schemas.
 * - embeddings: `input` (a string, or each string of an array).
 * Not read: thinking blocks (signed by the provider, which rejects an altered one), images,
 * audio and files (binary), identifiers, tool names, and enum-like fields (`type`, `role`).
 *
 * Objects (tool use input, schemas) are read as their JSON text, like tool call arguments; a
 * mask that leaves such a text unparsable puts it back as `{"_raw_arguments": <text>}`.
 */
import type { IrFormat } from "../../llm/formats/ir.js";
import type { TextSlots } from "./ir-texts.js";

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

interface Slot {
  readonly path: Path;
  /** The value is a JSON value read as its JSON text. */
  readonly json: boolean;
}

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keys whose values are identifiers, enums or binary data, in blocks and items of other types. */
const OPAQUE_KEYS: ReadonlySet<string> = new Set([
  "type",
  "role",
  "status",
  "id",
  "call_id",
  "tool_call_id",
  "tool_use_id",
  "signature",
  "encrypted_content",
  "encrypted_index",
  "media_type",
  "cache_control",
  "data",
  "image_url",
  "file_data",
  "file_id",
  "file_url",
]);

/** Block and item types never read: signed thinking, binary media. */
const SKIPPED_TYPES: ReadonlySet<string> = new Set([
  "thinking",
  "redacted_thinking",
  "image",
  "image_url",
  "input_image",
  "input_audio",
  "input_file",
  "file",
  "image_generation_call",
  "item_reference",
]);

class Collector {
  readonly slots: Slot[] = [];
  readonly texts: string[] = [];

  str(v: unknown, path: Path): void {
    if (typeof v === "string" && v !== "") {
      this.slots.push({ path, json: false });
      this.texts.push(v);
    }
  }

  json(v: unknown, path: Path): void {
    if (v === undefined || v === null) return;
    if (typeof v === "string") {
      this.str(v, path);
      return;
    }
    this.slots.push({ path, json: true });
    this.texts.push(JSON.stringify(v));
  }

  /** A string, or an array of parts each read by `part`. */
  content(v: unknown, path: Path, part: (p: Json, path: Path) => void): void {
    if (typeof v === "string") this.str(v, path);
    else if (Array.isArray(v))
      v.forEach((p, i) => {
        if (isRecord(p)) part(p, [...path, i]);
      });
  }

  /** Every string inside `v` except under opaque keys (types not modelled one by one). */
  deep(v: unknown, path: Path): void {
    if (typeof v === "string") this.str(v, path);
    else if (Array.isArray(v))
      v.forEach((x, i) => {
        this.deep(x, [...path, i]);
      });
    else if (isRecord(v)) {
      if (typeof v.type === "string" && SKIPPED_TYPES.has(v.type)) return;
      for (const [k, x] of Object.entries(v)) if (!OPAQUE_KEYS.has(k)) this.deep(x, [...path, k]);
    }
  }

  /** A function tool's description and schema (chat `function`, Responses and Messages tools). */
  tool(t: Json, path: Path, schemaKey: string): void {
    this.str(t.description, [...path, "description"]);
    this.json(t[schemaKey], [...path, schemaKey]);
  }
}

// ---- chat ----

function chatPart(c: Collector, p: Json, path: Path): void {
  c.str(p.text, [...path, "text"]);
  c.str(p.refusal, [...path, "refusal"]);
}

function chatTexts(c: Collector, body: Json): void {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((m, i) => {
    if (!isRecord(m)) return;
    const at = ["messages", i];
    c.content(m.content, [...at, "content"], (p, path) => chatPart(c, p, path));
    c.str(m.refusal, [...at, "refusal"]);
    if (Array.isArray(m.tool_calls))
      m.tool_calls.forEach((tc, k) => {
        if (!isRecord(tc)) return;
        if (isRecord(tc.function))
          c.str(tc.function.arguments, [...at, "tool_calls", k, "function", "arguments"]);
        if (isRecord(tc.custom)) c.str(tc.custom.input, [...at, "tool_calls", k, "custom", "input"]);
      });
    if (isRecord(m.function_call)) c.str(m.function_call.arguments, [...at, "function_call", "arguments"]);
  });
  if (Array.isArray(body.tools))
    body.tools.forEach((t, i) => {
      if (!isRecord(t)) return;
      if (isRecord(t.function)) c.tool(t.function, ["tools", i, "function"], "parameters");
      if (isRecord(t.custom)) c.str(t.custom.description, ["tools", i, "custom", "description"]);
    });
  if (Array.isArray(body.functions))
    body.functions.forEach((f, i) => {
      if (isRecord(f)) c.tool(f, ["functions", i], "parameters");
    });
  const rf = body.response_format;
  if (isRecord(rf) && isRecord(rf.json_schema))
    c.tool(rf.json_schema, ["response_format", "json_schema"], "schema");
  if (isRecord(body.prediction))
    c.content(body.prediction.content, ["prediction", "content"], (p, path) => chatPart(c, p, path));
}

// ---- messages ----

function messagesBlock(c: Collector, b: Json, path: Path): void {
  const block = (p: Json, at: Path) => messagesBlock(c, p, at);
  switch (b.type) {
    case "text":
      c.str(b.text, [...path, "text"]);
      c.deep(b.citations, [...path, "citations"]);
      return;
    case "document": {
      c.str(b.title, [...path, "title"]);
      c.str(b.context, [...path, "context"]);
      const s = b.source;
      if (isRecord(s)) {
        if (s.type === "text") c.str(s.data, [...path, "source", "data"]);
        else if (s.type === "content") c.content(s.content, [...path, "source", "content"], block);
      }
      return;
    }
    case "search_result":
      c.str(b.source, [...path, "source"]);
      c.str(b.title, [...path, "title"]);
      c.content(b.content, [...path, "content"], block);
      return;
    case "tool_use":
    case "server_tool_use":
    case "mcp_tool_use":
      c.json(b.input, [...path, "input"]);
      return;
    case "tool_result":
    case "mcp_tool_result":
      c.content(b.content, [...path, "content"], block);
      return;
    default:
      c.deep(b, path);
  }
}

function messagesTexts(c: Collector, body: Json): void {
  const block = (p: Json, at: Path) => messagesBlock(c, p, at);
  c.content(body.system, ["system"], block);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((m, i) => {
    if (isRecord(m)) c.content(m.content, ["messages", i, "content"], block);
  });
  if (Array.isArray(body.tools))
    body.tools.forEach((t, i) => {
      if (isRecord(t)) c.tool(t, ["tools", i], "input_schema");
    });
}

// ---- responses ----

function responsesPart(c: Collector, p: Json, path: Path): void {
  if (typeof p.type === "string" && SKIPPED_TYPES.has(p.type)) return;
  if (p.type === "input_text" || p.type === "output_text" || p.type === "text" || p.type === "refusal") {
    c.str(p.text, [...path, "text"]);
    c.str(p.refusal, [...path, "refusal"]);
    return;
  }
  c.deep(p, path);
}

function responsesItem(c: Collector, item: Json, path: Path): void {
  const part = (p: Json, at: Path) => responsesPart(c, p, at);
  switch (item.type ?? "message") {
    case "message":
      c.content(item.content, [...path, "content"], part);
      return;
    case "function_call":
      c.str(item.arguments, [...path, "arguments"]);
      return;
    case "custom_tool_call":
      c.str(item.input, [...path, "input"]);
      return;
    case "function_call_output":
    case "custom_tool_call_output":
      c.content(item.output, [...path, "output"], part);
      return;
    case "reasoning":
      c.content(item.summary, [...path, "summary"], part);
      c.content(item.content, [...path, "content"], part);
      return;
    default:
      c.deep(item, path);
  }
}

function responsesTexts(c: Collector, body: Json): void {
  const item = (p: Json, at: Path) => responsesItem(c, p, at);
  c.content(body.instructions, ["instructions"], item);
  c.content(body.input, ["input"], item);
  if (isRecord(body.prompt) && isRecord(body.prompt.variables))
    for (const [k, v] of Object.entries(body.prompt.variables)) {
      const at = ["prompt", "variables", k];
      if (isRecord(v)) responsesPart(c, v, at);
      else c.str(v, at);
    }
  if (Array.isArray(body.tools))
    body.tools.forEach((t, i) => {
      if (isRecord(t)) c.tool(t, ["tools", i], "parameters");
    });
  if (isRecord(body.text) && isRecord(body.text.format))
    c.tool(body.text.format, ["text", "format"], "schema");
}

// ---- gemini ----

function geminiPart(c: Collector, p: Json, path: Path): void {
  // A thought (signed through thoughtSignature) is left as sent, like a thinking block.
  if (p.thought === true) return;
  c.str(p.text, [...path, "text"]);
  if (isRecord(p.functionCall)) c.json(p.functionCall.args, [...path, "functionCall", "args"]);
  if (isRecord(p.functionResponse))
    c.json(p.functionResponse.response, [...path, "functionResponse", "response"]);
  if (isRecord(p.executableCode)) c.str(p.executableCode.code, [...path, "executableCode", "code"]);
  if (isRecord(p.codeExecutionResult))
    c.str(p.codeExecutionResult.output, [...path, "codeExecutionResult", "output"]);
}

/** `base`: where the request sits in the body (countTokens may wrap it in `generateContentRequest`). */
function geminiTexts(c: Collector, body: Json, base: Path = []): void {
  const part = (p: Json, at: Path) => geminiPart(c, p, at);
  if (base.length === 0 && isRecord(body.generateContentRequest))
    geminiTexts(c, body.generateContentRequest, ["generateContentRequest"]);
  const sys = body.systemInstruction;
  if (isRecord(sys)) c.content(sys.parts, [...base, "systemInstruction", "parts"], part);
  else c.str(sys, [...base, "systemInstruction"]);
  const contents = Array.isArray(body.contents) ? body.contents : [];
  contents.forEach((m, i) => {
    if (isRecord(m)) c.content(m.parts, [...base, "contents", i, "parts"], part);
  });
  if (Array.isArray(body.tools))
    body.tools.forEach((t, i) => {
      if (!isRecord(t) || !Array.isArray(t.functionDeclarations)) return;
      t.functionDeclarations.forEach((d, k) => {
        if (!isRecord(d)) return;
        const at = [...base, "tools", i, "functionDeclarations", k];
        c.tool(d, at, d.parametersJsonSchema === undefined ? "parameters" : "parametersJsonSchema");
      });
    });
  const g = body.generationConfig;
  if (isRecord(g)) {
    c.json(g.responseJsonSchema, [...base, "generationConfig", "responseJsonSchema"]);
    c.json(g.responseSchema, [...base, "generationConfig", "responseSchema"]);
  }
}

// ---- embeddings ----

/** OpenAI embeddings: `input` as a string or strings (token-id arrays are not text). */
function embeddingsTexts(c: Collector, body: Json): void {
  if (!Array.isArray(body.input)) c.str(body.input, ["input"]);
  else
    body.input.forEach((v, i) => {
      c.str(v, ["input", i]);
    });
}

// ---- rebuild ----

/** `root` with the value at `path` replaced; containers on the way are copied once (`copies`). */
function setAt(root: Json, path: Path, value: unknown, copies: Set<unknown>): void {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const parent = node as Record<string | number, unknown>;
    const key = path[i]!;
    let child = parent[key];
    if (!copies.has(child)) {
      child = Array.isArray(child) ? child.slice() : { ...(child as Json) };
      copies.add(child);
      parent[key] = child;
    }
    node = child;
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

function fromJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { _raw_arguments: text };
  }
}

/** The bodies request guards read: each client format, and OpenAI embeddings. */
export type GuardedBodyFormat = IrFormat | "embeddings";

export function bodyTexts(format: GuardedBodyFormat, body: Json): TextSlots<Json> {
  const c = new Collector();
  switch (format) {
    case "openai-chat":
      chatTexts(c, body);
      break;
    case "anthropic-messages":
      messagesTexts(c, body);
      break;
    case "openai-responses":
      responsesTexts(c, body);
      break;
    case "gemini":
      geminiTexts(c, body);
      break;
    case "embeddings":
      embeddingsTexts(c, body);
      break;
    case "bedrock-converse":
      // Not a client format: no client body is ever in it.
      break;
  }
  const { slots, texts } = c;
  return {
    texts,
    rebuild(next) {
      if (next.length !== texts.length) throw new Error("guard returned a different number of texts");
      const root: Json = { ...body };
      const copies = new Set<unknown>([root]);
      next.forEach((t, i) => {
        if (t === texts[i]) return;
        const slot = slots[i]!;
        setAt(root, slot.path, slot.json ? fromJsonText(t) : t, copies);
      });
      return root;
    },
  };
}
