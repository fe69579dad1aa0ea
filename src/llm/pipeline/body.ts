/**
 * The request body of a parsed route: read up to the configured limit, parsed as JSON, and
 * checked for a model. Every failure is a GatewayError the boundary writes in the caller's
 * envelope (413 request_body_too_large, 400 invalid_request_body, 400 missing_model,
 * 400 model_too_long).
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "../../errors.js";
import { checkJsonStructure, MAX_JSON_DEPTH } from "../../http/json-structure.js";
import { declaredLength, readDeclaredBody } from "../../http/read-body.js";
import type { RequestToIrResult } from "../formats/index.js";

/**
 * The longest `model` accepted, in UTF-8 bytes. A model name outlives its request (access log,
 * recent requests, traces), so a caller must not be able to make it arbitrarily large; real
 * model names are far shorter.
 */
export const MAX_MODEL_BYTES = 256;

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
function parseDeclared(whole: Buffer | undefined): ParsedBody {
  if (whole === undefined) throw clientAborted();
  return parseBody(whole);
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

/**
 * A key given twice (JSON.parse keeps the last copy; a provider reading the forwarded bytes
 * may take the first, so guards and key restrictions would judge another request than the
 * one served) or nesting past MAX_JSON_DEPTH is refused.
 */
function checkStructure(text: string): void {
  const problem = checkJsonStructure(text);
  if (problem === undefined) return;
  if (problem.kind === "duplicate_key")
    throw new GatewayError(
      400,
      "duplicate_key",
      `The request body has the key ${problem.path} more than once; send each key once.`,
    );
  throw new GatewayError(
    400,
    "invalid_request_body",
    `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`,
  );
}

/**
 * Parses a JSON object body and its `model`. `trusted` skips the structure check for a body
 * agw serialised itself.
 */
export function parseBody(bytes: Buffer, trusted = false): ParsedBody {
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
  if (!trusted) checkStructure(text);
  const obj = json as Record<string, unknown>;
  const model = obj.model;
  if (typeof model !== "string" || model === "") {
    throw new GatewayError(400, "missing_model", 'The request body has no "model".');
  }
  // Length in UTF-16 units bounds the byte length from both sides (1 to 3 bytes per unit).
  if (model.length * 3 > MAX_MODEL_BYTES && Buffer.byteLength(model) > MAX_MODEL_BYTES) {
    throw new GatewayError(
      400,
      "model_too_long",
      `The "model" is ${Buffer.byteLength(model)} bytes long; the longest accepted is ${MAX_MODEL_BYTES} bytes.`,
    );
  }
  return { bytes, text, json: obj, model };
}

/**
 * Reads the body (within `limit`) and parses it. Not async: the parse is a reaction on the
 * read's promise rather than the resumption of nested async wrappers (one promise hop per
 * request instead of three).
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<ParsedBody> {
  const declared = declaredLength(req);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // The usual case, a declared length within the limit: the parser delivers no more than that.
  if (declared !== -1 && !req.readableEnded && !req.destroyed)
    return readDeclaredBody(req).then(parseDeclared);
  return readChunked(req, limit).then(parseBody);
}
