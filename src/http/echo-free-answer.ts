/**
 * An opaque upstream's error answer, checked for an echo of the managed key agw attached
 * before it is forwarded: the body is read whole up to ERROR_BODY_MAX bytes, decoded from
 * gzip, deflate or br (at most DECODED_MAX bytes out), redacted (secret-echo.ts) and sent
 * uncompressed with its new length; header values are redacted too. An answer that cannot be
 * checked (too large, an unknown or broken encoding) is replaced by a short JSON error with
 * the upstream's status: withheld, never forwarded unchecked.
 */
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { SecretEcho } from "./secret-echo.js";

/** Error bodies past this many bytes (as received) are withheld. */
export const ERROR_BODY_MAX = 1024 * 1024;
/** Decoded bodies past this many bytes are withheld (a compression bomb stops here). */
export const DECODED_MAX = 4 * 1024 * 1024;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

export interface Answer {
  /** Flat name/value list, names lower-cased. */
  head: string[];
  body: Buffer;
}

/** Why an answer was withheld, for the client's message. */
export type WithheldReason = "too_large" | "undecodable";

/** A body decoded from its content encoding (at most DECODED_MAX bytes out), or why it cannot be. */
export async function decodedBody(
  encoding: string | undefined,
  body: Buffer,
): Promise<Buffer | WithheldReason> {
  const opts = { maxOutputLength: DECODED_MAX };
  const e = (encoding ?? "identity").trim().toLowerCase();
  try {
    switch (e) {
      case "":
      case "identity":
        return body;
      case "gzip":
      case "x-gzip":
        return await gunzip(body, opts);
      case "br":
        return await brotli(body, opts);
      case "deflate":
        // Servers send zlib-wrapped deflate or raw deflate under the same name.
        return await inflate(body, opts).catch(() => inflateRaw(body, opts));
      default:
        return "undecodable";
    }
  } catch (err) {
    return (err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE" ? "too_large" : "undecodable";
  }
}

/** The answer to send, or why it is withheld. */
export async function echoFreeAnswer(
  head: readonly string[],
  body: Buffer,
  echo: SecretEcho,
): Promise<Answer | WithheldReason> {
  let encoding: string | undefined;
  for (let i = 0; i < head.length; i += 2) if (head[i] === "content-encoding") encoding = head[i + 1];
  const plain = await decodedBody(encoding, body);
  if (typeof plain === "string") return plain;
  const out: string[] = [];
  for (let i = 0; i < head.length; i += 2) {
    const name = head[i]!;
    if (name === "content-length" || name === "content-encoding" || name === "transfer-encoding") continue;
    out.push(name, echo.redact(head[i + 1]!));
  }
  const clean = echo.redactBytes(plain);
  out.push("content-length", String(clean.byteLength));
  return { head: out, body: clean };
}

/** The JSON error that replaces an answer that could not be checked. */
export function withheldBody(reason: WithheldReason): string {
  const why =
    reason === "too_large"
      ? `it is larger than ${ERROR_BODY_MAX / 1024 / 1024} MiB (${DECODED_MAX / 1024 / 1024} MiB decoded)`
      : "its content encoding could not be decoded";
  return JSON.stringify({
    error: {
      message: `The upstream's error answer was withheld: agw checks error answers for an echo of the key it sent, and ${why}.`,
      type: "upstream_error",
      code: "upstream_error_withheld",
    },
  });
}
