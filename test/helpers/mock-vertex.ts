/**
 * A loopback mock of Vertex AI's publisher-model endpoints, written from Google's and
 * Anthropic's API references (independently of src/). Under
 * `/v1/projects/{project}/locations/{region}/publishers/`:
 * - `google/models/{model}:generateContent`, `:streamGenerateContent?alt=sse` and `:countTokens` are answered by
 *   the Gemini mock (mock-gemini.ts), which this server forwards to;
 * - `anthropic/models/{model}:rawPredict` answers an Anthropic Messages body, and
 *   `:streamRawPredict` Anthropic's SSE events, split every few bytes. The body must carry
 *   `anthropic_version: "vertex-2023-10-16"` and no `model` (it is in the URL), as Vertex insists.
 * Auth as Google checks it: `Authorization: Bearer <access token>` of an accepted token, else 401
 * UNAUTHENTICATED in Google's `{error: {code, message, status}}` envelope; another project is 403.
 *
 * ```ts
 * const v = await startMockVertex({ project: "p", region: "us-east5", tokens: () => oauth.issued });
 * v.requests[0]; // { path, model, publisher, stream, headers, json }
 * ```
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type MockGemini, startMockGemini } from "./mock-gemini.js";
import { splitBytes, writePieces } from "./sse-chunks.js";

type Json = Record<string, unknown>;

export interface VertexRequest {
  path: string;
  publisher: string;
  model: string;
  stream: boolean;
  headers: http.IncomingHttpHeaders;
  json: Json;
}

export interface MockVertex {
  url: string;
  requests: VertexRequest[];
  gemini: MockGemini;
  close(): Promise<void>;
}

const PATH =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;
const GEMINI_KEY = "internal-gemini-key";

function googleError(code: number, status: string, message: string): Json {
  return { error: { code, message, status } };
}

function anthropicError(type: string, message: string): Json {
  return { type: "error", error: { type, message } };
}

function lastUserText(body: Json): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content))
      for (const b of m.content as Json[]) if (b.type === "text" && typeof b.text === "string") return b.text;
  }
  return "";
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export async function startMockVertex(opts: {
  project: string;
  region: string;
  /** The access tokens Google would accept right now. */
  tokens: () => readonly string[];
}): Promise<MockVertex> {
  const gemini = await startMockGemini({ key: GEMINI_KEY });
  const requests: VertexRequest[] = [];
  let n = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const send = (status: number, body: Json): void => {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(body));
      };
      const m = PATH.exec(u.pathname);
      if (req.method !== "POST" || m === null) {
        send(404, googleError(404, "NOT_FOUND", `The requested URL ${u.pathname} was not found.`));
        return;
      }
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
      if (auth === null || !opts.tokens().includes(auth[1]!)) {
        send(
          401,
          googleError(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
          ),
        );
        return;
      }
      const [, project, region, publisher, model, method] = m as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (project !== opts.project || region !== opts.region) {
        send(
          403,
          googleError(
            403,
            "PERMISSION_DENIED",
            `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${region}/publishers/${publisher}/models/${model}'.`,
          ),
        );
        return;
      }
      let json: Json;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
      } catch {
        send(400, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
        return;
      }
      const googleMethods = ["generateContent", "streamGenerateContent", "countTokens"];
      const anthropicMethods = ["rawPredict", "streamRawPredict"];
      if (!(publisher === "google" ? googleMethods : anthropicMethods).includes(method)) {
        send(404, googleError(404, "NOT_FOUND", `Method ${method} not found for publisher ${publisher}.`));
        return;
      }
      const stream = method.startsWith("stream");
      if (stream && publisher === "google" && u.searchParams.get("alt") !== "sse") {
        // Without alt=sse Vertex streams a JSON array, not SSE: agw must ask for SSE.
        send(400, googleError(400, "INVALID_ARGUMENT", "this mock only serves alt=sse streams"));
        return;
      }
      requests.push({ path: u.pathname + u.search, publisher, model, stream, headers: req.headers, json });
      if (publisher === "google") {
        const up = http.request(
          `${gemini.url}/v1beta/models/${model}:${method}${u.search}`,
          { method: "POST", headers: { "content-type": "application/json", "x-goog-api-key": GEMINI_KEY } },
          (r) => {
            res.writeHead(r.statusCode ?? 502, { "content-type": r.headers["content-type"] ?? "" });
            r.pipe(res);
          },
        );
        up.end(JSON.stringify(json));
        return;
      }
      if (json.anthropic_version !== "vertex-2023-10-16") {
        send(
          400,
          anthropicError("invalid_request_error", "anthropic_version: Input should be 'vertex-2023-10-16'"),
        );
        return;
      }
      if (json.model !== undefined) {
        send(400, anthropicError("invalid_request_error", "model: Extra inputs are not permitted"));
        return;
      }
      if (typeof json.max_tokens !== "number" || !Array.isArray(json.messages)) {
        send(400, anthropicError("invalid_request_error", "max_tokens: Field required"));
        return;
      }
      const id = `msg_vrtx_${++n}`;
      const text = `echo: ${lastUserText(json)}`;
      const usage = { input_tokens: words(lastUserText(json)), output_tokens: words(text) };
      if (json.stream !== true) {
        send(200, {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [{ type: "text", text }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage,
        });
        return;
      }
      const ev = (event: string, data: Json) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      const pieces = text.match(/\S+\s*/g) ?? [text];
      const events = [
        ev("message_start", {
          type: "message_start",
          message: {
            id,
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
          },
        }),
        ev("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "text", text: "" },
        }),
        ev("ping", { type: "ping" }),
        ...pieces.map((p) =>
          ev("content_block_delta", {
            type: "content_block_delta",
            index: 0,
            delta: { type: "text_delta", text: p },
          }),
        ),
        ev("content_block_stop", { type: "content_block_stop", index: 0 }),
        ev("message_delta", {
          type: "message_delta",
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { output_tokens: usage.output_tokens },
        }),
        ev("message_stop", { type: "message_stop" }),
      ];
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
      const parts = splitBytes(events.join(""), { every: 7 });
      writePieces(res, parts);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    gemini,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await gemini.close();
    },
  };
}
