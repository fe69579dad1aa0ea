import type { ServerResponse } from "node:http";

/**
 * Sends a stream's response head now, unless body bytes are already buffered to go out with
 * it (they are written within the same tick, so the head is not held back). One socket write
 * less per streamed response: on loopback a write costs ~25 µs of CPU, a tenth of a request.
 * Returns whether the head was sent.
 */
export function flushHeadUnlessBuffered(res: ServerResponse, body: unknown): boolean {
  const buffered = (body as { readableLength?: unknown }).readableLength;
  if (typeof buffered === "number" && buffered > 0) return false;
  res.flushHeaders();
  return true;
}
