/**
 * Interim (1xx) upstream responses. undici's HTTP/1.1 client (7.x, client-h1.js) skips a 103
 * Early Hints but destroys the connection on a `100 Continue` it did not ask for ("bad
 * response": the client got a 502), though a client must accept any number of 1xx responses
 * before the final one (RFC 9110 §15.2). agw forwards no interim response to its clients, so
 * they are removed from an upstream socket's bytes where a response begins, before undici's
 * parser reads them; it then sees only the final response. 101 (a protocol switch) is kept.
 *
 * Where a response begins is known without parsing bodies: undici sends one request at a time
 * on a connection (no pipelining) and the answer follows it. A write of a request marks the
 * start; the first bytes that are not an interim head end it. (A response body chunk could
 * only be mistaken for an interim head if the upstream answered while the request body was
 * still being written and that chunk began with an `HTTP/1.x 1nn ` status line.)
 */
import type { Socket } from "node:net";
import type { buildConnector as BuildConnector, Agent as UndiciAgent } from "undici";
import { Agent, buildConnector } from "./undici.js";

/** The longest interim head held back while its end has not arrived; longer, it is passed on as is. */
const MAX_INTERIM_HEAD = 16 * 1024;

const HTTP_1 = Buffer.from("HTTP/1.");
const CRLFCRLF = Buffer.from("\r\n\r\n");

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * The length of the complete interim head (not 101) at the start of `buf`; 0 when `buf` starts
 * with anything else; -1 when it starts like one that has not fully arrived.
 */
export function interimHeadLength(buf: Buffer): number {
  const known = Math.min(buf.length, 13);
  for (let i = 0; i < known; i++) {
    const c = buf[i]!;
    const fits =
      i < 7
        ? c === HTTP_1[i]
        : i === 7
          ? c === 0x30 || c === 0x31
          : i === 8
            ? c === 0x20
            : i === 9
              ? c === 0x31
              : i < 12
                ? isDigit(c)
                : c === 0x20 || c === 0x0d;
    if (!fits) return 0;
  }
  if (known >= 12 && buf[10] === 0x30 && buf[11] === 0x31) return 0; // 101 Switching Protocols
  if (known < 13) return -1;
  const end = buf.indexOf(CRLFCRLF);
  if (end === -1) return buf.length > MAX_INTERIM_HEAD ? 0 : -1;
  return end + CRLFCRLF.length;
}

/** Makes `socket` drop interim responses before its reader sees them. */
export function skipInterimResponses(socket: Socket): void {
  let atStart = false;
  let held: Buffer | undefined;
  const write = socket.write;
  socket.write = function (this: Socket, ...args: Parameters<Socket["write"]>): boolean {
    atStart = true;
    return write.apply(this, args);
  } as Socket["write"];
  const push = socket.push;
  socket.push = function (this: Socket, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!atStart || !Buffer.isBuffer(chunk)) {
      if (held !== undefined) {
        // The connection ended inside a held head: undici gets it as it came.
        push.call(this, held);
        held = undefined;
      }
      return push.call(this, chunk, encoding);
    }
    let buf = held === undefined ? chunk : Buffer.concat([held, chunk]);
    held = undefined;
    for (;;) {
      const n = interimHeadLength(buf);
      if (n === -1) {
        held = buf;
        return true;
      }
      if (n === 0) {
        atStart = false;
        return push.call(this, buf);
      }
      buf = buf.subarray(n);
      if (buf.length === 0) return true;
    }
  };
}

/** A connector (undici's `connect` option) whose sockets skip interim responses. */
export function skippingConnector(base: BuildConnector.connector): BuildConnector.connector {
  return (options, callback) =>
    base(options, (err, socket) => {
      // On failure undici passes the error alone (no socket argument at all).
      if (err != null || socket == null) {
        callback(err ?? new Error("no socket"), null);
        return;
      }
      skipInterimResponses(socket as Socket);
      callback(null, socket);
    });
}

/**
 * A dispatcher for agw's own outbound calls that are not upstream requests (the prompt-guard
 * webhook, the trace exporter), with the same 1xx handling as the upstream pools.
 */
export function interimSafeAgent(): UndiciAgent {
  return new Agent({ connect: skippingConnector(buildConnector({})) });
}
