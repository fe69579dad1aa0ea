/**
 * `agw explain`: how a model resolves, in words. Layer, routing path, strategy, every target
 * in order with its weight, provider, upstream model and credential SOURCE (never a key),
 * and — for a request path — its route type and the format translation it implies.
 */
import type { RouteTypeName } from "../../config/schema.js";
import { upstreamPath } from "../../http/upstream-target.js";
import type { Candidate, CandidateAuth, RetryPolicy } from "../../runtime/plan.js";
import type { IrFormat } from "../formats/ir.js";
import { apiPathFor, keyHeaderNames, wireFormatFor } from "../providers/spec.js";
import { isOpaqueRouteType, type RouteTypeTable, routeTypeFor } from "../route-types.js";
import type { OpaqueExplanation } from "./explain-opaque.js";
import { type Member, pathLabel, type Resolution, type ResolutionLayer } from "./resolution.js";

const LAYER_TEXT: Readonly<Record<ResolutionLayer, string>> = {
  providerPrefix: "provider prefix (provider::model forces passthrough to that provider)",
  routePrefix: "route prefix (route::name)",
  functionPrefix: "function prefix (function::name)",
  function: "function (L3): a function has this name",
  route: "route (L2): an explicit route lists this model",
  bareTarget: "route (L2): a target serves its own model (no explicit route claims it)",
  modelEntry: "model entry: an exact llm.models entry",
  provider: "provider (L1): a provider's models list it (passthrough)",
  modelPattern: "model pattern: an llm.models pattern",
  bindsRoute: "binds route: the route's ai backends",
};

const FORMAT_OF: Partial<Readonly<Record<RouteTypeName, string>>> = {
  completions: "OpenAI Chat Completions",
  messages: "Anthropic Messages",
  responses: "OpenAI Responses",
  embeddings: "OpenAI Embeddings",
  anthropicTokenCount: "Anthropic count_tokens",
  generateContent: "Gemini generateContent",
  geminiCountTokens: "Gemini countTokens",
  models: "model list",
};

export function describeAuth(auth: CandidateAuth): string {
  switch (auth.kind) {
    case "managed":
      return `${auth.source} (managed: the gateway's key; the caller's key is never sent)`;
    case "caller":
      return "the caller's key (Authorization or x-api-key), moved to the provider's header; 401 without one";
    case "managedFirst":
      return auth.key === undefined
        ? `the caller's key (managedFirst: ${auth.source} is not set)`
        : `${auth.source} (managedFirst: the managed key wins over the caller's)`;
    case "authorizer":
      return `${auth.source} (obtained by the gateway; the caller's key is never sent)`;
    case "none":
      return "none (mock provider)";
  }
}

function upstreamText(c: Candidate): string {
  const u = c.upstream;
  return u === undefined ? "built in (no remote endpoint)" : `${u.connectOrigin}${u.basePath}`;
}

function retryText(r: RetryPolicy): string {
  if (r.attempts === 0) return "none";
  return `${r.attempts} after the first try, backoff ${r.backoffMs}ms doubling with jitter, Retry-After up to ${r.maxRetryAfterMs}ms, on ${[...r.codes].join(", ")}`;
}

const CLIENT_FORMAT: Partial<Readonly<Record<RouteTypeName, IrFormat>>> = {
  completions: "openai-chat",
  messages: "anthropic-messages",
  responses: "openai-responses",
  generateContent: "gemini",
};

const FORMAT_TITLE: Readonly<Record<IrFormat, string>> = {
  "openai-chat": "OpenAI Chat Completions",
  "anthropic-messages": "Anthropic Messages",
  "openai-responses": "OpenAI Responses",
  gemini: "Gemini generateContent",
  "bedrock-converse": "Bedrock Converse",
};

/** The URL a request of this route type goes to, for a translated or same-format chat request. */
function requestUrlText(routeType: RouteTypeName, c: Candidate, requested: string): string | undefined {
  const client = CLIENT_FORMAT[routeType];
  const u = c.upstream;
  if (client === undefined || u === undefined) return undefined;
  const wire = wireFormatFor(c.provider, c.responsesApi, client, c.model ?? requested);
  if (wire === "local") return undefined;
  return `${u.connectOrigin}${upstreamPath(u, apiPathFor(c.provider, wire, c.model ?? requested), -1)}`;
}

/** What a caller's format becomes for this candidate's provider. */
export function translationText(routeType: RouteTypeName, c: Candidate): string {
  if (isOpaqueRouteType(routeType)) return "none: forwarded untouched";
  const from = FORMAT_OF[routeType] ?? routeType;
  const spec = c.provider;
  const native = `none: ${from} is native to ${c.providerName}`;
  if (routeType === "models") return "none: answered from the config";
  if (spec.native === "local") return `${from} answered by ${spec.title}`;
  if (routeType === "anthropicTokenCount") {
    if (spec.tokenCount === "forward") return native;
    if (spec.tokenCount === "estimate")
      return "estimated by agw (o200k_base tokenizer; x-agw-token-count: estimated)";
    return `not served by ${spec.title} providers (501)`;
  }
  const client = CLIENT_FORMAT[routeType];
  if (client === undefined) return spec.embeddings ? native : `not served by ${spec.title} providers (501)`;
  const wire = wireFormatFor(spec, c.responsesApi, client, c.model);
  if (wire === client || wire === "local") return native;
  const note =
    client === "openai-responses" && spec.responsesApi && !c.responsesApi ? " (responsesApi: false)" : "";
  return `${from} → ${FORMAT_TITLE[wire]}${note}`;
}

function memberLines(
  members: readonly Member[],
  indent: string,
  routeType: RouteTypeName | undefined,
  requested: string,
): string[] {
  const lines: string[] = [];
  members.forEach((m, i) => {
    const n = `${indent}${i + 1}.`;
    if (m.kind === "model") {
      const r = m.resolution;
      lines.push(`${n} model ${m.model} → ${pathLabel(r.path)} (${r.strategy}), weight ${m.weight}`);
      lines.push(...memberLines(r.members, `${indent}   `, routeType, m.model));
      return;
    }
    const c = m.candidate;
    lines.push(`${n} ${c.name}  weight ${m.weight}`);
    const pad = `${indent}   `;
    lines.push(`${pad}provider:       ${c.providerName} (${c.provider.kind}) at ${upstreamText(c)}`);
    lines.push(`${pad}upstream model: ${c.model ?? requested}`);
    const url = routeType === undefined ? undefined : requestUrlText(routeType, c, requested);
    if (url !== undefined) lines.push(`${pad}request URL:    ${url}`);
    const headers = keyHeaderNames(c.provider);
    lines.push(
      `${pad}credential:     ${describeAuth(c.auth)}${headers.length === 0 ? "" : ` (sent as ${headers.join(", ")})`}`,
    );
    lines.push(`${pad}timeouts:       ${c.headersTimeoutMs}ms to headers, ${c.bodyTimeoutMs}ms stream idle`);
    if (routeType !== undefined) lines.push(`${pad}translation:    ${translationText(routeType, c)}`);
  });
  return lines;
}

export interface ExplainOptions {
  /** A request path, e.g. /v1/chat/completions. */
  readonly path?: string;
  /** The route's ai.routes table, to tell the path's route type. */
  readonly routeTypes?: RouteTypeTable;
  /** Where the route's opaque paths go and what they carry (shown instead of the targets). */
  readonly opaque?: OpaqueExplanation;
}

function opaqueLines(o: OpaqueExplanation): string[] {
  const lines = ["opaque path: forwarded untouched; the model is not read, so model routing does not apply"];
  if (o.upstream !== undefined) lines.push(`  upstream:   ${o.upstream}`);
  lines.push(`  credential: ${o.credential}`);
  if (o.keys !== undefined) lines.push(`  gateway keys: ${o.keys}`);
  return lines;
}

export function explainResolution(res: Resolution, options: ExplainOptions = {}): string {
  const routeType =
    options.path !== undefined && options.routeTypes !== undefined
      ? routeTypeFor(options.routeTypes, options.path)
      : undefined;
  const lines = [
    `model:      ${res.requestedModel}`,
    `layer:      ${LAYER_TEXT[res.layer]}${res.pattern === undefined ? "" : ` "${res.pattern}"`}`,
    `path:       ${pathLabel(res.path)}`,
    `strategy:   ${res.strategy}`,
    `retry:      ${retryText(res.retry)}`,
  ];
  if (options.path !== undefined && routeType !== undefined) {
    lines.push(`route type: ${routeType} (${options.path})`);
    if (isOpaqueRouteType(routeType) && options.opaque !== undefined) {
      lines.push(...opaqueLines(options.opaque));
      return `${lines.join("\n")}\n`;
    }
  }
  lines.push("targets, in order:");
  lines.push(...memberLines(res.members, "  ", routeType, res.requestedModel));
  return `${lines.join("\n")}\n`;
}
