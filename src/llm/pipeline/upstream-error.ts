/**
 * The last upstream failure of a plan, answered in the caller's envelope. Connection errors
 * and timeouts are gateway errors (502/504); an upstream error status is kept, its body
 * passed as is when the upstream spoke the caller's format, rewritten otherwise. An echo of
 * the managed key sent (`x.echo`), in any spelling the client could decode, is redacted first.
 */
import { GatewayError } from "../../errors.js";
import type { UpstreamFailure } from "../../runtime/plan.js";
import { converterFor, type IrFormat } from "../formats/index.js";
import type { Exchange } from "./exchange.js";

export function answerFailure(x: Exchange, failure: UpstreamFailure, upstreamFormat: IrFormat): void {
  if (failure.kind === "connect") {
    throw new GatewayError(502, "upstream_unavailable", "The upstream could not be reached.");
  }
  if (failure.kind === "credential") {
    throw new GatewayError(failure.status ?? 503, "upstream_credential_unavailable", failure.message);
  }
  if (failure.kind === "timeout") {
    throw new GatewayError(504, "upstream_timeout", "The upstream did not answer in time.");
  }
  const status = failure.status ?? 502;
  let text = failure.body === undefined ? "" : Buffer.from(failure.body).toString("utf8");
  if (x.echo !== undefined) text = x.echo.redact(text);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the message.
  }
  // AWS names the error in a header; its body has only the message.
  if (
    failure.errorType !== undefined &&
    typeof parsed === "object" &&
    parsed !== null &&
    !Array.isArray(parsed)
  ) {
    const obj = parsed as Record<string, unknown>;
    if (obj.__type === undefined) parsed = { ...obj, __type: failure.errorType };
  }
  x.record.error = "upstream_error";
  const extra: Record<string, string> = {};
  if (failure.retryAfterMs !== undefined)
    extra["retry-after"] = String(Math.ceil(failure.retryAfterMs / 1000));
  const clientErrors = x.clientFormat === "openai-responses" ? "openai-chat" : x.clientFormat;
  const upstreamErrors = upstreamFormat === "openai-responses" ? "openai-chat" : upstreamFormat;
  if (clientErrors === upstreamErrors && typeof parsed === "object" && parsed !== null) {
    x.writeJson(status, text, extra);
    return;
  }
  const ir = converterFor(upstreamErrors).errorToIR(status, parsed, extra["retry-after"]);
  const out = converterFor(x.clientFormat).errorFromIR(ir);
  x.writeJson(out.status, JSON.stringify(out.body), extra);
}
