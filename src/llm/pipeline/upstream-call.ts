/**
 * One HTTP request to a candidate's upstream through the engine's pools (undici), with the
 * route's header and idle-body timeouts, aborted when the client goes away. An error status
 * is returned as an UpstreamFailure with its body kept, so routing can retry and the
 * pipeline can rewrite the last one into the caller's envelope.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { GatewayError } from "../../errors.js";
import { decodedBody, withheldBody } from "../../http/echo-free-answer.js";
import { type CallerHeaderRule, forwardedRequestHeaders } from "../../http/forward-headers.js";
import {
  isUpstreamTimeout,
  UPSTREAM_TIMEOUT_MESSAGE,
  UPSTREAM_UNREACHABLE_MESSAGE,
} from "../../http/upstream-failure.js";
import { upstreamPath } from "../../http/upstream-target.js";
import { upstreamTraceparent } from "../../observability/tracing.js";
import type { Candidate, UpstreamFailure } from "../../runtime/plan.js";
import type { UpstreamTarget } from "../../runtime/upstream.js";
import type { ProviderSpec } from "../providers/spec.js";
import { appendAuth } from "./upstream-auth.js";
import {
  type ClientAbort,
  requestUpstream,
  UpstreamBody,
  type UpstreamResponse,
} from "./upstream-response.js";

/** Caller headers the pipeline sets itself for the upstream's format, or never forwards from a caller. */
function isPipelineOwned(lower: string): boolean {
  switch (lower) {
    case "content-length":
    case "content-type":
    case "accept":
    case "accept-encoding":
    case "authorization":
    case "x-api-key":
    case "x-goog-api-key":
    case "api-key":
    case "cookie":
      return true;
    default:
      return false;
  }
}

const SAME_FORMAT: CallerHeaderRule = Object.freeze({ copy: true, drop: isPipelineOwned });
const TRANSLATED: CallerHeaderRule = Object.freeze({ copy: false });

export interface HeaderOptions {
  /** Same-format: the caller's other headers (anthropic-version, anthropic-beta, ...) go along. */
  keepCallerHeaders: boolean;
  stream: boolean;
  /** The request-time credential's headers, for a candidate whose auth is an authorizer. */
  authorized?: readonly string[] | undefined;
  /** Headers the provider adds for the wire format (Bedrock's guardrail headers), name/value flat. */
  extra?: readonly string[] | undefined;
}

/**
 * The same-format rule, less the caller's headers of the names the gateway sends itself (a
 * signature's x-amz-* headers, a guardrail's): a second value beside the gateway's would break
 * the signature, or let the caller choose the operator's guardrail.
 */
function sameFormatRule(candidate: Candidate, extra: readonly string[] | undefined): CallerHeaderRule {
  // The common case (a key, no extra headers) allocates nothing.
  if (candidate.auth.kind !== "authorizer" && (extra === undefined || extra.length === 0)) return SAME_FORMAT;
  const owned = new Set<string>();
  if (candidate.auth.kind === "authorizer")
    for (const n of candidate.auth.authorizer.headerNames) owned.add(n);
  if (extra !== undefined) for (let i = 0; i < extra.length; i += 2) owned.add(extra[i]!.toLowerCase());
  if (owned.size === 0) return SAME_FORMAT;
  return { copy: true, drop: (lower) => isPipelineOwned(lower) || owned.has(lower) };
}

export function upstreamHeaders(
  req: IncomingMessage,
  candidate: Candidate,
  target: UpstreamTarget,
  opts: HeaderOptions,
): string[] {
  // The one forwarding rule of every path (hop-by-hop and Connection-named headers dropped,
  // Host, X-Forwarded-For/-Proto), copying the caller's other headers only on the same format.
  const out = forwardedRequestHeaders(
    req,
    target.hostHeader,
    opts.keepCallerHeaders ? sameFormatRule(candidate, opts.extra) : TRANSLATED,
  );
  out.push("content-type", "application/json");
  out.push("accept", opts.stream ? "text/event-stream" : "application/json");
  appendAuth(out, candidate, req.headers, opts.authorized);
  if (opts.extra !== undefined) out.push(...opts.extra);
  // Caller headers already carry it (rewritten to the gateway's span) when they are kept.
  const traceparent = opts.keepCallerHeaders ? undefined : upstreamTraceparent(req);
  if (traceparent !== undefined) out.push("traceparent", traceparent);
  return out;
}

/** Retry-After (seconds or an HTTP date) in ms. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const v = headers["retry-after"];
  if (typeof v !== "string" || v === "") return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return n * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const ERROR_BODY_LIMIT = 1024 * 1024;

/**
 * Reads a whole (bounded) body; a longer one is cut at the limit. Not async: an answer from
 * requestUpstream resolves straight from UpstreamBody.whole, without an async function's
 * promise around it (each wrapper costs microtask hops per request).
 */
export function readAll(body: AsyncIterable<unknown>, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  if (body instanceof UpstreamBody) return body.whole(limit);
  return readIterated(body, limit);
}

async function readIterated(body: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = c as Buffer;
    chunks.push(b);
    size += b.byteLength;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks);
}

/**
 * What a failed read of a success body (a JSON answer) becomes. Nothing has reached the client
 * yet, so a cut or an idle upstream is the gateway error the caller gets, not an internal error.
 */
export function answerReadError(err: unknown): GatewayError {
  if ((err as { code?: unknown } | null)?.code === "UND_ERR_BODY_TIMEOUT") {
    return new GatewayError(504, "upstream_timeout", "The upstream stopped sending its answer for too long.");
  }
  return new GatewayError(502, "upstream_unavailable", "The upstream connection failed during its answer.");
}

export interface UpstreamCall {
  dispatcher: Dispatcher;
  target: UpstreamTarget;
  /** The canonical API path, e.g. "/v1/chat/completions" (joined with the base URL's path). */
  path: string;
  headers: string[];
  body: string | Buffer;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  signal: ClientAbort;
  /** Where upstream time is noted (the request record): first request sent, last body ended. */
  timing?: { upstreamStartMs?: number; upstreamEndMs?: number };
  /**
   * The status an AWS error kind (x-amzn-ErrorType) is reported with, for a provider whose
   * errors are AWS's (Bedrock): retry and fallback go by the status the client is told.
   */
  errorStatus?: ProviderSpec["errorStatus"];
}

export type UpstreamResult =
  | { readonly ok: true; readonly response: UpstreamResponse }
  | { readonly ok: false; readonly failure: UpstreamFailure };

function failureOf(err: unknown): UpstreamFailure {
  return isUpstreamTimeout(err)
    ? { kind: "timeout", message: UPSTREAM_TIMEOUT_MESSAGE }
    : { kind: "connect", message: UPSTREAM_UNREACHABLE_MESSAGE };
}

/**
 * Sends the request; an error status comes back as a failure with its body read. Not async:
 * the answer is one reaction on the request's promise, not an async wrapper's resumption.
 */
export function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const timing = call.timing;
  if (timing !== undefined) timing.upstreamStartMs ??= performance.now();
  const onEnd =
    timing === undefined
      ? undefined
      : (): void => {
          timing.upstreamEndMs = performance.now();
        };
  return requestUpstream(
    call.dispatcher,
    {
      origin: call.target.connectOrigin,
      path: upstreamPath(call.target, call.path, -1),
      method: "POST",
      headers: call.headers,
      body: call.body,
      headersTimeout: call.headersTimeoutMs,
      bodyTimeout: call.bodyTimeoutMs,
    },
    call.signal,
    onEnd,
  ).then((response) => answered(response, call.errorStatus), notAnswered);
}

function notAnswered(err: unknown): UpstreamResult {
  return { ok: false, failure: failureOf(err) };
}

function answered(
  response: UpstreamResponse,
  errorStatus: UpstreamCall["errorStatus"],
): UpstreamResult | Promise<UpstreamResult> {
  return response.statusCode < 400 ? { ok: true, response } : statusFailure(response, errorStatus);
}

async function statusFailure(
  response: UpstreamResponse,
  errorStatus: UpstreamCall["errorStatus"],
): Promise<UpstreamResult> {
  let body: Buffer;
  try {
    body = await readAll(response.body, ERROR_BODY_LIMIT);
  } catch {
    body = Buffer.alloc(0);
  }
  // agw asks for no compression, but an upstream may compress anyway: the body is decoded
  // before it is read and searched for an echo of the key, or withheld when it cannot be.
  const encoding = response.headers["content-encoding"];
  if (typeof encoding === "string" && body.byteLength > 0) {
    const plain = await decodedBody(encoding, body);
    body = typeof plain === "string" ? Buffer.from(withheldBody(plain)) : plain;
  }
  response.body.destroy();
  const ra = retryAfterMs(response.headers);
  const awsType = response.headers["x-amzn-errortype"];
  // "ThrottlingException:http://internal.amazon.com/coral/..." names the type before the colon.
  const errorType = typeof awsType === "string" ? awsType.split(":")[0]!.slice(0, 128) : undefined;
  // AWS answers a quota with 400, which the client is told as 429.
  const status =
    (errorType === undefined || errorStatus === undefined ? undefined : errorStatus(errorType)) ??
    response.statusCode;
  const failure: UpstreamFailure = {
    kind: "status",
    status,
    body,
    message: `The upstream answered ${response.statusCode}.`,
    ...(ra === undefined ? {} : { retryAfterMs: ra }),
    ...(errorType === undefined ? {} : { errorType }),
    ...(typeof response.headers.date === "string" ? { date: response.headers.date } : {}),
  };
  return { ok: false, failure };
}
