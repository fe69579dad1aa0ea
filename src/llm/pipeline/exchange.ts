/**
 * The state of one pipeline request and the small writers every path shares: JSON and SSE
 * responses to the client, usage noted on the request record, dropped fields logged at
 * debug, and the client-abort signal handed to undici.
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { RequestRecord } from "../../http/record.js";
import type { SecretEcho } from "../../http/secret-echo.js";
import type { UpstreamTarget } from "../../runtime/upstream.js";
import type { IrFormat, IrStreamEvent, IrToolOrigin, IrUsage, WireEvent } from "../formats/index.js";
import type { ParsedRouteType } from "../route-types.js";
import { encodeSseEvent } from "../sse.js";
import type { ParsedBody } from "./body.js";
import type { PipelineContext } from "./context.js";
import { ClientAbort } from "./upstream-response.js";

export interface PipelineDeps {
  logger: Logger;
  /** The engine's connection pools (PoolCache), one dispatcher per upstream. */
  pools: { get(target: UpstreamTarget): Dispatcher };
  /** Clock in ms (created fields). */
  now?: () => number;
}

/** Fields the record will carry once record.ts declares them; written structurally until then. */
export interface RecordExtras {
  provider?: string;
  upstreamModel?: string;
  cachedInputTokens?: number;
  /**
   * Characters of output (text, reasoning, tool arguments) a stream has written so far; set
   * while streaming, so a stream that ends without usage is charged for what it delivered.
   */
  outputChars?: number;
}

/** The wire format a parsed route type's client speaks (its errors too). */
export function clientFormatOf(routeType: ParsedRouteType): IrFormat {
  switch (routeType) {
    case "messages":
    case "anthropicTokenCount":
      return "anthropic-messages";
    case "responses":
      return "openai-responses";
    case "generateContent":
    case "geminiCountTokens":
      return "gemini";
    default:
      return "openai-chat";
  }
}

export class Exchange {
  readonly ctx: PipelineContext;
  readonly deps: PipelineDeps;
  readonly body: ParsedBody;
  readonly clientFormat: IrFormat;
  readonly abort = new ClientAbort();
  readonly record: RequestRecord & RecordExtras;
  /** The managed key the current attempt sent, to be redacted from what the upstream answers. */
  echo: SecretEcho | undefined;
  /** The request-time credential headers the current attempt sent (a signature with its session token). */
  authorized: readonly string[] | undefined;
  /** Responses client: the tools its request renamed (namespaced, custom), named back in the answer. */
  toolOrigins: ReadonlyMap<string, IrToolOrigin> | undefined;

  constructor(ctx: PipelineContext, deps: PipelineDeps, body: ParsedBody) {
    this.ctx = ctx;
    this.deps = deps;
    this.body = body;
    this.clientFormat = clientFormatOf(ctx.routeType);
    this.record = ctx.record;
    const res = ctx.res;
    res.once("close", () => {
      if (!res.writableFinished) {
        this.record.error ??= "client_aborted";
        this.abort.fire();
      }
    });
  }

  get res(): ServerResponse {
    return this.ctx.res;
  }

  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  logDropped(stage: string, dropped: readonly string[]): void {
    if (dropped.length === 0) return;
    const log = this.deps.logger;
    if (!log.isLevelEnabled("debug")) return;
    log.debug({ requestId: this.ctx.requestId, stage, dropped }, "fields dropped in translation");
  }

  writeJson(status: number, text: string | Buffer, extra: Record<string, string> = {}): void {
    const echo = this.echo;
    const body =
      echo === undefined ? text : typeof text === "string" ? echo.redact(text) : echo.redactBytes(text);
    this.record.status = status;
    this.res.writeHead(status, {
      ...extra,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-agw-request-id": this.ctx.requestId,
    });
    this.res.end(body);
  }

  /**
   * Writes the SSE head; sends it now unless `flush` is false (the caller writes soon).
   * `upstream`: the upstream's own head to keep (a same-format stream read by the guards).
   */
  startSse(flush = true, upstream?: readonly string[]): void {
    this.record.status = 200;
    if (upstream !== undefined) this.res.writeHead(200, [...upstream]);
    else
      this.res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-agw-request-id": this.ctx.requestId,
      });
    if (flush) this.res.flushHeaders();
  }

  noteUsage(usage: IrUsage | undefined, model?: string): void {
    if (model !== undefined && model !== "") this.record.responseModel = model;
    if (usage === undefined) return;
    this.record.inputTokens = usage.inputTokens;
    this.record.outputTokens = usage.outputTokens;
    if (usage.cacheReadTokens !== undefined) this.record.cachedInputTokens = usage.cacheReadTokens;
    if (usage.cacheCreationTokens !== undefined) this.record.cacheWriteTokens = usage.cacheCreationTokens;
  }
}

/** Usage and model as they appear in a stream of IR events, and the output characters seen. */
export class StreamTracker {
  model: string | undefined;
  usage: IrUsage | undefined;
  failed = false;
  finished = false;
  private readonly sink: { outputChars?: number };

  /** `sink` (the request record) gets the running count of output characters. */
  constructor(sink: { outputChars?: number }) {
    this.sink = sink;
    sink.outputChars = 0;
  }

  /** Output characters of an event that passed without being decoded. */
  count(chars: number): void {
    this.sink.outputChars = (this.sink.outputChars ?? 0) + chars;
  }

  see(e: IrStreamEvent): void {
    switch (e.type) {
      case "text_delta":
        this.count(e.text.length);
        break;
      case "thinking_delta":
        this.count(e.thinking.length);
        break;
      case "tool_args_delta":
        this.count(e.json.length);
        break;
      case "message_start":
        this.model = e.model;
        if (e.usage !== undefined) this.usage = e.usage;
        break;
      case "message_delta":
        if (e.usage !== undefined) this.usage = mergeUsage(this.usage, e.usage);
        break;
      case "message_stop":
        this.finished = true;
        break;
      case "error":
        this.failed = true;
        break;
      default:
        break;
    }
  }
}

/** A later usage report wins, except that a zero input count keeps the earlier one (Anthropic). */
function mergeUsage(prev: IrUsage | undefined, next: IrUsage): IrUsage {
  if (prev === undefined || next.inputTokens !== 0) return next;
  return { ...next, inputTokens: prev.inputTokens, totalTokens: prev.inputTokens + next.outputTokens };
}

export function sseText(events: readonly WireEvent[]): string {
  let s = "";
  for (const e of events) s += encodeSseEvent(e);
  return s;
}

/** Writes with backpressure: resolves once the client can take more. */
export function writeChunk(res: ServerResponse, chunk: string | Uint8Array): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
