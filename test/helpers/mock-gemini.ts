/**
 * A loopback mock of Google AI Studio's Gemini API, written from Google's API reference
 * (independently of src/): `POST /v1beta/models/{model}:generateContent` answers one
 * GenerateContentResponse, `:streamGenerateContent?alt=sse` answers `data: {chunk}` events
 * separated by CRLF CRLF, with no end marker. Auth as the real service checks it: no
 * x-goog-api-key is 403 PERMISSION_DENIED, a wrong one 400 INVALID_ARGUMENT (API_KEY_INVALID),
 * both in Google's `{error: {code, message, status}}` envelope.
 *
 * ```ts
 * const g = await startMockGemini({ key: "AIza-test" });
 * g.script({ parts: [{ text: "hi" }], usage: { prompt: 3, candidates: 1 } }); // next request only
 * g.script({ promptBlocked: "SAFETY" });
 * g.script({ error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "quota" } });
 * g.requests[0].json; // what agw sent
 * ```
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { splitBytes, writePieces } from "./sse-chunks.js";

type Json = Record<string, unknown>;

export interface GeminiScript {
  /** The candidate's parts (default: `echo: <last user text>`). */
  parts?: Json[];
  finishReason?: string;
  usage?: { prompt?: number; candidates?: number; cached?: number; thoughts?: number };
  /** The prompt is refused: promptFeedback.blockReason, no candidates. */
  promptBlocked?: string;
  /** An error answer in Google's envelope. */
  error?: { code: number; status: string; message: string };
  /** Stream bytes are written in pieces of this many bytes (default 5). */
  every?: number;
  /** A stream that stops before its finishReason chunk. */
  truncate?: boolean;
}

export interface GeminiRequest {
  method: string;
  path: string;
  model: string;
  stream: boolean;
  headers: http.IncomingHttpHeaders;
  json: Json;
}

export interface MockGemini {
  url: string;
  requests: GeminiRequest[];
  script(s: GeminiScript): void;
  close(): Promise<void>;
}

const PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

function googleError(code: number, status: string, message: string, details?: Json[]): Json {
  const error: Json = { code, message, status };
  if (details !== undefined) error.details = details;
  return { error };
}

function lastUserText(body: Json): string {
  const contents = Array.isArray(body.contents) ? (body.contents as Json[]) : [];
  for (let i = contents.length - 1; i >= 0; i--) {
    const c = contents[i];
    if (c?.role !== "user" || !Array.isArray(c.parts)) continue;
    for (const p of c.parts as Json[]) if (typeof p.text === "string") return p.text;
  }
  return "";
}

/**
 * The request checks the real API makes before generating: contents and roles; and, for Gemini 3
 * models, the thought signature on the first function call of each model turn.
 */
function invalidReason(body: Json, model: string): string | undefined {
  if (!Array.isArray(body.contents) || body.contents.length === 0)
    return "* GenerateContentRequest.contents: contents is not specified";
  for (const [i, c] of (body.contents as Json[]).entries()) {
    if (c.role !== "user" && c.role !== "model")
      return `Please use a valid role: user, model. (contents[${i}].role = ${String(c.role)})`;
    if (!Array.isArray(c.parts) || c.parts.length === 0)
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    const firstCall = (c.parts as Json[]).find((p) => p.functionCall !== undefined);
    if (
      model.startsWith("gemini-3") &&
      firstCall !== undefined &&
      typeof firstCall.thoughtSignature !== "string"
    )
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. (contents[${i}])`;
    for (const p of c.parts as Json[]) {
      const fr = p.functionResponse as Json | undefined;
      if (fr !== undefined && (typeof fr.name !== "string" || fr.name === ""))
        return `* GenerateContentRequest.contents[${i}].parts.function_response.name: Name cannot be empty.`;
    }
  }
  return undefined;
}

function usageMetadata(u: GeminiScript["usage"], fallbackPrompt: number, fallbackOut: number): Json {
  const prompt = u?.prompt ?? fallbackPrompt;
  const candidates = u?.candidates ?? fallbackOut;
  const out: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates };
  if (u?.cached !== undefined) out.cachedContentTokenCount = u.cached;
  if (u?.thoughts !== undefined) out.thoughtsTokenCount = u.thoughts;
  out.totalTokenCount = prompt + candidates + (u?.thoughts ?? 0);
  return out;
}

export async function startMockGemini(opts: { key: string }): Promise<MockGemini> {
  const queue: GeminiScript[] = [];
  const requests: GeminiRequest[] = [];
  let n = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const send = (status: number, body: Json): void => {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(body, null, 2));
      };
      const m = PATH.exec(u.pathname);
      if (req.method !== "POST" || m === null) {
        send(404, googleError(404, "NOT_FOUND", `The requested URL ${u.pathname} was not found.`));
        return;
      }
      const key = req.headers["x-goog-api-key"] ?? u.searchParams.get("key") ?? undefined;
      if (key === undefined) {
        send(
          403,
          googleError(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          ),
        );
        return;
      }
      if (key !== opts.key) {
        send(
          400,
          googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              reason: "API_KEY_INVALID",
              domain: "googleapis.com",
              metadata: { service: "generativelanguage.googleapis.com" },
            },
          ]),
        );
        return;
      }
      let body: Json;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
      } catch {
        send(400, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
        return;
      }
      if (m[2] === "countTokens") {
        requests.push({
          method: req.method,
          path: u.pathname,
          model: m[1]!,
          stream: false,
          headers: req.headers,
          json: body,
        });
        const inner = (body.generateContentRequest as Json | undefined) ?? body;
        send(200, { totalTokens: lastUserText(inner).split(/\s+/).filter(Boolean).length });
        return;
      }
      const stream = m[2] === "streamGenerateContent";
      requests.push({
        method: req.method,
        path: u.pathname + u.search,
        model: m[1]!,
        stream,
        headers: req.headers,
        json: body,
      });
      const bad = invalidReason(body, m[1]!);
      if (bad !== undefined) {
        send(400, googleError(400, "INVALID_ARGUMENT", bad));
        return;
      }
      const s = queue.shift() ?? {};
      if (s.error !== undefined) {
        send(s.error.code, googleError(s.error.code, s.error.status, s.error.message));
        return;
      }
      const responseId = `resp-${++n}`;
      const modelVersion = m[1]!;
      const prompt = lastUserText(body).split(/\s+/).filter(Boolean).length;
      if (s.promptBlocked !== undefined) {
        const blocked: Json = {
          promptFeedback: {
            blockReason: s.promptBlocked,
            safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH" }],
          },
          usageMetadata: { promptTokenCount: prompt, totalTokenCount: prompt },
          modelVersion,
          responseId,
        };
        if (!stream) send(200, blocked);
        else {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.end(`data: ${JSON.stringify(blocked)}\r\n\r\n`);
        }
        return;
      }
      const parts = s.parts ?? [{ text: `echo: ${lastUserText(body)}` }];
      const outWords = parts.reduce(
        (k, p) => k + (typeof p.text === "string" ? p.text.split(/\s+/).filter(Boolean).length : 1),
        0,
      );
      const finishReason = s.finishReason ?? "STOP";
      const usage = usageMetadata(s.usage, prompt, outWords);
      if (!stream) {
        send(200, {
          candidates: [{ content: { parts, role: "model" }, finishReason, index: 0 }],
          usageMetadata: usage,
          modelVersion,
          responseId,
        });
        return;
      }
      // Text is streamed a few words per chunk; a functionCall part arrives whole.
      const slices: Json[][] = [];
      for (const p of parts) {
        if (typeof p.text === "string") {
          const words = p.text.match(/\S+\s*|\s+/g) ?? [""];
          for (let i = 0; i < words.length; i += 2)
            slices.push([{ ...p, text: words.slice(i, i + 2).join("") }]);
        } else slices.push([p]);
      }
      const events: string[] = slices.map((ps, i) => {
        const chunk: Json = { candidates: [{ content: { parts: ps, role: "model" }, index: 0 }] };
        if (i === slices.length - 1 && !s.truncate) {
          (chunk.candidates as Json[])[0]!.finishReason = finishReason;
          chunk.usageMetadata = usage;
        } else chunk.usageMetadata = { promptTokenCount: prompt, totalTokenCount: prompt };
        chunk.modelVersion = modelVersion;
        chunk.responseId = responseId;
        return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
      });
      res.writeHead(200, { "content-type": "text/event-stream" });
      const pieces = splitBytes(events.join(""), { every: s.every ?? 5 });
      writePieces(res, pieces);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (s) => queue.push(s),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
