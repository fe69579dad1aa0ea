/**
 * An upstream answer for the LLM pipeline, read straight from undici's dispatch handler:
 * the status and head once they arrive, then the body as an async iterable of byte chunks
 * with backpressure (past HIGH_WATER bytes unread the upstream parser pauses until the
 * reader catches up). Chunks that piled up while the reader was busy come out as one.
 *
 * This replaces `Dispatcher.request()`, whose body is a Readable with an AsyncResource and
 * stream machinery per request: reading a JSON answer or an SSE stream through it cost more
 * than the rest of a same-format request's own work (profiled; see the README's Performance
 * section). undici 7's clients call the handler's original methods (onConnect, onHeaders,
 * onData, onComplete, onError) directly; the newer controller methods go through an adapter
 * that also parses the head into an object, so the original ones are used.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { decodeRawHead } from "../../http/forward-headers.js";

/** Unread bytes past which the upstream is paused. */
const HIGH_WATER = 64 * 1024;

export interface UpstreamResponse {
  readonly statusCode: number;
  /** Names lower-cased and values in order, as decodeRawHead gives them. */
  readonly head: readonly string[];
  readonly headers: IncomingHttpHeaders;
  readonly body: UpstreamBody;
}

/** The client-abort signal of one exchange: cuts whichever upstream request is in flight. */
export class ClientAbort {
  aborted = false;
  private cancel: ((err: Error) => void) | undefined;

  /** The upstream request now in flight (one at a time: attempts run in turn). */
  bind(cancel: (err: Error) => void): void {
    if (this.aborted) cancel(new Error("The client went away."));
    else this.cancel = cancel;
  }

  unbind(cancel: (err: Error) => void): void {
    if (this.cancel === cancel) this.cancel = undefined;
  }

  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const cancel = this.cancel;
    this.cancel = undefined;
    cancel?.(new Error("The client went away."));
  }
}

type Waiter = {
  resolve: (r: IteratorResult<Buffer>) => void;
  reject: (err: Error) => void;
};

const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

export class UpstreamBody implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private destroyed = false;
  private waiter: Waiter | undefined;
  private wholeWaiter:
    | { resolve: (b: Buffer) => void; reject: (err: Error) => void; limit: number }
    | undefined;
  private paused = false;
  /** Set by the handler: resumes the paused upstream parser, and cuts the request. */
  resumeUpstream: (() => void) | undefined;
  abortUpstream: ((err: Error) => void) | undefined;

  /** Bytes received and not yet read (a stream's first chunk may already be here). */
  get readableLength(): number {
    return this.queued;
  }

  /** Producer side: returns false to pause the upstream. */
  push(chunk: Buffer): boolean {
    if (this.destroyed) return true;
    const whole = this.wholeWaiter;
    if (whole !== undefined) {
      this.chunks.push(chunk);
      this.queued += chunk.byteLength;
      if (this.queued >= whole.limit) {
        this.wholeWaiter = undefined;
        whole.resolve(this.take());
      }
      return true;
    }
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve({ done: false, value: chunk });
      return true;
    }
    this.chunks.push(chunk);
    this.queued += chunk.byteLength;
    if (this.queued < HIGH_WATER) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.ended = true;
    const whole = this.wholeWaiter;
    if (whole !== undefined) {
      this.wholeWaiter = undefined;
      whole.resolve(this.take());
      return;
    }
    const w = this.waiter;
    if (w !== undefined && this.chunks.length === 0) {
      this.waiter = undefined;
      w.resolve(DONE);
    }
  }

  fail(err: Error): void {
    if (this.ended || this.destroyed) return;
    this.failure = err;
    const whole = this.wholeWaiter;
    if (whole !== undefined) {
      this.wholeWaiter = undefined;
      whole.reject(err);
      return;
    }
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.reject(err);
    }
  }

  /** Reader side: stops reading; an unfinished upstream request is cut. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.chunks = [];
    this.queued = 0;
    if (!this.ended && this.failure === undefined)
      this.abortUpstream?.(new Error("The answer was not read."));
  }

  private next(): Promise<IteratorResult<Buffer>> {
    if (this.chunks.length > 0) {
      const value = this.take();
      this.unpause();
      return Promise.resolve({ done: false, value });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended || this.destroyed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * The rest of the body as one buffer, once it has ended or `limit` bytes are in: one
   * promise for the whole answer instead of one per chunk (a JSON answer is read whole).
   * The upstream is never paused while this waits.
   */
  whole(limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended || this.destroyed || this.queued >= limit) return Promise.resolve(this.take());
    const whole = new Promise<Buffer>((resolve, reject) => {
      this.wholeWaiter = { resolve, reject, limit };
    });
    // After the waiter is in place: resuming may deliver the rest (and the end) at once.
    this.unpause();
    return whole;
  }

  /** Resumes the upstream parser if push paused it. */
  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeUpstream?.();
  }

  /** What is queued, as one buffer; the queue is emptied. */
  private take(): Buffer {
    const value = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.queued);
    this.chunks = [];
    this.queued = 0;
    return value;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.next(),
      return: () => {
        this.destroy();
        return Promise.resolve(DONE);
      },
    };
  }
}

/** A decoded head as Node's header object: repeated names in arrays. */
function headObject(head: readonly string[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (let i = 0; i < head.length; i += 2) {
    const name = head[i]!;
    const value = head[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** The answer's head; the header object is built only when something asks for it (error paths). */
class UpstreamAnswer implements UpstreamResponse {
  private object: IncomingHttpHeaders | undefined;

  constructor(
    readonly statusCode: number,
    readonly head: readonly string[],
    readonly body: UpstreamBody,
  ) {}

  get headers(): IncomingHttpHeaders {
    this.object ??= headObject(this.head);
    return this.object;
  }
}

class UpstreamHandler implements Dispatcher.DispatchHandler {
  private readonly body = new UpstreamBody();
  private answered = false;
  private cancel: ((err: Error) => void) | undefined;

  constructor(
    private readonly signal: ClientAbort,
    private readonly resolve: (r: UpstreamResponse) => void,
    private readonly reject: (err: Error) => void,
    private readonly onEnd: (() => void) | undefined,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.cancel = abort;
    this.body.abortUpstream = abort;
    this.signal.bind(abort);
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final head follows
    this.body.resumeUpstream = resume;
    this.answered = true;
    const head = decodeRawHead(raw);
    this.resolve(new UpstreamAnswer(statusCode, head, this.body));
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.body.push(chunk);
  }

  onComplete(): void {
    this.release();
    this.onEnd?.();
    this.body.end();
  }

  onError(err: Error): void {
    this.release();
    this.onEnd?.();
    if (this.answered) this.body.fail(err);
    else this.reject(err);
  }

  private release(): void {
    if (this.cancel !== undefined) this.signal.unbind(this.cancel);
  }
}

/**
 * Sends one request; resolves with the answer's head (the body follows), rejects with
 * undici's error when no answer came. `onEnd` runs when the exchange is over either way.
 */
export function requestUpstream(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: ClientAbort,
  onEnd?: () => void,
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new UpstreamHandler(signal, resolve, reject, onEnd));
  });
}
