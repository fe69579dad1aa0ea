/**
 * The gateway phase of a route's policies (POLICY_ORDER.gateway), run by the engine for every
 * route that has `policies`, before any backend: a CORS preflight answered locally, the gateway
 * key, the request rate limit, then the request header modifier kept for whoever builds the
 * upstream request (opaque proxy or LLM pipeline).
 *
 * Response headers (CORS, responseHeaderModifier, x-ratelimit-*) are applied in one place, at
 * `writeHead` of this response, so every writer gets them — proxy, pipeline, local answers and
 * the error boundary alike — without each one knowing about policies.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { GatewayError } from "../errors.js";
import { type ErrorEnvelope, envelopeOf, writeGatewayError } from "../http/error-response.js";
import { notePolicyEvents, type RequestRecord } from "../http/record.js";
import type { GatewayPolicyState } from "../llm/pipeline/context.js";
import { routeTypeFor } from "../llm/route-types.js";
import type { GatewayKey } from "../policies/api-key.js";
import type { BudgetDecision } from "../policies/budget.js";
import type { CompiledPolicies } from "../policies/compile.js";
import { policyEvent } from "../policies/events.js";
import { runPolicyPhase } from "../policies/order.js";
import { type RateDecision, rateLimitHeaders } from "../policies/rate-limit.js";
import type { RouteRuntime } from "../runtime/snapshot.js";

type Stop = { readonly kind: "answer"; readonly status: number; readonly headers: Record<string, string> };

function envelopeFor(route: RouteRuntime, path: string): ErrorEnvelope {
  if (route.routeTypes === undefined) return "openai";
  return envelopeOf(routeTypeFor(route.routeTypes, path));
}

/** Removes a header from the request so no later step (proxy, pipeline) can forward it. */
function dropRequestHeader(req: IncomingMessage, lower: string): void {
  delete req.headers[lower];
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== lower) kept.push(raw[i]!, raw[i + 1]!);
  }
  req.rawHeaders = kept;
}

function flatHeaders(headers: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out.push(String(headers[i]), String(headers[i + 1]));
    return out;
  }
  if (typeof headers === "object" && headers !== null) {
    for (const [k, v] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const one of v) out.push(k, String(one));
      else out.push(k, String(v));
    }
  }
  return out;
}

const CORS_OWNED = new Set([
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-expose-headers",
]);

/**
 * Wraps this response's writeHead so the final header list gets, in order: the phase's extra
 * headers (replacing), the CORS headers (replacing the upstream's own CORS answer), then the
 * responseHeaderModifier. Headers set earlier with setHeader are folded in, so nothing escapes.
 */
function hookResponseHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  policy: CompiledPolicies,
  state: { responseHeaders: Record<string, string>; corsDone: boolean },
  record: RequestRecord,
): void {
  const original = res.writeHead as (
    this: ServerResponse,
    status: number,
    ...rest: [string, string[]] | [string[]]
  ) => ServerResponse;
  const edit = (given: unknown): string[] => {
    let flat = flatHeaders(given);
    for (const name of res.getHeaderNames()) {
      flat.push(...flatHeaders({ [name]: res.getHeader(name) }));
      res.removeHeader(name);
    }
    const extra = Object.entries(state.responseHeaders);
    const cors =
      policy.cors === undefined || state.corsDone
        ? []
        : Object.entries(policy.cors.responseHeaders(req.headers));
    if (extra.length > 0 || cors.length > 0) {
      const replaced = new Set(extra.map(([k]) => k.toLowerCase()));
      if (cors.length > 0) for (const k of CORS_OWNED) replaced.add(k);
      const kept: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (!replaced.has(flat[i]!.toLowerCase())) kept.push(flat[i]!, flat[i + 1]!);
      }
      for (const [k, v] of extra) kept.push(k, v);
      for (const [k, v] of cors) kept.push(k, v);
      flat = kept;
    }
    const mod = policy.responseHeaders;
    if (mod !== undefined && !mod.empty) {
      flat = mod.apply(flat);
      notePolicyEvents(record, [policyEvent("responseHeaderModifier", "response", "allow")]);
    }
    return flat;
  };
  res.writeHead = function writeHead(this: ServerResponse, status: number, a?: unknown, b?: unknown) {
    if (typeof a === "string") return original.call(this, status, a, edit(b));
    return original.call(this, status, edit(a));
  } as ServerResponse["writeHead"];
}

function writeStop(res: ServerResponse, stop: Stop, requestId: string, record: RequestRecord): void {
  record.status = stop.status;
  res.writeHead(stop.status, { ...stop.headers, "content-length": 0, "x-agw-request-id": requestId });
  res.end();
}

/**
 * Runs the gateway phase. Returns the state for the backend side, "answered" when the request
 * has been answered here (preflight, 401/403, 429 — in the caller's envelope), or undefined
 * when the route has no policies.
 */
export async function runGatewayPolicies(
  req: IncomingMessage,
  res: ServerResponse,
  route: RouteRuntime,
  record: RequestRecord,
  path: string,
): Promise<GatewayPolicyState | "answered" | undefined> {
  const policy = route.policy;
  if (policy === undefined) return undefined;
  const hooked = { responseHeaders: {} as Record<string, string>, corsDone: false };
  if (policy.cors !== undefined || policy.responseHeaders !== undefined || policy.rateLimit !== undefined) {
    hookResponseHeaders(req, res, policy, hooked, record);
  }
  let key: GatewayKey | undefined;
  let editRequestHeaders: GatewayPolicyState["editRequestHeaders"];
  let failure: GatewayError | undefined;
  const stop = await runPolicyPhase<"gateway", undefined, Stop | "error">(
    "gateway",
    {
      cors: () => {
        const answer = policy.cors?.preflight(req.method ?? "GET", req.headers);
        if (answer === undefined) return undefined;
        notePolicyEvents(record, [answer.event]);
        hooked.corsDone = true;
        return { kind: "answer", status: answer.status, headers: { ...answer.headers } };
      },
      apiKey: () => {
        const apiKey = policy.apiKey;
        if (apiKey === undefined) return undefined;
        const r = apiKey.authenticate(req.headers);
        notePolicyEvents(record, [r.event]);
        // Whatever the outcome, the key header never travels further.
        dropRequestHeader(req, apiKey.header);
        if (!r.ok) {
          failure = r.error;
          return "error";
        }
        key = r.key;
        record.keyName = r.key.name;
        return undefined;
      },
      budget: () => {
        const budget = policy.budget;
        if (budget === undefined) return undefined;
        const keyName = key?.name;
        const apply = (d: BudgetDecision): "error" | undefined => {
          notePolicyEvents(record, [d.event]);
          if (!d.ok) {
            failure = d.error;
            return "error";
          }
          record.chargeSpend = (usd) => budget.charge(keyName, usd);
          return undefined;
        };
        const d = budget.check(keyName);
        return d instanceof Promise ? d.then(apply) : apply(d);
      },
      requestRateLimit: () => {
        const limiter = policy.rateLimit;
        if (limiter === undefined || !limiter.hasRequestBuckets) return undefined;
        const apply = (d: RateDecision): "error" | undefined => {
          notePolicyEvents(record, [d.event]);
          if (!d.ok) {
            failure = d.error;
            return "error";
          }
          Object.assign(hooked.responseHeaders, rateLimitHeaders(d));
          return undefined;
        };
        // Synchronous unless the buckets are shared by the workers (kept by the primary).
        const d = limiter.takeRequest(key?.name);
        return d instanceof Promise ? d.then(apply) : apply(d);
      },
      requestHeaderModifier: () => {
        const mod = policy.requestHeaders;
        if (mod === undefined || mod.empty) return undefined;
        editRequestHeaders = (flat) => mod.apply(flat);
        notePolicyEvents(record, [policyEvent("requestHeaderModifier", "gateway", "allow")]);
        return undefined;
      },
    },
    undefined,
  );
  if (stop === "error" && failure !== undefined) {
    record.error = failure.code;
    const written = writeGatewayError(res, failure, record.id, envelopeFor(route, path));
    if (written !== false) {
      record.error = written.code;
      record.status = written.status;
    }
    return "answered";
  }
  if (stop !== undefined && stop !== "error") {
    writeStop(res, stop, record.id, record);
    return "answered";
  }
  return { policy, key, editRequestHeaders, responseHeaders: hooked.responseHeaders };
}
