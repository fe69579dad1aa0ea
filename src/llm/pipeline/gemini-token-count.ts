/**
 * Gemini countTokens (`/v1beta/models/{model}:countTokens`) for Gemini-format clients: forwarded
 * to a gemini provider as sent, counted in-process for the mock, and estimated with the
 * tokenizer for every other kind (marked as such, as for Anthropic count_tokens).
 */
import { converterFor } from "../formats/index.js";
import { isRecord } from "../formats/util.js";
import { mockTokenCount } from "../providers/mock/answer.js";
import { apiPathFor, wireFormatFor } from "../providers/spec.js";
import type { Exchange } from "./exchange.js";
import { passJson } from "./fast-path.js";
import { OK } from "./llm-attempt.js";
import type { Attempt } from "./plan-source.js";
import { editUpstreamHeaders } from "./request-policies.js";
import { ESTIMATE_ENCODING, estimateInputTokens } from "./token-estimate.js";
import { authorizeCandidate } from "./upstream-auth.js";
import { callUpstream, upstreamHeaders } from "./upstream-call.js";

/** The request whose tokens are counted: `generateContentRequest` when given, else the body. */
function countedRequest(json: Record<string, unknown>): Record<string, unknown> {
  const inner = json.generateContentRequest;
  const req = isRecord(inner) ? { ...inner } : { ...json };
  if (!Array.isArray(req.contents)) req.contents = [];
  return req;
}

export function geminiTokenCountAttempt(x: Exchange): Attempt {
  return async (candidate) => {
    const spec = candidate.provider;
    const model = candidate.model ?? x.body.model;
    x.record.backend = candidate.providerName;
    x.record.provider = candidate.providerName;
    x.record.upstreamModel = model;
    const target = candidate.upstream;
    // Vertex AI counts its Gemini models' tokens too, with its access token; its Claude models are estimated.
    if (wireFormatFor(spec, false, "gemini", model) === "gemini" && target !== undefined) {
      const path = apiPathFor(spec, "gemini", model).replace(/:generateContent$/, ":countTokens");
      const authorized =
        candidate.auth.kind === "authorizer" ? await authorizeCandidate(candidate) : undefined;
      if (authorized !== undefined && !authorized.ok) return authorized;
      const r = await callUpstream({
        dispatcher: x.deps.pools.get(target),
        target,
        path,
        headers: editUpstreamHeaders(
          x.ctx,
          upstreamHeaders(x.ctx.req, candidate, target, {
            keepCallerHeaders: false,
            stream: false,
            authorized: authorized?.headers,
          }),
        ),
        body: x.body.bytes,
        headersTimeoutMs: candidate.headersTimeoutMs,
        bodyTimeoutMs: candidate.bodyTimeoutMs,
        signal: x.abort,
        timing: x.record,
      });
      if (!r.ok) return x.abort.aborted ? OK : r;
      await passJson(x, r.response, "count_tokens");
      return OK;
    }
    const { ir } = converterFor("gemini").requestToIR({ ...countedRequest(x.body.json), model });
    if (spec.tokenCount === "local") {
      const n = mockTokenCount(ir);
      x.record.inputTokens = n;
      x.writeJson(200, JSON.stringify({ totalTokens: n }));
      return OK;
    }
    const n = await estimateInputTokens(converterFor("anthropic-messages").requestFromIR(ir).body);
    x.record.inputTokens = n;
    x.writeJson(200, JSON.stringify({ totalTokens: n }), {
      "x-agw-token-count": `estimated; encoding=${ESTIMATE_ENCODING}`,
    });
    return OK;
  };
}
