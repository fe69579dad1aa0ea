/**
 * Reads a request body whose length the client declared, with event listeners: cheaper than
 * an async iterator over the request (which sets up end-of-stream tracking and a promise per
 * chunk; profiled), and the body of a small request usually arrives in one chunk anyway.
 * Node's parser never delivers more than the declared length, so no limit is checked here.
 */
import type { IncomingMessage } from "node:http";

/** The whole body, or undefined when the request ended without it (the client left). */
export function readDeclaredBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let ended = false;
    req.on("data", (c: Buffer) => void chunks.push(c));
    req.once("end", () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.once("error", () => resolve(undefined));
    req.once("close", () => {
      if (!ended) resolve(undefined);
    });
  });
}

/** The declared body length when there is one and no transfer coding, else -1. */
export function declaredLength(req: IncomingMessage): number {
  const h = req.headers;
  const cl = h["content-length"];
  if (cl === undefined || h["transfer-encoding"] !== undefined) return -1;
  const n = Number(cl);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
