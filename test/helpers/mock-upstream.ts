/**
 * A scriptable stand-in for OpenAI and Anthropic: a real node:http server on 127.0.0.1:0 that
 * answers in each API's wire format (JSON or SSE), records every request, and can be told to
 * misbehave (errors, awkward chunking, gated streams, resets, hangs). agw's tests point a
 * provider base URL at it.
 *
 * Default behaviour by path suffix (with or without `/v1`): POST /chat/completions,
 * /responses, /embeddings, /messages, /messages/count_tokens; GET /models (Anthropic's list
 * shape when the request has `anthropic-version`); anything else is a 404 in the OpenAI
 * envelope. Default text is `echo: <last user text>`; token counts are word counts.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { createGate, type GateControl, type GateDriver } from "./mock-gate.js";
import { splitBytes } from "./sse-chunks.js";
import { makeWireContext } from "./wire/context.js";
import { DEFAULT_MODEL_IDS } from "./wire/openai-misc.js";
import { type BodyScript, type PlannedResponse, renderResponse } from "./wire/render.js";

export type { GateControl } from "./mock-gate.js";
export type { ReplySpec, SseEvent, ToolCallSpec, UsageSpec } from "./wire/types.js";

export type Fault =
  /** Reset the connection as soon as the request head is seen (before the body is read). A true
   * ECONNREFUSED needs a closed port: use `closeListener()` or `refusedUrl()`. */
  | "refuse"
  | "resetBeforeHeaders"
  | "resetAfterHeaders"
  | { resetAfterBytes: number }
  /** Read the request, never answer; ends when the client gives up or the mock closes. */
  | "hang"
  /** Send the body one byte (or one `chunking` piece) at a time, `dripMs` apart. */
  | { dripMs: number };

export interface Script extends BodyScript {
  /** Re-split the body: every N bytes and/or at byte offsets; `delayMs` between pieces. */
  chunking?: { every?: number; at?: number[]; delayMs?: number };
  /** Pause after each body piece until the request's gate is released. */
  gate?: boolean;
  fault?: Fault;
  /** Wait before sending headers. */
  delayMs?: number;
}

export type ScriptInput = Script | ((req: RecordedRequest) => Script);

export interface RecordedRequest {
  /** Position in `requests`. */
  index: number;
  method: string;
  /** Path with query, as received. */
  path: string;
  pathname: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
  receivedAt: number;
  /** The client closed the connection before the response finished. */
  aborted: boolean;
  /** Set once the response has been fully written. */
  completed: boolean;
  /** Resolves when the exchange is over (completed, aborted or reset by a fault). */
  finished: Promise<void>;
  /** Present when the script had `gate: true`. */
  gate: GateControl | undefined;
}

export interface ScriptHandle {
  /** The request that consumed this script. */
  request: Promise<RecordedRequest>;
  /** The gate used if the script is gated. */
  gate: GateControl;
}

export interface MockUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Each call returns the next request not yet returned by an earlier call (waits if needed). */
  nextRequest(): Promise<RecordedRequest>;
  /** One-shot scripts, consumed in FIFO order by the following requests. */
  script(s: ScriptInput): ScriptHandle;
  /** Behaviour for requests when no one-shot script is queued; undefined restores the default. */
  always(s: ScriptInput | undefined): void;
  reset(): void;
  /**
   * Stop accepting connections: new ones get ECONNREFUSED. Busy sockets keep working; Node closes
   * idle keep-alive sockets, so a pooled client may first see a socket error on a stale one.
   */
  closeListener(): Promise<void>;
  /** Listen again on the same port. */
  reopenListener(): Promise<void>;
  close(): Promise<void>;
}

export interface MockUpstreamOptions {
  /** Ids served by GET /models. */
  models?: string[];
  /** Unix seconds used for `created` fields. */
  created?: number;
}

interface QueueEntry {
  input: ScriptInput;
  gate: GateDriver;
  resolveRequest: (r: RecordedRequest) => void;
}

export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const ctx = makeWireContext({ created: options.created });
  const models = options.models ?? DEFAULT_MODEL_IDS;
  const requests: RecordedRequest[] = [];
  let queue: QueueEntry[] = [];
  let fallback: ScriptInput | undefined;
  let cursor = 0;
  let waiters: { index: number; resolve: (r: RecordedRequest) => void }[] = [];
  let requestCounter = 0;
  const closing = new AbortController();
  const closed = new Promise<void>((r) =>
    closing.signal.addEventListener("abort", () => r(), { once: true }),
  );
  const sockets = new Set<Socket>();

  const record = (r: RecordedRequest) => {
    requests.push(r);
    for (const w of waiters.filter((x) => x.index === r.index)) w.resolve(r);
    waiters = waiters.filter((x) => x.index !== r.index);
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A throwing script is a bug in the test: say so loudly instead of resetting silently.
      if (res.headersSent) return void req.socket.destroy();
      res.writeHead(500, { "content-type": "text/plain", "x-mock-error": "script-threw" });
      res.end(`mock upstream: script threw: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const entry = queue.shift();
    const input = entry?.input ?? fallback ?? {};
    const gate = entry?.gate ?? createGate();
    const url = req.url ?? "/";
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    let resetByMock = false;
    let resolveFinished!: () => void;
    const rec: RecordedRequest = {
      index: requests.length,
      method: req.method ?? "GET",
      path: url,
      pathname: url.split("?")[0] ?? url,
      headers,
      body: Buffer.alloc(0),
      text: "",
      json: undefined,
      receivedAt: Date.now(),
      aborted: false,
      completed: false,
      finished: new Promise<void>((r) => {
        resolveFinished = r;
      }),
      gate: undefined,
    };
    const ended = new Promise<void>((resolve) => {
      res.on("close", () => {
        if (!res.writableFinished && !resetByMock) rec.aborted = true;
        rec.completed = res.writableFinished;
        gate.finish();
        resolveFinished();
        resolve();
      });
    });
    const stop = Promise.race([ended, closed]);
    const reset = () => {
      resetByMock = true;
      req.socket.resetAndDestroy();
    };

    if (typeof input !== "function" && input.fault === "refuse") {
      record(rec);
      entry?.resolveRequest(rec);
      reset();
      return;
    }

    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    const bodyRead = await Promise.race([once(req, "end").then(() => true), stop.then(() => false)]).catch(
      () => false,
    );
    rec.body = Buffer.concat(chunks);
    rec.text = rec.body.toString("utf8");
    rec.json = parseJson(rec.text);
    if (!bodyRead) rec.aborted = !resetByMock;
    record(rec);
    entry?.resolveRequest(rec);
    if (!bodyRead) return;

    const script = typeof input === "function" ? input(rec) : input;
    if (script.gate === true) rec.gate = gate;
    if (script.delayMs !== undefined && !(await pause(script.delayMs, stop))) return;

    const fault = script.fault;
    if (fault === "refuse" || fault === "resetBeforeHeaders") return reset();
    if (fault === "hang") return void (await stop);

    requestCounter += 1;
    const planned: PlannedResponse = renderResponse(
      {
        method: rec.method,
        pathname: rec.pathname,
        headers,
        json: rec.json,
        requestId: `req_mock${String(requestCounter).padStart(6, "0")}`,
        models,
        ctx,
      },
      script,
    );
    const body = Buffer.concat(planned.pieces);
    const outHeaders: Record<string, string> = { ...planned.headers };
    if (!planned.streaming && !("content-length" in outHeaders) && !("transfer-encoding" in outHeaders)) {
      outHeaders["content-length"] = String(body.length);
    }
    res.writeHead(planned.status, outHeaders);

    if (fault === "resetAfterHeaders") {
      res.flushHeaders();
      await flushSocket(req.socket);
      return reset();
    }

    const drip = typeof fault === "object" && "dripMs" in fault ? fault.dripMs : undefined;
    let pieces = planned.pieces.filter((p) => p.length > 0);
    if (script.chunking?.every !== undefined || script.chunking?.at !== undefined) {
      pieces = splitBytes(body, { every: script.chunking.every, at: script.chunking.at });
    } else if (drip !== undefined) {
      pieces = splitBytes(body, { every: 1 });
    }
    const limit = typeof fault === "object" && "resetAfterBytes" in fault ? fault.resetAfterBytes : undefined;
    if (limit !== undefined) pieces = truncate(pieces, limit);
    const gap = drip ?? script.chunking?.delayMs;

    gate.start(pieces.length);
    for (let i = 0; i < pieces.length; i++) {
      if (!(await write(res, pieces[i]!, stop))) return;
      gate.markSent(i + 1);
      if (i === pieces.length - 1) break;
      if (script.gate === true && !(await gate.waitPermit(stop))) return;
      if (gap !== undefined ? !(await pause(gap, stop)) : !(await pause(0, stop))) return;
    }
    if (limit !== undefined) {
      await flushSocket(req.socket);
      return reset();
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    nextRequest() {
      const index = cursor++;
      const have = requests[index];
      if (have) return Promise.resolve(have);
      return new Promise((resolve) => waiters.push({ index, resolve }));
    },
    script(s) {
      const gate = createGate();
      let resolveRequest!: (r: RecordedRequest) => void;
      const request = new Promise<RecordedRequest>((r) => {
        resolveRequest = r;
      });
      queue.push({ input: s, gate, resolveRequest });
      return { request, gate };
    },
    always(s) {
      fallback = s;
    },
    reset() {
      requests.length = 0;
      queue = [];
      fallback = undefined;
      waiters = waiters.map((w, i) => ({ index: i, resolve: w.resolve }));
      cursor = waiters.length;
    },
    async closeListener() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        // server.close only calls back when every connection is gone; stop listening is enough here.
        server.close();
        server.once("close", resolve);
        if (!server.listening) resolve();
      });
    },
    async reopenListener() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
    },
    async close() {
      closing.abort();
      const done = server.listening
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}

/** An http URL on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function truncate(pieces: Buffer[], limit: number): Buffer[] {
  const out: Buffer[] = [];
  let left = limit;
  for (const p of pieces) {
    if (left <= 0) break;
    out.push(p.subarray(0, left));
    left -= Math.min(left, p.length);
  }
  return out;
}

/** Waits `ms` (0 = one event-loop turn, so separate writes reach the peer as separate reads); false if stopped. */
async function pause(ms: number, stop: Promise<void>): Promise<boolean> {
  const ac = new AbortController();
  const timer = ms === 0 ? nextTurn(true, { signal: ac.signal }) : sleep(ms, true, { signal: ac.signal });
  const woke = await Promise.race([timer.catch(() => false), stop.then(() => false)]);
  ac.abort();
  return woke;
}

/** Resolves true once the piece is handed to the kernel; false if the exchange ended first. */
function write(res: http.ServerResponse, piece: Buffer, stop: Promise<void>): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return Promise.race([
    new Promise<boolean>((resolve) => res.write(piece, (err) => resolve(err == null))),
    stop.then(() => false),
  ]);
}

/** Resolves when everything written so far on the socket has been flushed. */
function flushSocket(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.write("", () => resolve()));
}
