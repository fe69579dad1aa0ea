/**
 * Request ids: a random per-process prefix and a counter. Unique across restarts (the prefix)
 * and cheap per request (one string concat, no crypto call on the hot path).
 */
import { randomBytes } from "node:crypto";

export function createRequestIds(prefix: string = randomBytes(6).toString("hex")): () => string {
  let n = 0;
  return () => {
    n++;
    return `${prefix}-${n.toString(36)}`;
  };
}
