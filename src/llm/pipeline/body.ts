/**
 * The request body of a parsed route: read up to the configured limit, parsed as JSON, and
 * checked for a model. Every failure is a GatewayError the boundary writes in the caller's
 * envelope (413 request_body_too_large, 400 invalid_request_body, 400 missing_model).
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "../../errors.js";
import { declaredLength, readDeclaredBody } from "../../http/read-body.js";
import type { RequestToIrResult } from "../formats/index.js";

export interface ParsedBody {
  /** The bytes as received (forwarded untouched on the same-format path). */
  readonly bytes: Buffer;
  /** The body decoded as UTF-8 (spliced by the fast path). */
  readonly text: string;
  readonly json: Record<string, unknown>;
  readonly model: string;
  /**
   * The request as IR when a request policy (shaping, a masking guard) produced it: the
   * translated path starts from it, so fields the caller's format cannot spell (top_k from a
   * chat client) still reach an upstream that can.
   */
  readonly ir?: RequestToIrResult;
}

function tooLarge(limit: number): GatewayError {
  // The rest of the body is never read: close the connection rather than drain it.
  return new GatewayError(413, "request_body_too_large", `The request body is larger than ${limit} bytes.`, {
    connection: "close",
  });
}

function clientAborted(): GatewayError {
  return new GatewayError(499, "client_aborted", "The client closed the connection during its request.");
}

/** The declared body parsed; undefined means the client left before sending all of it. */
function parseDeclared(whole: Buffer | undefined, fromPath?: Readonly<Record<string, unknown>>): ParsedBody {
  if (whole === undefined) throw clientAborted();
  return parseBody(whole, fromPath);
}

async function readChunked(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const c = chunk as Buffer;
      size += c.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(c);
    }
  } catch (err) {
    // A client that leaves mid-upload is not a gateway failure (nothing can be answered).
    if (!(err instanceof GatewayError) && req.destroyed) throw clientAborted();
    throw err;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Parses a JSON object body and its `model`; `fromPath` adds fields a format keeps in its URL (Gemini's model). */
export function parseBody(bytes: Buffer, fromPath?: Readonly<Record<string, unknown>>): ParsedBody {
  const text = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError(400, "invalid_request_body", "The request body is not valid JSON.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new GatewayError(400, "invalid_request_body", "The request body must be a JSON object.");
  }
  const obj = json as Record<string, unknown>;
  if (fromPath !== undefined) Object.assign(obj, fromPath);
  const model = obj.model;
  if (typeof model !== "string" || model === "") {
    throw new GatewayError(400, "missing_model", 'The request body has no "model".');
  }
  return { bytes, text, json: obj, model };
}

/**
 * Reads the body (within `limit`) and parses it. Not async: the parse is a reaction on the
 * read's promise rather than the resumption of nested async wrappers (one promise hop per
 * request instead of three).
 */
export function readJsonBody(
  req: IncomingMessage,
  limit: number,
  fromPath?: Readonly<Record<string, unknown>>,
): Promise<ParsedBody> {
  const declared = declaredLength(req);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // The usual case, a declared length within the limit: the parser delivers no more than that.
  if (declared !== -1 && !req.readableEnded && !req.destroyed)
    return readDeclaredBody(req).then(
      fromPath === undefined ? parseDeclared : (whole) => parseDeclared(whole, fromPath),
    );
  return readChunked(req, limit).then((b) => parseBody(b, fromPath));
}
