/**
 * The gateway's ServerResponse: notes in the request's record when the first body chunk is
 * written (time to first token). A method on the prototype, instead of a wrapper closure
 * installed on every response, so a request allocates nothing for it. `res.end(data)` alone
 * does not call write: a one-piece answer has no first-chunk time, as before.
 */
import { type IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestRecord } from "../http/record.js";

export class TimedResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  /** The record to stamp at the next write; cleared once stamped. */
  firstWriteRecord: RequestRecord | undefined;

  constructor(req: Request) {
    super(req);
    this.firstWriteRecord = undefined;
  }
}

const write = ServerResponse.prototype.write;
TimedResponse.prototype.write = function timedWrite(
  this: TimedResponse,
  chunk: unknown,
  encoding?: unknown,
  callback?: unknown,
): boolean {
  const r = this.firstWriteRecord;
  if (r !== undefined) {
    r.firstByteMs ??= performance.now();
    this.firstWriteRecord = undefined;
  }
  return (write as (c: unknown, e?: unknown, cb?: unknown) => boolean).call(this, chunk, encoding, callback);
} as ServerResponse["write"];
