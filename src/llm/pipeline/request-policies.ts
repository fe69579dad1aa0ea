/**
 * The LLM request phase of a route's policies (POLICY_ORDER.llmRequest), run after the body
 * is parsed and before routing: model aliases (then the gateway key's allowedModels on the
 * resolved name), shaping on the IR, the request prompt guard on the body in the caller's
 * format (every text field a provider reads), then the token rate limit.
 *
 * Same-format requests stay byte-exact unless a policy changes them: an alias alone is
 * spliced into the bytes; shaping re-encodes the IR in the caller's own format and a masking
 * guard re-serialises the masked body, so the fast path and the translated path both carry
 * what the policies produced.
 */
import { GatewayError } from "../../errors.js";
import { notePolicyEvents, type RequestRecord } from "../../http/record.js";
import { policyEvent } from "../../policies/events.js";
import { runPolicyPhase } from "../../policies/order.js";
import type { GuardedBodyFormat } from "../../policies/prompt-guard/body-texts.js";
import { type RateDecision, rateLimitHeaders } from "../../policies/rate-limit.js";
import { converterFor, type IrFormat, type IrRequest } from "../formats/index.js";
import type { ParsedRouteType } from "../route-types.js";
import { type ParsedBody, parseBody } from "./body.js";
import type { PipelineContext } from "./context.js";
import { clientFormatOf, type RecordExtras } from "./exchange.js";
import { sameFormatBody } from "./fast-path.js";

const CHAT_TYPES: ReadonlySet<ParsedRouteType> = new Set([
  "completions",
  "messages",
  "responses",
  "generateContent",
]);

interface PhaseState {
  model: string;
  ir: IrRequest | undefined;
  /** The IR differs from the body: re-encode it. */
  rewritten: boolean;
  unsupported: readonly string[];
  /** The body in the caller's format after a request guard masked it. */
  masked?: Record<string, unknown>;
}

const MAX_TOKEN_FIELDS = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;

/** ~4 bytes a token: the input part of the estimate, and what a stream without usage is charged for its input. */
function inputEstimate(body: ParsedBody): number {
  return Math.ceil(body.bytes.byteLength / 4);
}

/** A cheap upper-ish guess of a request's tokens: the input estimate plus the output cap. */
export function estimateTokens(body: ParsedBody, ir: IrRequest | undefined): number {
  let out = ir?.maxTokens;
  if (out === undefined) {
    for (const f of MAX_TOKEN_FIELDS) {
      const v = body.json[f];
      if (typeof v === "number") out = v;
    }
  }
  return inputEstimate(body) + (out ?? 0);
}

/**
 * The body a policy rewrote, parsed as received ones are. A Gemini body names neither model nor
 * stream (they are in its URL): its bytes are written without them, as a Gemini upstream takes.
 */
function bodyOf(json: Record<string, unknown>, format: IrFormat): ParsedBody {
  if (format !== "gemini") return parseBody(Buffer.from(JSON.stringify(json), "utf8"), true);
  const { model, stream, ...rest } = json;
  return parseBody(Buffer.from(JSON.stringify(rest), "utf8"), true, {
    model,
    ...(stream === undefined ? {} : { stream }),
  });
}

/** The route types whose bodies request guards read, and the format each is read in. */
function guardedFormat(routeType: ParsedRouteType): GuardedBodyFormat | undefined {
  switch (routeType) {
    case "completions":
    case "messages":
    case "responses":
    case "generateContent":
    case "anthropicTokenCount":
    case "geminiCountTokens":
      return clientFormatOf(routeType);
    case "embeddings":
      return "embeddings";
    default:
      return undefined;
  }
}

function encodeIr(format: IrFormat, ir: IrRequest, model: string): Record<string, unknown> {
  return converterFor(format).requestFromIR({ ...ir, model }).body;
}

function hasShapingFields(ctx: PipelineContext): boolean {
  const ai = ctx.route.policies?.ai;
  return ai?.defaults !== undefined || ai?.overrides !== undefined || ai?.prompts !== undefined;
}

/**
 * Runs the phase; returns the body routing and the upstream get (the received one when no
 * policy changed it). Throws a GatewayError (403, the guard's status, 429) to refuse.
 */
export async function applyRequestPolicies(ctx: PipelineContext, body: ParsedBody): Promise<ParsedBody> {
  const gw = ctx.gateway;
  if (gw === undefined) return body;
  const { policy, key } = gw;
  const record = ctx.record;
  const chat = CHAT_TYPES.has(ctx.routeType);
  const format: IrFormat = clientFormatOf(ctx.routeType);
  const s: PhaseState = { model: body.model, ir: undefined, rewritten: false, unsupported: [] };
  // A re-encoded Gemini body lacks the model and stream its URL gave: they are put back.
  const withPathFields = (json: Record<string, unknown>): Record<string, unknown> =>
    format === "gemini" ? { ...json, model: s.model, stream: body.json.stream } : json;
  const irOf = (): IrRequest => {
    if (s.ir === undefined) {
      const parsed = converterFor(format).requestToIR(body.json);
      s.ir = parsed.ir;
      s.unsupported = parsed.unsupported;
    }
    return s.ir;
  };

  await runPolicyPhase<"llmRequest", PhaseState, true>(
    "llmRequest",
    {
      // Aliases first, then the key's allowedModels judge the name that will be routed.
      modelAliases: () => {
        const resolved = policy.shaping?.resolveAlias(body.model) ?? body.model;
        if (resolved !== body.model) {
          s.model = resolved;
          notePolicyEvents(record, [policyEvent("modelAliases", "request", "allow")]);
        }
        if (key !== undefined && policy.apiKey !== undefined) {
          const denied = policy.apiKey.authorizeModel(key, s.model);
          if (denied !== undefined) {
            notePolicyEvents(record, [policyEvent("apiKey", "request", "reject")]);
            throw denied;
          }
        }
        return undefined;
      },
      shaping: () => {
        if (policy.shaping === undefined || !chat || !hasShapingFields(ctx)) return undefined;
        const ir = irOf();
        // shape() aliases again from the caller's model: the same result, and its own event.
        const r = policy.shaping.shape({ ...ir, model: body.model }, format);
        notePolicyEvents(
          record,
          r.events.filter((e) => e.policy !== "modelAliases"),
        );
        s.ir = r.ir;
        s.rewritten = true;
        return undefined;
      },
      promptGuardRequest: async () => {
        const guard = policy.promptGuard;
        // Every body a prompt reaches a provider in: the chat APIs, token counts and embeddings.
        const guarded = guardedFormat(ctx.routeType);
        if (guard === undefined || guard.request.length === 0 || guarded === undefined) return undefined;
        // The guards read the body the upstream would get (every field, not only what the IR
        // carries): the caller's own, or the shaped request in the caller's format.
        const json =
          s.rewritten && s.ir !== undefined ? withPathFields(encodeIr(format, s.ir, s.model)) : body.json;
        const r = await guard.checkRequestBody(guarded, json);
        notePolicyEvents(record, r.events);
        if (!r.ok) throw r.error;
        if (r.value !== json) s.masked = r.value;
        return undefined;
      },
      tokenRateLimitReserve: () => {
        const limiter = policy.rateLimit;
        if (
          limiter === undefined ||
          !limiter.hasTokenBuckets ||
          ctx.routeType === "anthropicTokenCount" ||
          ctx.routeType === "geminiCountTokens"
        ) {
          return undefined;
        }
        const apply = (d: RateDecision): undefined => {
          notePolicyEvents(record, [d.event]);
          if (!d.ok) throw d.error;
          Object.assign(gw.responseHeaders, rateLimitHeaders(d));
          const reservation = d.reservation;
          // Amended once the exchange is over, from the usage the pipeline wrote on the record.
          ctx.res.once("close", () => {
            const { inputTokens, outputTokens, outputChars } = record as RequestRecord & RecordExtras;
            if (inputTokens !== undefined || outputTokens !== undefined) {
              limiter.amend(reservation, (inputTokens ?? 0) + (outputTokens ?? 0));
            } else if (record.status >= 400 || record.status === 0) limiter.amend(reservation, 0);
            else if (outputChars !== undefined) {
              // A stream that ended without usage (closed early, cut): what it delivered, plus the input.
              limiter.amend(reservation, inputEstimate(body) + Math.ceil(outputChars / 4));
            }
          });
          return undefined;
        };
        // Synchronous unless the buckets are shared by the workers (kept by the primary).
        const d = limiter.reserveTokens(estimateTokens(body, s.ir), key?.name);
        return d instanceof Promise ? d.then(apply) : apply(d);
      },
    },
    s,
  );

  if (s.rewritten && s.ir !== undefined && s.unsupported.length > 0) {
    throw new GatewayError(
      400,
      "unsupported_feature",
      `This request uses ${s.unsupported.join(", ")}, which this route's shaping policies ` +
        "(defaults, overrides, prompts) cannot rewrite.",
    );
  }
  if (s.masked !== undefined) {
    const masked = { ...s.masked, model: s.model };
    const out = bodyOf(masked, format);
    if (!s.rewritten || s.ir === undefined) return out;
    // Keep what only the shaped IR carries (e.g. top_k for a chat caller), with the masked texts.
    const again = converterFor(format).requestToIR(masked).ir;
    const ir: IrRequest = { ...s.ir, model: s.model, system: again.system, messages: again.messages };
    if (again.tools !== undefined) ir.tools = again.tools;
    return { ...out, ir: { ir, dropped: [], unsupported: [] } };
  }
  if (s.rewritten && s.ir !== undefined) {
    const ir = { ...s.ir, model: s.model };
    return {
      ...bodyOf(withPathFields(encodeIr(format, ir, s.model)), format),
      ir: { ir, dropped: [], unsupported: [] },
    };
  }
  if (s.model !== body.model) {
    const spliced = sameFormatBody(body, s.model, false);
    const bytes = typeof spliced === "string" ? Buffer.from(spliced, "utf8") : spliced;
    return { bytes, text: bytes.toString("utf8"), json: { ...body.json, model: s.model }, model: s.model };
  }
  return body;
}

/** For /v1/models: the ids the caller's gateway key may use (undefined: all). */
export function allowedModelFilter(ctx: PipelineContext): ((id: string) => boolean) | undefined {
  const key = ctx.gateway?.key;
  if (key === undefined) return undefined;
  return (id) => key.allowsModel(id);
}

/** The route's requestHeaderModifier over the headers the pipeline sends upstream. */
export function editUpstreamHeaders(ctx: PipelineContext, flat: string[]): string[] {
  const edit = ctx.gateway?.editRequestHeaders;
  return edit === undefined ? flat : edit(flat);
}
