/**
 * Cross-format JSON responses: the provider's body → IR → the client's format. The mock
 * provider's IR responses are written through the same function.
 */
import { GatewayError } from "../../errors.js";
import { type ConverterOptions, converterFor, type IrFormat, type IrResponse } from "../formats/index.js";
import type { Exchange } from "./exchange.js";
import { answerReadError, readAll } from "./upstream-call.js";
import type { UpstreamResponse } from "./upstream-response.js";

export function clientConverterOptions(x: Exchange, includeUsage: boolean): ConverterOptions {
  return { includeUsage, now: () => x.now(), toolOrigins: x.toolOrigins };
}

/** Writes an IR response to the client in its own format. */
export function writeIrResponse(x: Exchange, ir: IrResponse): void {
  const out = converterFor(x.clientFormat).responseFromIR(ir, clientConverterOptions(x, false));
  x.logDropped("response", out.dropped);
  x.noteUsage(ir.usage, ir.model);
  x.writeJson(200, JSON.stringify(out.body));
}

export function notJson(): GatewayError {
  return new GatewayError(502, "upstream_error", "The upstream answered with a body that is not JSON.");
}

export function tooLargeAnswer(limit: number): GatewayError {
  return new GatewayError(
    502,
    "upstream_response_too_large",
    `The upstream answer is larger than ${limit} bytes, the limit (config.maxUpstreamResponse).`,
  );
}

/**
 * Reads an upstream JSON answer whole, up to `limit` bytes: a body cut or stalled midway is a
 * 502/504 (answerReadError), a longer one a 502 upstream_response_too_large (the upstream
 * request is cut, so nothing more of it is received or held), a body that is not JSON a 502,
 * all in the caller's envelope. One promise reaction does the rest, rather than a chain of
 * async wrappers.
 */
export function readJsonAnswer(
  body: AsyncIterable<unknown>,
  limit: number,
): Promise<{ raw: Buffer; parsed: unknown }> {
  return readAll(body, limit + 1).then((raw) => {
    if (raw.byteLength <= limit) return parseAnswer(raw);
    (body as { destroy?: () => void }).destroy?.();
    throw tooLargeAnswer(limit);
  }, rejectAnswer);
}

function parseAnswer(raw: Buffer): { raw: Buffer; parsed: unknown } {
  try {
    return { raw, parsed: JSON.parse(raw.toString("utf8")) };
  } catch {
    throw notJson();
  }
}

function rejectAnswer(err: unknown): never {
  throw answerReadError(err);
}

export async function answerTranslatedJson(
  x: Exchange,
  up: UpstreamResponse,
  providerFormat: IrFormat,
): Promise<void> {
  const { parsed } = await readJsonAnswer(up.body, x.ctx.runtime.process.maxUpstreamResponseBytes);
  const { ir, dropped } = converterFor(providerFormat).responseToIR(parsed);
  x.logDropped("upstream response", dropped);
  writeIrResponse(x, withIdentity(x, ir));
}

/**
 * An answer whose format names neither its id nor its model (Bedrock's Converse: they are in the
 * URL and headers) gets agw's request id and the upstream model, so clients see both.
 */
export function withIdentity<T extends { id: string; model: string }>(x: Exchange, ir: T): T {
  if (ir.id !== "" && ir.model !== "") return ir;
  return {
    ...ir,
    id: ir.id === "" ? x.ctx.requestId : ir.id,
    model: ir.model === "" ? (x.record.upstreamModel ?? "") : ir.model,
  };
}
