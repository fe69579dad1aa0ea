/**
 * `promptGuard`: the request and response guard lists, compiled once, run in order over the
 * IR's texts (see ir-texts.ts). A mask guard's output is the next guard's input. The first
 * rejection ends the chain with a GatewayError (`guardrail_rejected`, the guard's status).
 */
import type { AiPolicyConfig, GuardConfig } from "../../config/schema.js";
import { GatewayError } from "../../errors.js";
import type { IrRequest, IrResponse } from "../../llm/formats/ir.js";
import { type PolicyEvent, type PolicyPhase, policyEvent } from "../events.js";
import { bodyTexts, type GuardedBodyFormat } from "./body-texts.js";
import { requestTexts, responseTexts, type TextSlots } from "./ir-texts.js";
import { createStreamGuard, type StreamGuard } from "./stream-guard.js";
import { createBlocklistGuard, createRegexGuard, type Rejection, type SyncGuard } from "./text-guards.js";
import { createWebhookGuard, type WebhookDeps, type WebhookGuard } from "./webhook.js";

export type CompiledGuard = SyncGuard | WebhookGuard;

export type GuardOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly events: readonly PolicyEvent[] }
  | { readonly ok: false; readonly error: GatewayError; readonly events: readonly PolicyEvent[] };

export interface PromptGuard {
  readonly request: readonly CompiledGuard[];
  readonly response: readonly CompiledGuard[];
  checkRequest(ir: IrRequest): Promise<GuardOutcome<IrRequest>>;
  /**
   * The request guards over a body in the caller's `format` (every text its provider reads,
   * see body-texts.ts); a masked body is a copy, the original is not modified.
   */
  checkRequestBody(
    format: GuardedBodyFormat,
    body: Record<string, unknown>,
  ): Promise<GuardOutcome<Record<string, unknown>>>;
  checkResponse(ir: IrResponse): Promise<GuardOutcome<IrResponse>>;
  /**
   * A masker for one streamed response, or undefined when there are no response guards.
   * Webhook guards cannot judge deltas: when `streamsNeedBuffering` is true the pipeline must
   * collect the stream and use checkResponse instead.
   */
  createStreamGuard(): StreamGuard | undefined;
  readonly streamsNeedBuffering: boolean;
}

export function compileGuard(cfg: GuardConfig, deps: WebhookDeps): CompiledGuard {
  if (cfg.regex !== undefined) return createRegexGuard(cfg);
  if (cfg.blocklist !== undefined) return createBlocklistGuard(cfg);
  if (cfg.webhook !== undefined) return createWebhookGuard(cfg, deps);
  throw new Error("a guard needs one of regex, blocklist or webhook");
}

export function guardRejection(rejection: Rejection, message?: string): GatewayError {
  return new GatewayError(rejection.status, "guardrail_rejected", message ?? rejection.message);
}

async function runChain<T>(
  guards: readonly CompiledGuard[],
  slots: TextSlots<T>,
  original: T,
  phase: Extract<PolicyPhase, "request" | "response">,
): Promise<GuardOutcome<T>> {
  const events: PolicyEvent[] = [];
  let texts = slots.texts;
  let changed = false;
  for (const g of guards) {
    if (g.kind === "webhook") {
      if (texts.length === 0) continue;
      const v = await g.check(texts, phase);
      if (v.action === "pass") events.push(policyEvent("promptGuard", phase, "allow", "webhook"));
      else if (v.action === "mask") {
        events.push(policyEvent("promptGuard", phase, "mask", "webhook"));
        texts = v.texts;
        changed = true;
      } else if (v.action === "reject") {
        events.push(policyEvent("promptGuard", phase, "reject", "webhook"));
        return { ok: false, error: guardRejection(g.rejection, v.message), events };
      } else if (g.failureMode === "failOpen") {
        events.push(policyEvent("promptGuard", phase, "failOpen", "webhook"));
      } else {
        events.push(policyEvent("promptGuard", phase, "reject", "webhook"));
        return { ok: false, error: guardRejection(g.rejection), events };
      }
      continue;
    }
    let hits = 0;
    const next: string[] = [];
    for (const t of texts) {
      const r = g.scan(t);
      hits += r.hits.length;
      if (g.action === "reject" && r.hits.length > 0) {
        events.push(policyEvent("promptGuard", phase, "reject", g.kind));
        return { ok: false, error: guardRejection(g.rejection), events };
      }
      next.push(r.out);
    }
    if (hits > 0) {
      texts = next;
      changed = true;
    }
    events.push(policyEvent("promptGuard", phase, hits > 0 ? "mask" : "allow", g.kind));
  }
  return { ok: true, value: changed ? slots.rebuild(texts) : original, events };
}

export function createPromptGuard(
  cfg: NonNullable<AiPolicyConfig["promptGuard"]>,
  deps: WebhookDeps = {},
): PromptGuard {
  const request = Object.freeze((cfg.request ?? []).map((g) => compileGuard(g, deps)));
  const response = Object.freeze((cfg.response ?? []).map((g) => compileGuard(g, deps)));
  const streamGuards = response.filter((g): g is SyncGuard => g.kind !== "webhook");
  const streamsNeedBuffering = response.some((g) => g.kind === "webhook");
  return Object.freeze({
    request,
    response,
    streamsNeedBuffering,
    checkRequest: (ir: IrRequest) => runChain(request, requestTexts(ir), ir, "request"),
    checkRequestBody: (format: GuardedBodyFormat, body: Record<string, unknown>) =>
      runChain(request, bodyTexts(format, body), body, "request"),
    checkResponse: (ir: IrResponse) => runChain(response, responseTexts(ir), ir, "response"),
    createStreamGuard: () => (streamGuards.length === 0 ? undefined : createStreamGuard(streamGuards)),
  });
}
