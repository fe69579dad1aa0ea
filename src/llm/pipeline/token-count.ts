/**
 * The two single-provider route types: Anthropic count_tokens (forwarded to Anthropic
 * providers, counted in-process for the mock, estimated with a tokenizer for OpenAI-family
 * providers) and OpenAI embeddings (forwarded to openAI providers). Other providers get a 501
 * that says why.
 */
import { GatewayError } from "../../errors.js";
import type { Candidate } from "../../runtime/plan.js";
import { converterFor } from "../formats/index.js";
import { mockTokenCount } from "../providers/mock/answer.js";
import { apiPathFor } from "../providers/spec.js";
import type { Exchange } from "./exchange.js";
import { passJson, sameFormatBody } from "./fast-path.js";
import { OK } from "./llm-attempt.js";
import type { Attempt } from "./plan-source.js";
import { editUpstreamHeaders } from "./request-policies.js";
import { ESTIMATE_ENCODING, estimateInputTokens } from "./token-estimate.js";
import { authorizeCandidate, echoOf } from "./upstream-auth.js";
import { callUpstream, upstreamHeaders } from "./upstream-call.js";

function notImplemented(what: string, only: string, name: string, kind: string): GatewayError {
  return new GatewayError(
    501,
    "not_implemented",
    `${what} is only available from ${only} providers; the model is served by "${name}" (${kind}).`,
  );
}

function forwardAttempt(
  x: Exchange,
  path: (candidate: Candidate) => string,
  kind: "embeddings" | "count_tokens",
): Attempt {
  return async (candidate) => {
    const target = candidate.upstream;
    if (target === undefined)
      throw notImplemented(kind, "remote", candidate.providerName, candidate.provider.kind);
    x.record.backend = candidate.providerName;
    x.record.provider = candidate.providerName;
    x.record.upstreamModel = candidate.model ?? x.body.model;
    x.echo = echoOf(candidate);
    const authorized = candidate.auth.kind === "authorizer" ? await authorizeCandidate(candidate) : undefined;
    if (authorized !== undefined && !authorized.ok) return authorized;
    const r = await callUpstream({
      dispatcher: x.deps.pools.get(target),
      target,
      path: path(candidate),
      headers: editUpstreamHeaders(
        x.ctx,
        upstreamHeaders(x.ctx.req, candidate, target, {
          keepCallerHeaders: true,
          stream: false,
          authorized: authorized?.headers,
        }),
      ),
      body: sameFormatBody(x.body, candidate.model, false),
      headersTimeoutMs: candidate.headersTimeoutMs,
      bodyTimeoutMs: candidate.bodyTimeoutMs,
      signal: x.abort,
      timing: x.record,
    });
    if (!r.ok) return x.abort.aborted ? OK : r;
    await passJson(x, r.response, kind);
    return OK;
  };
}

export function tokenCountAttempt(x: Exchange): Attempt {
  const forward = forwardAttempt(x, () => "/v1/messages/count_tokens", "count_tokens");
  return async (candidate) => {
    const spec = candidate.provider;
    if (spec.tokenCount === "forward") return forward(candidate);
    if (spec.tokenCount === "local") {
      const { ir } = converterFor("anthropic-messages").requestToIR(x.body.json);
      const n = mockTokenCount(ir);
      x.record.backend = candidate.providerName;
      x.record.provider = candidate.providerName;
      x.record.inputTokens = n;
      x.writeJson(200, JSON.stringify({ input_tokens: n }));
      return OK;
    }
    if (spec.tokenCount === "estimate") {
      const n = await estimateInputTokens(x.body.json);
      x.record.backend = candidate.providerName;
      x.record.provider = candidate.providerName;
      x.record.inputTokens = n;
      x.writeJson(200, JSON.stringify({ input_tokens: n }), {
        "x-agw-token-count": `estimated; encoding=${ESTIMATE_ENCODING}`,
      });
      return OK;
    }
    throw notImplemented("Token counting", "Anthropic", candidate.providerName, spec.kind);
  };
}

export function embeddingsAttempt(x: Exchange): Attempt {
  const forward = forwardAttempt(
    x,
    (c) => apiPathFor(c.provider, "embeddings", c.model ?? x.body.model),
    "embeddings",
  );
  return async (candidate) => {
    if (candidate.provider.embeddings) return forward(candidate);
    throw notImplemented("Embeddings", "OpenAI-compatible", candidate.providerName, candidate.provider.kind);
  };
}
