/**
 * The fault suite's setup: agw (llm form, real sockets, the real pipeline and router) in front
 * of one or two scriptable mock upstreams, with small timeouts so a hang or a drip fails fast,
 * every log line captured (secrets are searched there) and plain fetch/raw-socket clients.
 *
 * Model prefixes pick the path (the client format is the route's):
 *   oai-*  → openAI provider (same format for chat, translated for messages), managed key
 *   ant-*  → anthropic provider (same format for messages, translated for chat), caller key
 */
import net from "node:net";
import { compileConfig } from "../../src/config/compile.js";
import { formatDiagnostic } from "../../src/config/diagnostic.js";
import { loadConfigText } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { parseSseText, type SseEvent } from "../../src/llm/sse.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture } from "../server/engine-helpers.js";

export const MANAGED_KEY = "sk-fault-managed-7f3a9c";
export const CALLER_KEY = "sk-fault-caller-51be02";

export type ClientKind = "chat" | "messages" | "responses";
export type UpstreamKind = "oai" | "ant";

export interface Combo {
  client: ClientKind;
  upstream: UpstreamKind;
  stream: boolean;
  /** For test names: "chat→ant SSE (translated)". */
  label: string;
}

/** Every client format × upstream format × JSON/SSE. */
export function combos(): Combo[] {
  const out: Combo[] = [];
  for (const client of ["chat", "messages", "responses"] as const)
    for (const upstream of ["oai", "ant"] as const)
      for (const stream of [false, true]) {
        const same = (client !== "messages") === (upstream === "oai");
        out.push({
          client,
          upstream,
          stream,
          label: `${client}→${upstream} ${stream ? "SSE" : "JSON"} (${same ? "same format" : "translated"})`,
        });
      }
  return out;
}

export function loadYaml(text: string, env: Record<string, string>): Config {
  const loaded = loadConfigText(text, { file: "faults.yaml", env });
  if (!loaded.ok) throw new Error(loaded.errors.map((d) => formatDiagnostic(d)).join("\n"));
  return loaded.config;
}

export interface FaultGateway {
  mock: MockUpstream;
  gateway: Gateway;
  logs: LogCapture;
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface FaultOptions {
  /** Upstream headers timeout (policy requestTimeout), ms. */
  headersMs?: number;
  /** Upstream idle body timeout (policy streamIdleTimeout), ms. */
  idleMs?: number;
  maxBody?: string;
  /** Extra YAML appended under `config:`. */
  processYaml?: string;
  /** Extra YAML appended under `llm.policies:` (indented four spaces). */
  policiesYaml?: string;
}

export async function startFaultGateway(options: FaultOptions = {}): Promise<FaultGateway> {
  const mock = await startMockUpstream();
  const port = await freePort();
  const yaml = `
config:
  maxRequestBody: ${options.maxBody ?? "64KiB"}
${options.processYaml ?? ""}
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "oai-*"
      provider: openAI
      params: { apiKey: "${MANAGED_KEY}", model: gpt-upstream, baseUrl: "${mock.url}/v1" }
    - name: "ant-*"
      provider: anthropic
      params: { model: claude-upstream, baseUrl: "${mock.url}/v1" }
    - name: "*"
      provider: openAI
      params: { baseUrl: "${mock.url}/v1" }
  policies:
    timeout: { requestTimeout: ${options.headersMs ?? 400}ms, streamIdleTimeout: ${options.idleMs ?? 400}ms }
${options.policiesYaml ?? ""}
`;
  const config = loadYaml(yaml, {});
  const logs = captureLogs();
  const runtime = compileConfig(config, { env: {} });
  const gateway = await startGateway({ runtime, logger: logs.logger });
  return {
    mock,
    gateway,
    logs,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.drain(500);
      await mock.close();
    },
  };
}

export function pathOf(client: ClientKind): string {
  return client === "chat"
    ? "/v1/chat/completions"
    : client === "messages"
      ? "/v1/messages"
      : "/v1/responses";
}

export function bodyOf(client: ClientKind, model: string, stream: boolean, text = "hello there"): string {
  if (client === "responses") return JSON.stringify({ model, stream, input: text, max_output_tokens: 20 });
  return JSON.stringify(
    client === "chat"
      ? { model, stream, messages: [{ role: "user", content: text }] }
      : { model, stream, max_tokens: 20, messages: [{ role: "user", content: text }] },
  );
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body read failed (connection cut); what arrived before is in text. */
  cut: boolean;
}

/** POST with fetch; reads the whole body, noting a cut instead of throwing. */
export async function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${CALLER_KEY}`, ...headers },
    body,
  });
  const reader = res.body?.getReader();
  const dec = new TextDecoder();
  let text = "";
  let cut = false;
  if (reader !== undefined) {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        text += dec.decode(r.value, { stream: true });
      }
    } catch {
      cut = true;
    }
  }
  return { status: res.status, headers: res.headers, text, cut };
}

export function call(g: FaultGateway, c: Combo, text?: string): Promise<Answer> {
  const model = c.upstream === "oai" ? "oai-x" : "ant-x";
  return post(g.url, pathOf(c.client), bodyOf(c.client, model, c.stream, text));
}

export function sseEvents(text: string): SseEvent[] {
  return parseSseText(text);
}

/** The error event of a client-format stream, if it ended with one. */
export function streamError(c: ClientKind, text: string): Record<string, unknown> | undefined {
  const events = sseEvents(text);
  for (const e of events) {
    if (c !== "chat" && e.event === "error") return JSON.parse(e.data) as Record<string, unknown>;
    if (c === "chat" && e.data !== "[DONE]") {
      let j: Record<string, unknown>;
      try {
        j = JSON.parse(e.data) as Record<string, unknown>;
      } catch {
        continue; // a malformed upstream event passed through as sent
      }
      if (j.error !== undefined) return j;
    }
  }
  return undefined;
}

/** Whether a client-format stream ended cleanly ([DONE] / message_stop). */
export function endedCleanly(c: ClientKind, text: string): boolean {
  const events = sseEvents(text);
  const last = events[events.length - 1];
  if (last === undefined) return false;
  if (c === "responses") return last.event === "response.completed";
  return c === "chat" ? last.data === "[DONE]" : last.event === "message_stop";
}

/** The error envelope the client expects, with its message. */
export function expectEnvelope(c: ClientKind, text: string): { message: string; type: string } {
  const j = JSON.parse(text) as Record<string, unknown>;
  if (c !== "messages") {
    const e = j.error as { message?: unknown; type?: unknown } | undefined;
    if (e === undefined || typeof e.message !== "string") throw new Error(`not an OpenAI error: ${text}`);
    return { message: e.message, type: String(e.type) };
  }
  const e = j.error as { message?: unknown; type?: unknown } | undefined;
  if (j.type !== "error" || e === undefined || typeof e.message !== "string")
    throw new Error(`not an Anthropic error: ${text}`);
  return { message: e.message, type: String(e.type) };
}

/** A normal request still succeeds (the gateway keeps serving after a fault). */
export async function stillServes(g: FaultGateway, c: Combo): Promise<void> {
  g.mock.reset();
  const r = await call(g, c, "still alive");
  // Streams split the echo into word deltas.
  if (r.status !== 200 || r.cut || !r.text.includes("alive"))
    throw new Error(`the gateway stopped serving: ${r.status} ${r.text.slice(0, 200)}`);
  if (c.stream && !endedCleanly(c.client, r.text))
    throw new Error("the follow-up stream did not end cleanly");
}

/** Resolves when `p` settles, or rejects after `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (bounded) until `pred` holds, polling on each macrotask turn. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RawAnswer {
  /** Everything the server wrote before closing (or before `ms`). */
  text: string;
  /** The server closed the connection. */
  closed: boolean;
  ms: number;
}

/** Writes raw bytes on a fresh socket and collects what comes back until close or `ms`. */
export function rawExchange(port: number, parts: Array<string | Buffer>, ms = 2000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const start = Date.now();
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed, ms: Date.now() - start });
    };
    const timer = setTimeout(() => finish(false), ms);
    s.on("data", (d: Buffer) => {
      text += d.toString("latin1");
    });
    s.on("close", () => finish(true));
    s.on("error", () => finish(true));
    s.on("connect", () => {
      for (const p of parts) s.write(p);
    });
  });
}
