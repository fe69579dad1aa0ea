/**
 * One try of one candidate for the three chat APIs (completions, messages, responses):
 * the same-format fast path, the cross-format translation, or the in-process mock.
 */
import { GatewayError } from "../../errors.js";
import type { AttemptResult, Candidate } from "../../runtime/plan.js";
import { converterFor, type IrFormat, type IrRequest, type RequestToIrResult } from "../formats/index.js";
import { mockResponse, mockStreamEvents } from "../providers/mock/answer.js";
import { apiPathFor, type ProviderWire, wireFormatFor } from "../providers/spec.js";
import type { Exchange } from "./exchange.js";
import { clientWantsUsage, isStreamResponse, passJson, passStream, sameFormatBody } from "./fast-path.js";
import type { Attempt } from "./plan-source.js";
import { editUpstreamHeaders } from "./request-policies.js";
import { answerGuardedJson, guardIrResponse, responseGuardOf } from "./response-guard.js";
import { answerTranslatedJson, clientConverterOptions, writeIrResponse } from "./translate-json.js";
import { streamTranslated, writeIrStream } from "./translate-stream.js";
import { authorizeCandidate } from "./upstream-auth.js";
import { callUpstream, upstreamHeaders } from "./upstream-call.js";

/** The format a candidate is spoken to in, for a client of `clientFormat`. */
export function providerFormatOf(candidate: Candidate, clientFormat: IrFormat): ProviderWire {
  return wireFormatFor(candidate.provider, candidate.responsesApi, clientFormat);
}

const NATIVE_NAME: Readonly<Record<IrFormat, string>> = {
  "openai-chat": "the OpenAI Chat Completions API",
  "anthropic-messages": "the Anthropic Messages API",
  "openai-responses": "the OpenAI Responses API",
};

export const OK: AttemptResult = { ok: true };

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
    return { ...parsed.ir, model: upstreamModel };
  };

  return async (candidate) => {
    const wire = providerFormatOf(candidate, x.clientFormat);
    const upstreamModel = candidate.model ?? x.body.model;
    x.record.backend = candidate.providerName;
    x.record.provider = candidate.providerName;
    x.record.upstreamModel = upstreamModel;
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
    const same = wire === x.clientFormat;
    let body: string | Buffer;
    let ir: IrRequest | undefined;
    const injectUsage = same && wire === "openai-chat" && stream && !clientWantsUsage(x.body.json);
    if (same) body = sameFormatBody(x.body, candidate.model, injectUsage);
    else {
      ir = toIR(candidate, upstreamModel);
      const out = converterFor(wire).requestFromIR(ir);
      x.logDropped("upstream request", out.dropped);
      body = JSON.stringify(out.body);
    }
    const authorized = candidate.auth.kind === "authorizer" ? await authorizeCandidate(candidate) : undefined;
    if (authorized !== undefined && !authorized.ok) return authorized;
    const r = await callUpstream({
      dispatcher: x.deps.pools.get(target),
      target,
      path: apiPathFor(candidate.provider, wire, upstreamModel),
      headers: editUpstreamHeaders(
        x.ctx,
        upstreamHeaders(x.ctx.req, candidate, target, {
          keepCallerHeaders: same,
          stream,
          authorized: authorized?.headers,
        }),
      ),
      body,
      headersTimeoutMs: candidate.headersTimeoutMs,
      bodyTimeoutMs: candidate.bodyTimeoutMs,
      signal: x.abort,
      timing: x.record,
    });
    if (!r.ok) return x.abort.aborted ? OK : r;
    const up = r.response;
    // Response guards read the answer: the same format then goes through the IR as well.
    if (same && responseGuardOf(x) === undefined) {
      if (isStreamResponse(up)) await passStream(x, up, wire, injectUsage);
      else await passJson(x, up, wire);
    } else if (isStreamResponse(up)) {
      const includeUsage = ir === undefined ? clientWantsUsage(x.body.json) : ir.includeUsage === true;
      const encoder = converterFor(x.clientFormat).createEncoder(clientConverterOptions(x, includeUsage));
      await streamTranslated(x, up.body, converterFor(wire).createDecoder(), encoder);
    } else if (responseGuardOf(x) !== undefined) await answerGuardedJson(x, up, wire);
    else await answerTranslatedJson(x, up, wire);
    return OK;
  };
}
