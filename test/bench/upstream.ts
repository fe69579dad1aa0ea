/**
 * The bench's upstream: a standalone process that answers like OpenAI and Anthropic with
 * fixed bodies, as fast as node:http allows, so the figures measure the proxy, not the mock.
 * Bodies are built once at start from the test wire builders (written from the API references).
 *
 *   node --import tsx test/bench/upstream.ts --port 0 [--gate-ms 10]
 *
 * Prints `listening <port>` on stdout once it accepts connections.
 *
 * By path suffix: POST …/chat/completions (OpenAI chat), …/messages (Anthropic Messages), JSON
 * or SSE as the body's `"stream":true` says; any other path answers a fixed OpenAI moderation
 * object (the opaque passthrough scenario). A body containing `bench-gate` gets a gated stream:
 * the headers and first event go out at once (stamped with `x-bench-t0`, this process's
 * monotonic clock in ns, which on Linux is the same clock in every process of the machine),
 * the rest after `--gate-ms`. A proxy that buffered the stream would show the gate in its
 * time to first byte. Every answer carries `x-bench-credential` (see credentialSeen).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { anthropicMessage, anthropicStreamEvents } from "../helpers/wire/anthropic-messages.js";
import { makeWireContext, resolveReply } from "../helpers/wire/context.js";
import { chatCompletion, chatStreamEvents } from "../helpers/wire/openai-chat.js";
import { renderSseEvent } from "../helpers/wire/sse.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "gate-ms": { type: "string", default: "10" },
  },
});
const gateMs = Number(values["gate-ms"]);

const ctx = makeWireContext({ seed: "bench" });
// Realistic sizes: a ~60-word answer (about 1 KiB of JSON), a ~16-token stream (~20 events).
const LONG =
  "Benchmarks measure what a gateway costs per request. This answer is long enough to look like a real completion: a few sentences of plain text, with punctuation, numbers like 42 and 3.14, and no surprises. The gateway should pass it along without touching more than it needs to, and the client should not notice it was there at all.";
const SHORT = "Streaming answers arrive a few words at a time, each in its own event, until the end.";
const usage = { input: 24, output: 60 };
const openaiReply = resolveReply({ text: LONG, usage }, ctx, {
  model: "gpt-bench",
  inputTokens: 24,
  toolIdPrefix: "call_",
});
const openaiStreamReply = resolveReply({ text: SHORT, usage: { input: 24, output: 16 } }, ctx, {
  model: "gpt-bench",
  inputTokens: 24,
  toolIdPrefix: "call_",
});
const anthropicReply = resolveReply({ text: LONG, usage }, ctx, {
  model: "claude-bench",
  inputTokens: 24,
  toolIdPrefix: "toolu_",
});
const anthropicStreamReply = resolveReply({ text: SHORT, usage: { input: 24, output: 16 } }, ctx, {
  model: "claude-bench",
  inputTokens: 24,
  toolIdPrefix: "toolu_",
});

// OpenAI pretty-prints its JSON bodies; Anthropic sends them compact.
const CHAT_JSON = Buffer.from(JSON.stringify(chatCompletion(openaiReply, ctx), null, 2));
const CHAT_SSE = chatStreamEvents(openaiStreamReply, ctx, { includeUsage: true }).map((e) =>
  Buffer.from(renderSseEvent(e)),
);
const MESSAGES_JSON = Buffer.from(JSON.stringify(anthropicMessage(anthropicReply, ctx)));
const MESSAGES_SSE = anthropicStreamEvents(anthropicStreamReply, ctx).map((e) =>
  Buffer.from(renderSseEvent(e)),
);
const MODERATION_JSON = Buffer.from(
  JSON.stringify(
    {
      id: "modr-bench",
      model: "omni-moderation-latest",
      results: [{ flagged: false, categories: { harassment: false, violence: false }, category_scores: {} }],
    },
    null,
    2,
  ),
);

const OPENAI_HEADERS = {
  "x-request-id": "req_bench",
  "openai-processing-ms": "1",
  "openai-version": "2020-10-01",
};
const ANTHROPIC_HEADERS = { "request-id": "req_bench" };
const JSON_TYPE = "application/json";
const SSE_TYPE = "text/event-stream; charset=utf-8";

function sendJson(res: http.ServerResponse, base: Record<string, string>, body: Buffer): void {
  res.writeHead(200, { ...base, "content-type": JSON_TYPE, "content-length": String(body.byteLength) });
  res.end(body);
}

/** Every event is its own write, as a provider sends them (here without pauses between). */
function sendSse(res: http.ServerResponse, base: Record<string, string>, events: readonly Buffer[]): void {
  res.writeHead(200, { ...base, "content-type": SSE_TYPE, "cache-control": "no-cache" });
  for (const e of events) res.write(e);
  res.end();
}

function sendGated(res: http.ServerResponse, base: Record<string, string>, events: readonly Buffer[]): void {
  const t0 = process.hrtime.bigint();
  res.writeHead(200, {
    ...base,
    "content-type": SSE_TYPE,
    "cache-control": "no-cache",
    "x-bench-t0": String(t0),
  });
  res.write(events[0]!);
  const timer = setTimeout(() => {
    for (let i = 1; i < events.length; i++) res.write(events[i]!);
    res.end();
  }, gateMs);
  res.once("close", () => clearTimeout(timer));
}

/**
 * Which bench credential reached the upstream: the managed key agw adds on managed routes, the
 * caller's key on passthrough, or none. Sent back as `x-bench-credential` so the runner's probe
 * can show that the managed route really is managed.
 */
function credentialSeen(req: http.IncomingMessage): string {
  const v = `${req.headers.authorization ?? ""} ${req.headers["x-api-key"] ?? ""}`;
  return v.includes("bench-managed-key") ? "managed" : v.includes("bench-caller-key") ? "caller" : "none";
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  res.setHeader("x-bench-credential", credentialSeen(req));
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const stream = body.includes('"stream":true');
    const gated = body.includes("bench-gate");
    if (path.endsWith("/chat/completions")) {
      if (gated) sendGated(res, OPENAI_HEADERS, CHAT_SSE);
      else if (stream) sendSse(res, OPENAI_HEADERS, CHAT_SSE);
      else sendJson(res, OPENAI_HEADERS, CHAT_JSON);
    } else if (path.endsWith("/messages")) {
      if (gated) sendGated(res, ANTHROPIC_HEADERS, MESSAGES_SSE);
      else if (stream) sendSse(res, ANTHROPIC_HEADERS, MESSAGES_SSE);
      else sendJson(res, ANTHROPIC_HEADERS, MESSAGES_JSON);
    } else {
      sendJson(res, OPENAI_HEADERS, MODERATION_JSON);
    }
  });
});
server.headersTimeout = 30_000;
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
