/**
 * One request through the engine: listener → route → backend → route type → opaque proxy
 * or the LLM pipeline seam. Every failure ends in `writeGatewayError` (the one boundary).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import { envelopeOf, toGatewayError, writeGatewayError } from "../http/error-response.js";
import type { RequestRecord } from "../http/record.js";
import { tooManyHeaders } from "../http/server-limits.js";
import type { GatewayPolicyState, LlmPipeline } from "../llm/pipeline/context.js";
import { isOpaqueRouteType, type ParsedRouteType, routeTypeFor } from "../llm/route-types.js";
import type {
  AiBackendRuntime,
  BackendAuthRuntime,
  BackendRuntime,
  BindRuntime,
  OpaqueAuthRuntime,
  RouteRuntime,
  Runtime,
} from "../runtime/snapshot.js";
import { runGatewayPolicies } from "./gateway-policies.js";
import { selectListener, selectRoute } from "./match.js";
import { normalizePath } from "./normalize-path.js";
import type { PoolCache } from "./pool-cache.js";
import { proxyOpaque } from "./proxy.js";

export interface HandlerDeps {
  logger: Logger;
  pools: PoolCache;
  /** Uniform in [0, 1); injected so weighted choice is testable. */
  random: () => number;
  pipeline: LlmPipeline;
}

export function pickBackend(route: RouteRuntime, random: () => number): BackendRuntime {
  const list = route.backends;
  if (list.length === 1) return list[0]!;
  const r = random() * route.totalWeight;
  const cw = route.cumulativeWeights;
  for (let i = 0; i < cw.length; i++) if (r < cw[i]!) return list[i]!;
  return list[list.length - 1]!;
}

const ROUTE_NOT_FOUND = new GatewayError(404, "route_not_found", "No route matches this request.");
const NO_DEFAULT_MODEL = new GatewayError(
  404,
  "model_not_found",
  'Several providers could serve this path and the request names no model; add a "*" model entry.',
);
const BAD_PATH = new GatewayError(
  400,
  "invalid_path",
  "The request path has an encoded slash or backslash, a bad escape, or is not an absolute path.",
);
const TOO_MANY_HEADERS = new GatewayError(431, "too_many_headers", "The request has too many headers.", {
  connection: "close",
});
const NO_ENDPOINT = new GatewayError(501, "not_implemented", "This backend has no remote endpoint.");

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  runtime: Runtime;
  url: string;
  queryIndex: number;
  route: RouteRuntime;
  deps: HandlerDeps;
  /** The gateway phase's outcome when the route has policies. */
  gateway: GatewayPolicyState | undefined;
}

function forward(
  x: Exchange,
  backend: BackendRuntime,
  auth: BackendAuthRuntime,
  detect: boolean,
  body?: Uint8Array,
): Promise<void> {
  const target = backend.target;
  if (target === undefined) throw NO_ENDPOINT;
  x.record.backend = backend.name;
  return proxyOpaque({
    req: x.req,
    res: x.res,
    requestId: x.record.id,
    record: x.record,
    dispatcher: x.deps.pools.get(target),
    target,
    url: x.url,
    queryIndex: x.queryIndex,
    auth,
    provider: backend.kind === "ai" ? backend.provider : undefined,
    headersTimeoutMs: x.route.headersTimeoutMs,
    bodyTimeoutMs: x.route.bodyTimeoutMs,
    detect,
    ...(body === undefined ? {} : { body }),
    ...(x.gateway?.editRequestHeaders === undefined ? {} : { editHeaders: x.gateway.editRequestHeaders }),
  });
}

/**
 * The credential an opaque path carries: the managed key only where keyOnOpaquePaths lends
 * it, else the caller's own as it came. A caller without one, where a managed key is held
 * back, gets a 401 naming both ways out instead of the upstream's bare refusal.
 */
function opaqueCredential(opaque: OpaqueAuthRuntime, req: IncomingMessage): BackendAuthRuntime {
  const setting = opaque.withheldBy;
  if (
    setting !== undefined &&
    req.headers.authorization === undefined &&
    req.headers["x-api-key"] === undefined &&
    req.headers["api-key"] === undefined
  ) {
    throw new GatewayError(
      401,
      "unauthorized",
      `This path is passed through unparsed with the caller's own provider key: send it as Authorization: Bearer <key> (or x-api-key), or lend the gateway's key to such paths with ${setting}: true.`,
    );
  }
  return opaque.auth;
}

/**
 * Hands the request to its proxy or to the LLM pipeline. Not async (it throws synchronously,
 * into handleRequest's try): the promise it returns is the handler's own, without a wrapper.
 */
function dispatch(x: Exchange): Promise<void> {
  const { route, record } = x;
  // An llm-form route with only managed targets has no backend of its own: the model decides.
  const backend = route.backends.length === 0 ? undefined : pickBackend(route, x.deps.random);
  if (backend === undefined) {
    if (route.routeTypes === undefined) throw NO_ENDPOINT;
  } else if (backend.kind === "host" || route.routeTypes === undefined) {
    return forward(x, backend, route.backendAuth, false);
  }
  const path = x.queryIndex === -1 ? x.url : x.url.slice(0, x.queryIndex);
  const routeType = routeTypeFor(route.routeTypes, path);
  record.routeType = routeType;
  if (isOpaqueRouteType(routeType)) {
    // No model is read here, so a key that allowedModels limits needs allowOpaquePaths.
    const key = x.gateway?.key;
    const denied = key === undefined ? undefined : x.gateway?.policy.apiKey?.authorizeOpaquePath(key);
    if (denied !== undefined) throw denied;
    const table = route.llm;
    if (table === undefined) {
      if (backend === undefined) throw NO_ENDPOINT;
      return forward(x, backend, opaqueCredential(route.opaqueAuth, x.req), routeType === "detect");
    }
    // llm form: the path says nothing about the model; the default entry serves it.
    const entry = table.defaultEntry;
    if (entry === undefined) throw NO_DEFAULT_MODEL;
    const detect = routeType === "detect" || entry.passthrough === "detect";
    return forward(x, entry.backend, opaqueCredential(entry.opaque, x.req), detect);
  }
  // ---- The LLM pipeline seam: every parsed route type goes through here. ----
  return x.deps.pipeline.handle({
    req: x.req,
    res: x.res,
    requestId: record.id,
    record,
    runtime: x.runtime,
    route,
    routeType: routeType as ParsedRouteType,
    backend: route.llm === undefined ? (backend as AiBackendRuntime) : undefined,
    forward: (b, auth, body) => forward(x, b, auth, false, body),
    ...(x.gateway === undefined ? {} : { gateway: x.gateway }),
  });
}

/** Serves one request on `bind` of snapshot `runtime`. Never rejects. */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: Runtime,
  bind: BindRuntime,
  record: RequestRecord,
  deps: HandlerDeps,
): Promise<void> {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  // Routes match (and upstreams get) the canonical path only: no spelling bypasses a route.
  const path = normalizePath(q === -1 ? raw : raw.slice(0, q));
  const url = path === undefined ? raw : q === -1 ? path : path + raw.slice(q);
  const queryIndex = path === undefined ? q : q === -1 ? -1 : path.length;
  try {
    if (path === undefined) throw BAD_PATH;
    record.path = path;
    if (tooManyHeaders(req.rawHeaders, runtime.process.clientLimits)) throw TOO_MANY_HEADERS;
    const listener = selectListener(bind, req.headers.host);
    if (listener === undefined) throw ROUTE_NOT_FOUND;
    record.listener = listener.name;
    const route = selectRoute(
      listener,
      req.method ?? "GET",
      record.path,
      req.headers,
      queryIndex === -1 ? "" : url.slice(queryIndex + 1),
    );
    if (route === undefined) throw ROUTE_NOT_FOUND;
    record.route = route.name;
    // A route without policies skips the phase without an await (one promise less per request).
    const gateway =
      route.policy === undefined ? undefined : await runGatewayPolicies(req, res, route, record, record.path);
    if (gateway === "answered") return;
    await dispatch({ req, res, record, runtime, url, queryIndex, route, deps, gateway });
  } catch (err) {
    const ge = toGatewayError(err);
    if (ge.code === "internal_error") deps.logger.error({ err, requestId: record.id }, "request failed");
    record.error = ge.code;
    const written = writeGatewayError(res, ge, record.id, envelopeOf(record.routeType));
    if (written === false) return;
    if (written !== ge) {
      deps.logger.error(
        { requestId: record.id, error: ge.code },
        "a response header could not be written (invalid value); answered 500 instead",
      );
      record.error = written.code;
    }
    record.status = written.status;
  }
}
