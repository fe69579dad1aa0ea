/**
 * What the gateway knows about one request, filled in as it goes and logged once when the
 * response ends (the access-log line). Later issues add fields (key name, cost, ...); the
 * shape stays flat so a log line is one object.
 */
import type { Logger } from "pino";
import type { RouteTypeName } from "../config/schema.js";

export interface RequestRecord {
  id: string;
  method: string;
  /** Without the query string (which may carry secrets). */
  path: string;
  port: number;
  listener: string | undefined;
  route: string | undefined;
  backend: string | undefined;
  routeType: RouteTypeName | undefined;
  status: number;
  durationMs: number;
  /** The model the caller asked for. */
  model: string | undefined;
  /** The model the upstream says answered. */
  responseModel: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** The gateway error code, or "client_aborted" / "upstream_aborted". */
  error: string | undefined;
  /** process.hrtime.bigint() at arrival. */
  startNs: bigint;
}

export function newRecord(id: string, method: string, path: string, port: number): RequestRecord {
  return {
    id,
    method,
    path,
    port,
    listener: undefined,
    route: undefined,
    backend: undefined,
    routeType: undefined,
    status: 0,
    durationMs: 0,
    model: undefined,
    responseModel: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    error: undefined,
    startNs: process.hrtime.bigint(),
  };
}

export function logRecord(logger: Logger, r: RequestRecord): void {
  r.durationMs = Number(process.hrtime.bigint() - r.startNs) / 1e6;
  logger.info(
    {
      requestId: r.id,
      method: r.method,
      path: r.path,
      port: r.port,
      listener: r.listener,
      route: r.route,
      backend: r.backend,
      routeType: r.routeType,
      status: r.status,
      durationMs: Math.round(r.durationMs * 1000) / 1000,
      model: r.model,
      responseModel: r.responseModel,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      error: r.error,
    },
    "request",
  );
}
