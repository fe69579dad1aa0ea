/**
 * A loopback mock of Amazon Bedrock Runtime, written from AWS's API reference (independently of
 * src/). Routes, with the model id percent-decoded from its path segment (so inference-profile ids
 * such as `us.anthropic.claude-sonnet-4-5-20250929-v1:0` and ARNs work):
 * - `POST /model/{modelId}/converse`: Converse JSON;
 * - `/converse-stream`: Converse events as binary event-stream frames;
 * - `/invoke`: an Anthropic Messages body in and out (`anthropic_version: "bedrock-2023-05-31"`,
 *   no `model`, else 400 ValidationException);
 * - `/invoke-with-response-stream`: `chunk` frames whose payload `{"bytes": base64}` holds one
 *   Anthropic stream event's JSON.
 * Every event payload carries a padding field `p`, as the real service adds.
 *
 * Auth as AWS checks it: SigV4 (verified by sigv4-verify.ts) against `credentials`, or a Bedrock
 * API key as `Authorization: Bearer <key>` against `apiKeys`; failures are 403 with
 * `x-amzn-ErrorType` and `{"message"}`. Stream bodies are written split inside preludes, headers
 * and payloads.
 *
 * ```ts
 * const b = await startMockBedrock({ credentials: [{ accessKeyId: "AKID", secretAccessKey: "s" }] });
 * b.script({ reply: { text: "hi", usage: { input: 3, output: 1 } } }); // next request only
 * b.script({ error: { status: 429, type: "ThrottlingException", message: "slow down" } });
 * b.requests[0]; // { op, modelId, auth: { method: "sigv4", ok: true, accessKeyId }, json, guardrail }
 * ```
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type AwsCredential, verifySigV4 } from "./sigv4-verify.js";
import { type SplitOptions, splitBytes, writePieces } from "./sse-chunks.js";
import { awkwardFrameCuts, eventFrame, exceptionFrame } from "./wire/aws-event-stream.js";

type Json = Record<string, unknown>;

export type BedrockOp = "converse" | "converse-stream" | "invoke" | "invoke-with-response-stream";

export interface BedrockReply {
  text?: string;
  thinking?: { text: string; signature: string };
  toolUses?: { id: string; name: string; input: Json }[];
  /** Converse's spelling (end_turn, tool_use, max_tokens, …); invoke uses it as stop_reason. */
  stopReason?: string;
  /** Placed verbatim; totalTokens is their sum unless `total` is given. */
  usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number; total?: number };
}

export interface BedrockScript {
  reply?: BedrockReply;
  /** An HTTP error in Bedrock's shape; status defaults by type (ThrottlingException 429, …). */
  error?: { status?: number; type: string; message: string };
  /** Streams only: an exception frame after this many event frames, then the body ends. */
  streamException?: { afterEvents: number; type: string; message: string };
  /** How a stream body is cut: "frames" = one write per frame; default cuts inside each frame. */
  chunking?: SplitOptions | "frames";
}

export type BedrockScriptLike = BedrockScript | ((req: BedrockRequest) => BedrockScript);

export interface BedrockAuth {
  method: "sigv4" | "bearer" | "none" | "other";
  ok: boolean;
  accessKeyId?: string;
  apiKey?: string;
  /** The AWS error type when refused. */
  error?: string;
  message?: string;
}

export interface BedrockGuardrail {
  identifier: string;
  version?: string;
  trace?: string;
  /** Where it came from: Converse's guardrailConfig, or invoke's X-Amzn-Bedrock-* headers. */
  source: "body" | "headers";
  intervened: boolean;
}

export interface BedrockRequest {
  method: string;
  /** The raw request target, as signed. */
  path: string;
  op?: BedrockOp;
  modelId?: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json?: Json;
  auth: BedrockAuth;
  guardrail?: BedrockGuardrail;
  /** The status answered. */
  status?: number;
}

export interface MockBedrockOptions {
  /** The region this endpoint is (default us-east-1). */
  region?: string;
  credentials?: AwsCredential[];
  /** Accepted Bedrock API keys (`Authorization: Bearer <key>`). */
  apiKeys?: string[];
  /** The guardrail's blocked-input message. */
  blockedMessage?: string;
  /**
   * How far this endpoint's clock is ahead of the machine's (ms): signatures are checked
   * against it (AWS allows 5 minutes either way) and every answer's Date header says it.
   */
  clockOffsetMs?: number;
}

export interface MockBedrock {
  url: string;
  region: string;
  requests: BedrockRequest[];
  /** The next request that passes auth and validation gets `s` (FIFO). */
  script(s: BedrockScriptLike): void;
  /** Every request without a one-shot script; undefined resets to the echo default. */
  always(s: BedrockScriptLike | undefined): void;
  close(): Promise<void>;
}

export const DEFAULT_BLOCKED_MESSAGE = "Sorry, the model cannot answer this question.";

const BEDROCK_NS = "http://internal.amazon.com/coral/com.amazon.bedrock/";
/** Auth failures come from the service framework, not Bedrock, so their namespace differs. */
const CORAL_NS = "http://internal.amazon.com/coral/com.amazon.coral.service/";

export const ERROR_STATUS: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceQuotaExceededException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;
const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** The padding AWS adds to each event so payload sizes do not reveal token lengths. */
function padding(i: number): string {
  return PAD.slice(0, 1 + ((i * 17) % PAD.length));
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Word-ish pieces with their leading whitespace, as token streams look. */
function pieces(text: string): string[] {
  return text === "" ? [] : (text.match(/\s*\S+|\s+$/g) ?? [text]);
}

function blocksText(content: unknown, key: "converse" | "anthropic"): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Json[])
    .map((b) =>
      typeof b?.text === "string" && (key === "converse" || b.type === "text") ? (b.text as string) : "",
    )
    .filter(Boolean)
    .join(" ");
}

function lastUserText(json: Json, format: "converse" | "anthropic"): string {
  const messages = Array.isArray(json.messages) ? (json.messages as Json[]) : [];
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i]?.role === "user") return blocksText(messages[i]?.content, format);
  return "";
}

/** Anthropic's own model name, as invoke answers it (`us.anthropic.claude-x-v1:0` → `claude-x`). */
function anthropicModelName(modelId: string): string {
  const id = modelId.split("/").pop() ?? modelId;
  return id
    .replace(/^(us|eu|apac|global|jp|au|ca|us-gov)\./, "")
    .replace(/^anthropic\./, "")
    .replace(/-v\d+(:\d+)?$/, "");
}

interface Resolved {
  text: string;
  thinking?: { text: string; signature: string };
  toolUses: { id: string; name: string; input: Json }[];
  stopReason: string;
  usage: { input: number; output: number; cacheRead?: number; cacheWrite?: number; total: number };
}

function resolve(r: BedrockReply, userText: string): Resolved {
  const toolUses = r.toolUses ?? [];
  const text = r.text ?? (r.thinking === undefined && toolUses.length === 0 ? `echo: ${userText}` : "");
  const input = r.usage?.input ?? words(userText);
  const output =
    r.usage?.output ??
    words([text, r.thinking?.text ?? "", ...toolUses.map((t) => JSON.stringify(t.input))].join(" "));
  const cacheRead = r.usage?.cacheRead;
  const cacheWrite = r.usage?.cacheWrite;
  return {
    text,
    thinking: r.thinking,
    toolUses,
    stopReason: r.stopReason ?? (toolUses.length > 0 ? "tool_use" : "end_turn"),
    usage: {
      input,
      output,
      cacheRead,
      cacheWrite,
      total: r.usage?.total ?? input + output + (cacheRead ?? 0) + (cacheWrite ?? 0),
    },
  };
}

function converseUsage(u: Resolved["usage"]): Json {
  const out: Json = { inputTokens: u.input, outputTokens: u.output, totalTokens: u.total };
  if (u.cacheRead !== undefined) out.cacheReadInputTokens = u.cacheRead;
  if (u.cacheWrite !== undefined) out.cacheWriteInputTokens = u.cacheWrite;
  return out;
}

function guardrailTrace(g: BedrockGuardrail): Json {
  return {
    guardrail: {
      inputAssessment: {
        [g.identifier]: {
          topicPolicy: { topics: [{ name: "Blocked", type: "DENY", action: "BLOCKED" }] },
        },
      },
    },
  };
}

const traceWanted = (g: BedrockGuardrail | undefined): boolean =>
  g !== undefined && (g.trace === "enabled" || g.trace === "enabled_full" || g.trace === "ENABLED");

function converseBody(r: Resolved, g: BedrockGuardrail | undefined): Json {
  const content: Json[] = [];
  if (r.thinking !== undefined)
    content.push({
      reasoningContent: { reasoningText: { text: r.thinking.text, signature: r.thinking.signature } },
    });
  if (r.text !== "") content.push({ text: r.text });
  for (const t of r.toolUses) content.push({ toolUse: { toolUseId: t.id, name: t.name, input: t.input } });
  const body: Json = {
    output: { message: { role: "assistant", content } },
    stopReason: r.stopReason,
    usage: converseUsage(r.usage),
    metrics: { latencyMs: 12 },
  };
  if (g?.intervened && traceWanted(g)) body.trace = guardrailTrace(g);
  return body;
}

/** Converse stream events in order, as [event type, payload without padding]. */
function converseEvents(r: Resolved, g: BedrockGuardrail | undefined): [string, Json][] {
  const ev: [string, Json][] = [["messageStart", { role: "assistant" }]];
  let i = 0;
  if (r.thinking !== undefined) {
    for (const t of pieces(r.thinking.text))
      ev.push(["contentBlockDelta", { contentBlockIndex: i, delta: { reasoningContent: { text: t } } }]);
    ev.push([
      "contentBlockDelta",
      { contentBlockIndex: i, delta: { reasoningContent: { signature: r.thinking.signature } } },
    ]);
    ev.push(["contentBlockStop", { contentBlockIndex: i++ }]);
  }
  if (r.text !== "") {
    for (const t of pieces(r.text))
      ev.push(["contentBlockDelta", { contentBlockIndex: i, delta: { text: t } }]);
    ev.push(["contentBlockStop", { contentBlockIndex: i++ }]);
  }
  for (const t of r.toolUses) {
    ev.push([
      "contentBlockStart",
      { contentBlockIndex: i, start: { toolUse: { toolUseId: t.id, name: t.name } } },
    ]);
    const json = JSON.stringify(t.input);
    for (let k = 0; k < json.length; k += 9)
      ev.push([
        "contentBlockDelta",
        { contentBlockIndex: i, delta: { toolUse: { input: json.slice(k, k + 9) } } },
      ]);
    ev.push(["contentBlockStop", { contentBlockIndex: i++ }]);
  }
  ev.push(["messageStop", { stopReason: r.stopReason }]);
  const metadata: Json = { usage: converseUsage(r.usage), metrics: { latencyMs: 12 } };
  if (g?.intervened && traceWanted(g)) metadata.trace = guardrailTrace(g);
  ev.push(["metadata", metadata]);
  return ev;
}

/** Invoke's usage always carries the cache fields (0 when unused), as captured Bedrock streams show. */
function anthropicUsage(u: Resolved["usage"], output = u.output): Json {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
  };
}

function anthropicBody(r: Resolved, id: string, model: string, g: BedrockGuardrail | undefined): Json {
  const content: Json[] = [];
  if (r.thinking !== undefined)
    content.push({ type: "thinking", thinking: r.thinking.text, signature: r.thinking.signature });
  if (r.text !== "") content.push({ type: "text", text: r.text });
  for (const t of r.toolUses) content.push({ type: "tool_use", id: t.id, name: t.name, input: t.input });
  const body: Json = {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: r.stopReason,
    stop_sequence: null,
    usage: anthropicUsage(r.usage),
  };
  if (g?.intervened) {
    body["amazon-bedrock-guardrailAction"] = "INTERVENED";
    if (traceWanted(g)) body["amazon-bedrock-trace"] = guardrailTrace(g);
  }
  return body;
}

function anthropicEvents(r: Resolved, id: string, model: string, g: BedrockGuardrail | undefined): Json[] {
  const message: Json = {
    id,
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: anthropicUsage(r.usage, 1),
  };
  // A streamed intervention is flagged up front, on message_start's message.
  if (g?.intervened) message["amazon-bedrock-guardrailAction"] = "INTERVENED";
  const ev: Json[] = [{ type: "message_start", message }];
  let index = 0;
  const block = (start: Json, deltas: Json[]): void => {
    ev.push({ type: "content_block_start", index, content_block: start });
    for (const delta of deltas) ev.push({ type: "content_block_delta", index, delta });
    ev.push({ type: "content_block_stop", index: index++ });
  };
  if (r.thinking !== undefined)
    block({ type: "thinking", thinking: "" }, [
      ...pieces(r.thinking.text).map((t) => ({ type: "thinking_delta", thinking: t })),
      { type: "signature_delta", signature: r.thinking.signature },
    ]);
  if (r.text !== "")
    block(
      { type: "text", text: "" },
      pieces(r.text).map((t) => ({ type: "text_delta", text: t })),
    );
  for (const t of r.toolUses) {
    const json = JSON.stringify(t.input);
    const parts: Json[] = [{ type: "input_json_delta", partial_json: "" }];
    for (let k = 0; k < json.length; k += 9)
      parts.push({ type: "input_json_delta", partial_json: json.slice(k, k + 9) });
    block({ type: "tool_use", id: t.id, name: t.name, input: {} }, parts);
  }
  ev.push({
    type: "message_delta",
    delta: { stop_reason: r.stopReason, stop_sequence: null },
    usage: { output_tokens: r.usage.output },
  });
  const stop: Json = {
    type: "message_stop",
    "amazon-bedrock-invocationMetrics": {
      inputTokenCount: r.usage.input,
      outputTokenCount: r.usage.output,
      invocationLatency: 12,
      firstByteLatency: 5,
    },
  };
  ev.push(stop);
  return ev;
}

/**
 * Why a Converse body is refused, or undefined. A blank text block in a message is refused for
 * every model; a tool result with no content blocks is taken by Claude but refused by other
 * models (Nemotron, Nova), which is the stricter case this mock plays.
 */
function converseInvalid(json: Json, modelId: string): string | undefined {
  if (!Array.isArray(json.messages) || json.messages.length === 0)
    return "The messages field is required and must hold at least one message.";
  for (const [i, m] of (json.messages as Json[]).entries()) {
    if (m?.role !== "user" && m?.role !== "assistant") return `messages.${i}.role must be user or assistant.`;
    if (!Array.isArray(m.content)) return `messages.${i}.content must be a list of content blocks.`;
    for (const [k, b] of (m.content as Json[]).entries()) {
      if (typeof b?.text === "string" && b.text.trim() === "")
        return `The text field in the ContentBlock object at messages.${i}.content.${k} is blank. Add text to the text field, and try again.`;
      const tr = b?.toolResult as Json | undefined;
      if (
        tr !== undefined &&
        Array.isArray(tr.content) &&
        tr.content.length === 0 &&
        !modelId.includes("claude")
      )
        return `The content field in the ToolResultBlock object at messages.${i}.content.${k} is empty. Add content to the content field, and try again.`;
    }
  }
  return undefined;
}

/** Why an invoke body for an Anthropic model is refused, or undefined. */
function invokeInvalid(json: Json): string | undefined {
  if (json.anthropic_version === undefined)
    return "Malformed input request: required key [anthropic_version] is absent.";
  if (json.anthropic_version !== "bedrock-2023-05-31")
    return `Malformed input request: anthropic_version ${JSON.stringify(json.anthropic_version)} is not supported.`;
  if (json.model !== undefined) return "Malformed input request: key [model] is not allowed here.";
  if (typeof json.max_tokens !== "number")
    return "Malformed input request: required key [max_tokens] is absent.";
  if (!Array.isArray(json.messages)) return "Malformed input request: required key [messages] is absent.";
  return undefined;
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function startMockBedrock(opts: MockBedrockOptions = {}): Promise<MockBedrock> {
  const region = opts.region ?? "us-east-1";
  const queue: BedrockScriptLike[] = [];
  let fallback: BedrockScriptLike | undefined;
  const requests: BedrockRequest[] = [];
  let n = 0;

  const authenticate = (req: http.IncomingMessage, body: Buffer): BedrockAuth => {
    const authz = header(req.headers, "authorization");
    if (authz === undefined)
      return {
        method: "none",
        ok: false,
        error: "MissingAuthenticationTokenException",
        message: "Authorization header is missing",
      };
    const bearer = /^Bearer (\S+)$/.exec(authz);
    if (bearer !== null) {
      const key = bearer[1]!;
      return (opts.apiKeys ?? []).includes(key)
        ? { method: "bearer", ok: true, apiKey: key }
        : {
            method: "bearer",
            ok: false,
            apiKey: key,
            error: "UnrecognizedClientException",
            message: "The API key is not valid.",
          };
    }
    if (!authz.startsWith("AWS4-HMAC-SHA256 "))
      return {
        method: "other",
        ok: false,
        error: "IncompleteSignatureException",
        message: "Unsupported authorization scheme.",
      };
    const v = verifySigV4(
      { method: req.method ?? "GET", rawUrl: req.url ?? "/", headers: req.headers, body },
      {
        credentials: opts.credentials ?? [],
        region,
        service: "bedrock",
        now: new Date(Date.now() + (opts.clockOffsetMs ?? 0)),
      },
    );
    return v.ok
      ? { method: "sigv4", ok: true, accessKeyId: v.accessKeyId }
      : { method: "sigv4", ok: false, accessKeyId: v.accessKeyId, error: v.type, message: v.message };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const requestId = randomUUID();
      // AWS dates every answer; a client whose clock is off learns the service's from it.
      res.setHeader("date", new Date(Date.now() + (opts.clockOffsetMs ?? 0)).toUTCString());
      const auth = authenticate(req, body);
      const rawUrl = req.url ?? "/";
      const rec: BedrockRequest = {
        method: req.method ?? "",
        path: rawUrl,
        headers: req.headers,
        body,
        auth,
      };
      requests.push(rec);
      const sendJson = (status: number, json: Json, extra: http.OutgoingHttpHeaders = {}): void => {
        rec.status = status;
        const payload = JSON.stringify(json);
        res.writeHead(status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          "x-amzn-requestid": requestId,
          ...extra,
        });
        res.end(payload);
      };
      const sendError = (status: number, type: string, message: string, ns = BEDROCK_NS): void =>
        sendJson(status, { message }, { "x-amzn-errortype": `${type}:${ns}` });

      if (!auth.ok) {
        if (auth.method === "none")
          // What the service answers without credentials: a capitalised Message key.
          sendJson(403, { Message: auth.message }, { "x-amzn-errortype": `${auth.error}:${CORAL_NS}` });
        else sendError(403, auth.error ?? "AccessDeniedException", auth.message ?? "", CORAL_NS);
        return;
      }
      const q = rawUrl.indexOf("?");
      const m = PATH.exec(q < 0 ? rawUrl : rawUrl.slice(0, q));
      if (req.method !== "POST" || m === null) {
        sendError(
          404,
          "UnknownOperationException",
          `No operation matches ${req.method} ${rawUrl}.`,
          CORAL_NS,
        );
        return;
      }
      const op = m[2] as BedrockOp;
      let modelId: string;
      try {
        modelId = decodeURIComponent(m[1]!);
      } catch {
        sendError(400, "ValidationException", "The model identifier is not valid percent-encoding.");
        return;
      }
      rec.op = op;
      rec.modelId = modelId;
      let json: Json;
      try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        json = parsed as Json;
      } catch {
        sendError(400, "ValidationException", "The request body is not a JSON object.");
        return;
      }
      rec.json = json;
      const converse = op === "converse" || op === "converse-stream";
      const format = converse ? "converse" : "anthropic";
      const bad = converse ? converseInvalid(json, modelId) : invokeInvalid(json);
      if (bad !== undefined) {
        sendError(400, "ValidationException", bad);
        return;
      }
      const userText = lastUserText(json, format);
      let guardrail: BedrockGuardrail | undefined;
      if (converse && json.guardrailConfig !== undefined) {
        const gc = json.guardrailConfig as Json;
        if (typeof gc.guardrailIdentifier !== "string" || typeof gc.guardrailVersion !== "string") {
          sendError(
            400,
            "ValidationException",
            "guardrailConfig needs guardrailIdentifier and guardrailVersion.",
          );
          return;
        }
        guardrail = {
          identifier: gc.guardrailIdentifier,
          version: gc.guardrailVersion,
          trace: typeof gc.trace === "string" ? gc.trace : undefined,
          source: "body",
          intervened: false,
        };
      }
      const gid = header(req.headers, "x-amzn-bedrock-guardrailidentifier");
      if (!converse && gid !== undefined) {
        const gver = header(req.headers, "x-amzn-bedrock-guardrailversion");
        if (gver === undefined) {
          sendError(
            400,
            "ValidationException",
            "A guardrail identifier was given without a guardrail version.",
          );
          return;
        }
        guardrail = {
          identifier: gid,
          version: gver,
          trace: header(req.headers, "x-amzn-bedrock-trace"),
          source: "headers",
          intervened: false,
        };
      }
      if (guardrail !== undefined) {
        guardrail.intervened = userText.includes("BLOCKME");
        rec.guardrail = guardrail;
      }

      const next = queue.shift() ?? fallback ?? {};
      const s = typeof next === "function" ? next(rec) : next;
      if (s.error !== undefined) {
        sendError(s.error.status ?? ERROR_STATUS[s.error.type] ?? 400, s.error.type, s.error.message);
        return;
      }
      const reply: BedrockReply = guardrail?.intervened
        ? {
            text: opts.blockedMessage ?? DEFAULT_BLOCKED_MESSAGE,
            stopReason: converse ? "guardrail_intervened" : "end_turn",
            usage: { input: words(userText), output: 0 },
          }
        : (s.reply ?? {});
      const r = resolve(reply, userText);
      const msgId = `msg_bdrk_${String(++n).padStart(4, "0")}`;
      const model = anthropicModelName(modelId);

      if (op === "converse") {
        sendJson(200, converseBody(r, guardrail));
        return;
      }
      if (op === "invoke") {
        sendJson(200, anthropicBody(r, msgId, model, guardrail), {
          "x-amzn-bedrock-input-token-count": String(r.usage.input),
          "x-amzn-bedrock-output-token-count": String(r.usage.output),
          "x-amzn-bedrock-invocation-latency": "12",
        });
        return;
      }
      let frames: Buffer[] =
        op === "converse-stream"
          ? converseEvents(r, guardrail).map(([type, payload], i) =>
              eventFrame(type, { ...payload, p: padding(i) }),
            )
          : anthropicEvents(r, msgId, model, guardrail).map((e, i) =>
              eventFrame("chunk", {
                bytes: Buffer.from(JSON.stringify(e), "utf8").toString("base64"),
                p: padding(i),
              }),
            );
      if (s.streamException !== undefined) {
        const t = s.streamException.type;
        frames = [
          ...frames.slice(0, s.streamException.afterEvents),
          exceptionFrame(t.charAt(0).toLowerCase() + t.slice(1), s.streamException.message),
        ];
      }
      rec.status = 200;
      const headers: http.OutgoingHttpHeaders = {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": requestId,
      };
      if (op === "invoke-with-response-stream") headers["x-amzn-bedrock-content-type"] = "application/json";
      res.writeHead(200, headers);
      const all = Buffer.concat(frames);
      const parts =
        s.chunking === "frames" ? frames : splitBytes(all, s.chunking ?? { at: awkwardFrameCuts(frames) });
      writePieces(res, parts);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    requests,
    script: (s) => {
      queue.push(s);
    },
    always: (s) => {
      fallback = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
