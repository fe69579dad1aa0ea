/**
 * The opaque streaming proxy: bytes in, bytes out. The request body streams to the upstream
 * as it arrives and the response streams back chunk by chunk, both with backpressure (no
 * buffering; any size). Hop-by-hop headers are dropped both ways, Host is rewritten,
 * X-Forwarded-For/-Proto are added, the gateway's own credential header never leaves, and
 * the backend credential is applied. A client that goes away aborts the upstream request.
 * The one exception to streaming: an error answer (status >= 400) to a request that carried
 * the managed credential is read whole (bounded) and checked for an echo of it first
 * (echo-free-answer.ts).
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { GatewayError } from "../errors.js";
import {
  type Answer,
  ERROR_BODY_MAX,
  echoFreeAnswer,
  type WithheldReason,
  withheldBody,
} from "../http/echo-free-answer.js";
import { buildRequestHeaders, decodeRawHead, headValue, responseHead } from "../http/forward-headers.js";
import { declaredLength, readDeclaredBody } from "../http/read-body.js";
import type { RequestRecord } from "../http/record.js";
import { SecretEcho } from "../http/secret-echo.js";
import { upstreamError } from "../http/upstream-failure.js";
import { upstreamPath } from "../http/upstream-target.js";
import type { ProviderSpec } from "../llm/providers/spec.js";
import type { BackendAuthRuntime } from "../runtime/snapshot.js";
import type { UpstreamTarget } from "../runtime/upstream.js";
import { requestModelSniffer, responseUsageSniffer, type Sniffer } from "./detect.js";

export interface ProxyCall {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  record: RequestRecord;
  dispatcher: Dispatcher;
  target: UpstreamTarget;
  /** The path and query as received (req.url). */
  url: string;
  /** Index of "?" in url, or -1. */
  queryIndex: number;
  auth: BackendAuthRuntime;
  /** How a key is sent; Bearer when absent (host backends). */
  provider: ProviderSpec | undefined;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Record model and usage while streaming. */
  detect: boolean;
  /** A body already read (by the pipeline seam); the request stream otherwise. */
  body?: Uint8Array;
  /** The route's requestHeaderModifier over the final upstream header list. */
  editHeaders?: (flat: string[]) => string[];
}

function hasRequestBody(h: IncomingHttpHeaders): boolean {
  return (
    (h["content-length"] !== undefined && h["content-length"] !== "0") || h["transfer-encoding"] !== undefined
  );
}

/**
 * Request bodies up to this declared length are read whole before the upstream call: one
 * buffer handed to undici costs ~14 µs/request less than undici pulling from the request
 * stream (profiled). Larger or unannounced (chunked) bodies still stream, with backpressure.
 */
const BUFFERED_BODY_MAX = 64 * 1024;

/** The declared length when the body is small enough to buffer, else -1. */
function smallBodyLength(req: IncomingMessage): number {
  const n = declaredLength(req);
  return n > 0 && n <= BUFFERED_BODY_MAX ? n : -1;
}

/** Reads the request stream for undici while a sniffer sees each chunk (pull-based: backpressure holds). */
async function* teeBody(req: IncomingMessage, sniffer: Sniffer): AsyncGenerator<Uint8Array> {
  for await (const chunk of req) {
    const c = chunk as Uint8Array;
    sniffer.push(c);
    yield c;
  }
  sniffer.end();
}

/**
 * One upstream exchange, driven by undici's dispatch handler: the answer is written to the
 * client from the handler's callbacks, with backpressure (a full client socket pauses the
 * upstream parser until it drains). This replaces `request()` + `pipe()`: no body Readable,
 * no AsyncResource and no stream piping per request, which was ~15% of an opaque
 * passthrough's CPU (measured with `npm run bench`, A/B in one run). It implements undici 7's
 * original handler methods (onConnect/onHeaders/onData/onComplete/onError), which its
 * clients call directly; the newer controller methods go through an adapter that parses
 * the head into an object first, another ~6% (measured the same way).
 */
class OpaqueExchange implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  /** The client left before undici started the request: abort as soon as it does. */
  private clientGone = false;
  private sniffer: Sniffer | undefined;
  private headPending = false;
  private settled = false;
  /** An answer of known length: its latest chunk, written at the next microtask or with the end. */
  private sized = false;
  /** Set only while a flush is queued: the microtask that writes it clears it. */
  private held: Buffer | undefined;
  /** A write of a held chunk filled the socket: the next chunk pauses the upstream. */
  private full = false;
  private drainAwaited = false;
  private readonly resumeOnDrain = (): void => {
    this.full = false;
    this.drainAwaited = false;
    this.resumeUpstream?.();
  };
  /** An error answer read whole before it is forwarded (the managed key was sent). */
  private checked:
    | { status: number; head: string[]; echo: SecretEcho; chunks: Buffer[]; size: number; answered: boolean }
    | undefined;
  private readonly flushHeld = (): void => {
    const chunk = this.held;
    if (chunk === undefined) return;
    this.held = undefined;
    const res = this.call.res;
    if (!res.destroyed && !res.write(chunk)) {
      this.full = true;
      this.awaitDrain(res);
    }
  };

  private awaitDrain(res: ServerResponse): void {
    if (this.drainAwaited) return;
    this.drainAwaited = true;
    res.once("drain", this.resumeOnDrain);
  }

  constructor(
    private readonly call: ProxyCall,
    private readonly resolve: () => void,
    private readonly reject: (err: GatewayError) => void,
  ) {}

  /**
   * The client's response closed: after the answer went out, or early (the client left or
   * the answer was cut). An early close aborts the upstream request.
   */
  readonly onClientClose = (): void => {
    const { res, record } = this.call;
    if (!res.writableFinished) {
      record.error ??= "client_aborted";
      this.clientGone = true;
      this.abortUpstream?.(new Error("client closed"));
    }
    this.settle();
  };

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort(new Error("client closed"));
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final head follows
    this.resumeUpstream = resume;
    const { res, record, requestId, detect } = this.call;
    record.status = statusCode;
    const head = decodeRawHead(raw);
    const echo = statusCode >= 400 ? SecretEcho.of([this.call.auth?.key]) : undefined;
    if (echo !== undefined) {
      const out = responseHead(head, requestId);
      this.checked = { status: statusCode, head: out, echo, chunks: [], size: 0, answered: false };
      return true;
    }
    res.writeHead(statusCode, responseHead(head, requestId));
    // A streamed answer (no length) must show its head now, not with the first chunk, unless
    // that chunk arrives in the same read (undici calls onResponseData before any microtask
    // runs): then both leave in one socket write.
    this.sized = headValue(head, "content-length") !== undefined;
    if (!this.sized) {
      this.headPending = true;
      queueMicrotask(() => {
        if (this.headPending && !res.headersSent && !res.destroyed) res.flushHeaders();
        this.headPending = false;
      });
    }
    if (detect) {
      this.sniffer = responseUsageSniffer(
        record,
        headValue(head, "content-type"),
        headValue(head, "content-encoding"),
      );
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const checked = this.checked;
    if (checked !== undefined) {
      if (checked.answered) return true;
      checked.size += chunk.byteLength;
      checked.chunks.push(chunk);
      if (checked.size > ERROR_BODY_MAX) {
        this.writeChecked("too_large");
        this.abortUpstream?.(new Error("error answer too large to check"));
      }
      return true;
    }
    this.headPending = false;
    this.sniffer?.push(chunk);
    const res = this.call.res;
    if (this.sized) {
      // Held for a moment: when the end follows in the same read (a small answer), head, body
      // and end leave in one res.end, without a write, its cork and the tick that uncorks it.
      const previous = this.held;
      this.held = chunk;
      // A chunk already held means its flush is queued; it will write this one instead.
      if (previous === undefined) queueMicrotask(this.flushHeld);
      if (previous !== undefined && !res.write(previous) && !res.destroyed) this.full = true;
      if (this.full && !res.destroyed) {
        this.awaitDrain(res);
        return false;
      }
      return true;
    }
    if (!res.write(chunk) && !res.destroyed) {
      this.awaitDrain(res);
      return false;
    }
    return true;
  }

  onComplete(): void {
    const { res, record } = this.call;
    record.upstreamEndMs = performance.now();
    const checked = this.checked;
    if (checked !== undefined) {
      if (checked.answered) return;
      const body = checked.chunks.length === 1 ? checked.chunks[0]! : Buffer.concat(checked.chunks);
      checked.chunks = [];
      void echoFreeAnswer(checked.head, body, checked.echo).then((a) => this.writeChecked(a));
      return;
    }
    this.sniffer?.end();
    const chunk = this.held;
    this.held = undefined;
    // The promise settles on the response's 'close' (onClientClose), once it has gone out.
    if (chunk === undefined) res.end();
    else res.end(chunk);
  }

  onError(err: Error): void {
    const { res, record } = this.call;
    if (this.clientGone || this.settled || this.checked?.answered === true) return;
    if (!res.headersSent) {
      res.off("close", this.onClientClose);
      this.settled = true;
      this.reject(upstreamError(err));
      return;
    }
    // Cut mid-answer: the client must not take a truncated body for a whole one ('close'
    // then settles).
    record.error ??= "upstream_aborted";
    res.destroy();
  }

  /** Sends a checked error answer, or the error that replaces one that could not be checked. */
  private writeChecked(answer: Answer | WithheldReason): void {
    const checked = this.checked;
    if (checked === undefined || checked.answered) return;
    checked.answered = true;
    checked.chunks = [];
    const { res, record, requestId } = this.call;
    if (res.destroyed) return;
    if (typeof answer === "string") {
      record.error ??= "upstream_error_withheld";
      const body = withheldBody(answer);
      res.writeHead(checked.status, [
        "content-type",
        "application/json",
        "content-length",
        String(Buffer.byteLength(body)),
        "x-agw-error-code",
        "upstream_error_withheld",
        "x-agw-request-id",
        requestId,
      ]);
      res.end(body);
      return;
    }
    res.writeHead(checked.status, answer.head);
    res.end(answer.body);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve();
  }
}

/**
 * Forwards one request. Resolves when the response has ended (or the exchange was cut);
 * rejects with a GatewayError only while nothing has been sent to the client yet.
 */
export async function proxyOpaque(call: ProxyCall): Promise<void> {
  const { req, res, record } = call;
  let body: Dispatcher.DispatchOptions["body"] = null;
  if (call.body !== undefined) body = call.body;
  else if (smallBodyLength(req) !== -1 && !req.readableEnded && !req.destroyed) {
    const whole = await readDeclaredBody(req);
    if (whole === undefined) {
      // The client left mid-upload: nothing to forward, nothing to answer.
      record.error ??= "client_aborted";
      return;
    }
    if (call.detect) {
      const sniffer = requestModelSniffer(record, req.headers["content-type"], whole.byteLength);
      if (sniffer !== undefined) {
        sniffer.push(whole);
        sniffer.end();
      }
    }
    body = whole;
  } else if (hasRequestBody(req.headers)) {
    const cl = req.headers["content-length"];
    const sniffer = call.detect
      ? requestModelSniffer(record, req.headers["content-type"], cl === undefined ? undefined : Number(cl))
      : undefined;
    body = sniffer === undefined ? req : Readable.from(teeBody(req, sniffer), { objectMode: false });
  }
  if (res.destroyed) {
    record.error ??= "client_aborted";
    return;
  }

  const headers = buildRequestHeaders(req, call.target, call.auth, call.provider);
  record.upstreamStartMs ??= performance.now();
  return new Promise<void>((resolve, reject) => {
    const exchange = new OpaqueExchange(call, resolve, reject);
    res.on("close", exchange.onClientClose);
    call.dispatcher.dispatch(
      {
        origin: call.target.connectOrigin,
        path: upstreamPath(call.target, call.url, call.queryIndex),
        method: req.method as Dispatcher.HttpMethod,
        headers: call.editHeaders === undefined ? headers : call.editHeaders(headers),
        body,
        headersTimeout: call.headersTimeoutMs,
        bodyTimeout: call.bodyTimeoutMs,
      },
      exchange,
    );
  });
}
