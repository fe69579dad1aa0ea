/**
 * One try of one candidate for the three chat APIs (completions, messages, responses):
 * the same-format fast path, the cross-format translation, or the in-process mock.
 */
import { GatewayError } from "../../errors.js";
import { headValue } from "../../http/forward-headers.js";
import { upstreamPath } from "../../http/upstream-target.js";
import type { AttemptResult, Candidate } from "../../runtime/plan.js";
import { converterFor, type IrFormat, type IrRequest, type RequestToIrResult } from "../formats/index.js";
import { hostedToolTypes, toolOrigins } from "../formats/openai-responses/client-tools.js";
import { mockResponse, mockStreamEvents } from "../providers/mock/answer.js";
import { apiPathFor, type ProviderWire, wireFormatFor } from "../providers/spec.js";
import type { Exchange } from "./exchange.js";
import { clientWantsUsage, isStreamResponse, passJson, passStream, sameFormatBody } from "./fast-path.js";
import { passGuardedAnthropicStream } from "./guarded-anthropic-stream.js";
import { passGuardedChatStream } from "./guarded-chat-stream.js";
import type { Attempt } from "./plan-source.js";
import { editUpstreamHeaders } from "./request-policies.js";
import {
  answerGuardedJson,
  answerGuardedSameFormat,
  guardIrResponse,
  responseGuardOf,
  streamFilterOf,
} from "./response-guard.js";
import { answerTranslatedJson, clientConverterOptions, writeIrResponse } from "./translate-json.js";
import { streamTranslated, writeIrStream } from "./translate-stream.js";
import { authorizeCandidate, echoOf } from "./upstream-auth.js";
import { callUpstream, type UpstreamResult, upstreamHeaders } from "./upstream-call.js";

/** The format a candidate is spoken to in, for a client of `clientFormat` asking for `model`. */
export function providerFormatOf(candidate: Candidate, clientFormat: IrFormat, model: string): ProviderWire {
  return wireFormatFor(candidate.provider, candidate.responsesApi, clientFormat, candidate.model ?? model);
}

const NATIVE_NAME: Readonly<Record<IrFormat, string>> = {
  "openai-chat": "the OpenAI Chat Completions API",
  "anthropic-messages": "the Anthropic Messages API",
  "openai-responses": "the OpenAI Responses API",
  gemini: "the Gemini API",
  "bedrock-converse": "the Bedrock Converse API",
};

export const OK: AttemptResult = { ok: true };

/** Whether an upstream's Date corrected the clock its candidate's signer signs by. */
function clockCorrected(candidate: Candidate, date: string): boolean {
  return candidate.auth.kind === "authorizer" && candidate.auth.authorizer.observeDate?.(date) === true;
}

/**
 * A Responses request's hosted tools (web_search, ...) on an upstream that is not Responses:
 * only OpenAI can run them. Dropped by default, and said so (x-agw-dropped-tools, the access
 * log's droppedTools); refused with `policies.ai.hostedTools: refuse`.
 */
function dropHostedTools(x: Exchange, ir: IrRequest, candidate: Candidate): void {
  const types = hostedToolTypes(ir);
  if (types.length === 0) return;
  if (x.ctx.gateway?.policy.hostedTools === "refuse") {
    throw new GatewayError(
      400,
      "unsupported_feature",
      `This request uses hosted tools (${types.join(", ")}), which only the OpenAI Responses API can run; ` +
        `the model "${x.body.model}" is served by "${candidate.providerName}" (${candidate.provider.kind}). ` +
        "Remove them, or let agw drop them (policies.ai.hostedTools: drop).",
    );
  }
  x.record.droppedTools = types.join(",");
  if (!x.res.headersSent) x.res.setHeader("x-agw-dropped-tools", types.join(", "));
}

export function llmAttempt(x: Exchange): Attempt {
  let parsed: RequestToIrResult | undefined;
  const toIR = (candidate: Candidate, upstreamModel: string): IrRequest => {
    if (parsed === undefined) {
      parsed = x.body.ir ?? converterFor(x.clientFormat).requestToIR(x.body.json);
      x.logDropped("request", parsed.dropped);
    }
    if (parsed.unsupported.length > 0) {
      throw new GatewayError(
        400,
        "unsupported_feature",
        `This request uses ${parsed.unsupported.join(", ")}, which only ${NATIVE_NAME[x.clientFormat]} can serve; ` +
          `the model "${x.body.model}" is served by "${candidate.providerName}" (${candidate.provider.kind}).`,
      );
    }
    const ir = { ...parsed.ir, model: upstreamModel };
    if (x.clientFormat === "openai-responses") {
      x.toolOrigins = toolOrigins(ir);
      dropHostedTools(x, ir, candidate);
    }
    return ir;
  };

  return async (candidate) => {
    const upstreamModel = candidate.model ?? x.body.model;
    const wire = providerFormatOf(candidate, x.clientFormat, upstreamModel);
    x.record.backend = candidate.providerName;
    x.record.provider = candidate.providerName;
    x.record.upstreamModel = upstreamModel;
    x.echo = echoOf(candidate);
    x.authorized = undefined;
    const stream = x.body.json.stream === true;

    if (wire === "local") {
      const ir = toIR(candidate, upstreamModel);
      const created = Math.floor(x.now() / 1000);
      if (ir.stream) {
        const encoder = converterFor(x.clientFormat).createEncoder(
          clientConverterOptions(x, ir.includeUsage === true),
        );
        await writeIrStream(x, mockStreamEvents(ir, { created }), encoder);
      } else writeIrResponse(x, await guardIrResponse(x, mockResponse(ir, { created })));
      return OK;
    }

    const target = candidate.upstream;
    if (target === undefined) {
      throw new GatewayError(
        501,
        "not_implemented",
        `The provider "${candidate.providerName}" has no endpoint.`,
      );
    }
    // A Gemini body names neither model nor stream (they are in the URL): it is always rebuilt.
    const same = wire === x.clientFormat && wire !== "gemini";
    let body: string | Buffer;
    let ir: IrRequest | undefined;
    const injectUsage = same && wire === "openai-chat" && stream && !clientWantsUsage(x.body.json);
    const editBody = candidate.provider.editBody;
    if (same && editBody !== undefined) body = JSON.stringify(editBody(wire, x.body.json, x.ctx.req.headers));
    else if (same) body = sameFormatBody(x.body, candidate.model, injectUsage);
    else {
      ir = toIR(candidate, upstreamModel);
      const out = converterFor(wire).requestFromIR(
        ir,
        candidate.maxOutputTokens === undefined ? undefined : { maxOutputTokens: candidate.maxOutputTokens },
      );
      if (out.unsupported !== undefined && out.unsupported.length > 0) {
        throw new GatewayError(
          400,
          "unsupported_feature",
          `This request uses ${out.unsupported.join(", ")}, which ${NATIVE_NAME[wire]} cannot serve; ` +
            `the model "${x.body.model}" is served by "${candidate.providerName}" (${candidate.provider.kind}).`,
        );
      }
      x.logDropped("upstream request", out.dropped);
      body = JSON.stringify(editBody === undefined ? out.body : editBody(wire, out.body, x.ctx.req.headers));
    }
    const path = apiPathFor(candidate.provider, wire, upstreamModel, stream);
    const callWith = (authorized: readonly string[] | undefined): Promise<UpstreamResult> => {
      const headers = upstreamHeaders(x.ctx.req, candidate, target, {
        keepCallerHeaders: same,
        stream,
        authorized,
        extra: candidate.provider.headersFor?.(wire),
      });
      return callUpstream({
        dispatcher: x.deps.pools.get(target),
        target,
        path,
        headers: editUpstreamHeaders(x.ctx, headers),
        body,
        headersTimeoutMs: candidate.headersTimeoutMs,
        bodyTimeoutMs: candidate.bodyTimeoutMs,
        signal: x.abort,
        timing: x.record,
        errorStatus: candidate.provider.errorStatus,
      });
    };
    // Not async: a request without a request-time credential goes out with no promise around it.
    const send = (): Promise<UpstreamResult> => {
      if (candidate.auth.kind !== "authorizer") return callWith(undefined);
      // A signer (Bedrock's SigV4) signs the request as it will be sent.
      return authorizeCandidate(candidate, {
        method: "POST",
        host: target.hostHeader,
        path: upstreamPath(target, path, -1),
        body,
      }).then((authorized) => {
        if (!authorized.ok) return authorized;
        // An upstream may quote a session token back (AWS's signature-mismatch error does).
        x.authorized = authorized.headers;
        x.echo = echoOf(candidate, authorized.headers);
        return callWith(authorized.headers);
      });
    };
    let r = await send();
    // A signature refused because this machine's clock is off is made again, once, by the
    // upstream's clock (its Date header), as the AWS SDKs do.
    if (
      !r.ok &&
      r.failure.date !== undefined &&
      !x.abort.aborted &&
      clockCorrected(candidate, r.failure.date)
    )
      r = await send();
    else if (r.ok && candidate.auth.kind === "authorizer") {
      // Only a signer reads the clock: the head is searched, not made into an object, on every answer.
      const date = headValue(r.response.head, "date");
      if (date !== undefined) clockCorrected(candidate, date);
    }
    if (!r.ok) return x.abort.aborted ? OK : r;
    const up = r.response;
    // Response guards read the answer: a same-format JSON answer is masked in place, anything
    // else goes through the IR.
    const guard = responseGuardOf(x);
    if (same && guard === undefined) {
      if (isStreamResponse(up)) await passStream(x, up, wire, injectUsage);
      else await passJson(x, up, wire);
    } else if (
      same &&
      wire === "openai-chat" &&
      isStreamResponse(up) &&
      guard !== undefined &&
      !guard.streamsNeedBuffering &&
      !(typeof x.body.json.n === "number" && x.body.json.n > 1)
    ) {
      // One choice, guards that judge deltas: masked chunk by chunk, the rest as sent.
      const filter = streamFilterOf(x);
      if (filter === undefined) await passStream(x, up, wire, injectUsage);
      else await passGuardedChatStream(x, up, filter, injectUsage);
    } else if (
      same &&
      wire === "anthropic-messages" &&
      isStreamResponse(up) &&
      guard !== undefined &&
      !guard.streamsNeedBuffering
    ) {
      const filter = streamFilterOf(x);
      if (filter === undefined) await passStream(x, up, wire, false);
      else await passGuardedAnthropicStream(x, up, filter);
    } else if (isStreamResponse(up)) {
      const includeUsage = ir === undefined ? clientWantsUsage(x.body.json) : ir.includeUsage === true;
      const encoder = converterFor(x.clientFormat).createEncoder(clientConverterOptions(x, includeUsage));
      await streamTranslated(x, up, wire, converterFor(wire).createDecoder(), encoder, same);
    } else if (guard !== undefined && same) await answerGuardedSameFormat(x, up, wire, guard);
    else if (guard !== undefined) await answerGuardedJson(x, up, wire);
    else await answerTranslatedJson(x, up, wire);
    return OK;
  };
}
