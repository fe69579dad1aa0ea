/**
 * The running engine: one node:http server per bind port, all serving from one immutable
 * snapshot (Runtime). `swap` replaces the snapshot whole: a request captures the snapshot it
 * arrived on and keeps it to the end; ports the new snapshot adds are opened (before the
 * swap, so a port that cannot be opened leaves the old snapshot serving), ports it drops are
 * closed once their requests in flight have finished. `drain` stops accepting and waits
 * for requests in flight up to a deadline, then cuts the rest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { logRecord, newRecord } from "../http/record.js";
import { applyServerLimits, serverOptions } from "../http/server-limits.js";
import type { LlmPipeline } from "../llm/pipeline/context.js";
import { createLlmPipeline } from "../llm/pipeline/pipeline.js";
import type { RequestObserver } from "../observability/observer.js";
import { TimedResponse } from "../observability/timed-response.js";
import type { BindRuntime, Runtime } from "../runtime/snapshot.js";
import { type HandlerDeps, handleRequest } from "./handler.js";
import { type DispatcherFactory, PoolCache } from "./pool-cache.js";
import { settleCost } from "./request-cost.js";
import { createRequestIds } from "./request-id.js";

export interface GatewayOptions {
  runtime: Runtime;
  logger: Logger;
  /** How upstream connections are made (tests dial a local socket). */
  dispatcherFactory?: DispatcherFactory;
  /** Uniform in [0, 1), for weighted backend choice. */
  random?: () => number;
  /** The LLM pipeline for parsed route types (tests may pass their own). */
  pipeline?: LlmPipeline;
  requestIdPrefix?: string;
  /** Access log, metrics, recent requests and tracing; a plain access-log line when absent. */
  observer?: RequestObserver;
}

export interface Gateway {
  /** The snapshot new requests get. */
  current(): Runtime;
  /** Opens added ports, swaps the snapshot, closes removed ports (after their requests end). */
  swap(runtime: Runtime): Promise<void>;
  /** Stops accepting, waits for requests in flight up to `deadlineMs`, then cuts the rest. */
  drain(deadlineMs?: number): Promise<void>;
  /** Listening addresses by configured port. */
  addresses(): Map<number, AddressInfo>;
  /** Requests in flight on every port. */
  inFlight(): number;
  /** Upstreams with an open connection pool (closed once no live snapshot uses them). */
  upstreamPools(): string[];
}

interface PortServer {
  port: number;
  server: Server;
  /** The bind last configured for this port (serves requests while a removed port drains). */
  bind: BindRuntime;
  inflight: number;
  closing: boolean;
  closed: Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, observer } = options;
  const pools = new PoolCache(options.dispatcherFactory);
  const deps: HandlerDeps = {
    logger,
    pools,
    random: options.random ?? Math.random,
    pipeline: options.pipeline ?? createLlmPipeline({ logger, pools }),
  };
  const nextId = createRequestIds(options.requestIdPrefix);
  const ports = new Map<number, PortServer>();
  const closingPorts = new Set<PortServer>();
  /** Snapshots with requests in flight; a snapshot absent here and not current is released. */
  const busySnapshots = new Set<Runtime>();
  let current = options.runtime;
  let total = 0;
  let draining = false;
  let idleWaiters: Array<() => void> = [];

  pools.retain(current);

  const retire = (rt: Runtime): void => {
    if (rt !== current && !busySnapshots.has(rt)) pools.release(rt);
  };

  const finishPortIfIdle = (ps: PortServer): void => {
    if (!ps.closing) return;
    // Let the socket go idle first (it is marked idle after the response is done).
    setImmediate(() => {
      ps.server.closeIdleConnections();
      if (ps.inflight === 0) ps.server.closeAllConnections();
    });
  };

  /** The current snapshot's count of requests in flight (no map lookup per request). */
  let currentCount = { runtime: current, n: 0 };

  const onRequest = (ps: PortServer) => (req: IncomingMessage, res: ServerResponse) => {
    const runtime = current;
    if (currentCount.runtime !== runtime) currentCount = { runtime, n: 0 };
    const count = currentCount;
    const bind = runtime.binds.get(ps.port) ?? ps.bind;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const record = newRecord(nextId(), req.method ?? "GET", q === -1 ? url : url.slice(0, q), ps.port);
    observer?.start(req, res, record);
    ps.inflight++;
    total++;
    if (count.n++ === 0) busySnapshots.add(runtime);
    // 'close' comes once per response: `on` spares the wrapper `once` builds.
    res.on("close", () => {
      ps.inflight--;
      total--;
      if (--count.n === 0) {
        busySnapshots.delete(runtime);
        retire(runtime);
      }
      if (record.status === 0 && res.headersSent) record.status = res.statusCode;
      // Closed before the answer was complete: whatever stage it was in, the client left.
      if (!res.writableFinished) record.error ??= "client_aborted";
      settleCost(record, runtime.catalog);
      if (observer === undefined) logRecord(logger, record);
      else observer.end(record);
      finishPortIfIdle(ps);
      if (total === 0 && idleWaiters.length > 0) {
        const w = idleWaiters;
        idleWaiters = [];
        for (const fn of w) fn();
      }
    });
    void handleRequest(req, res, runtime, bind, record, deps);
  };

  const openPort = async (bind: BindRuntime): Promise<PortServer> => {
    // Limits come from the snapshot the port opens with (process settings, read at start).
    const limits = current.process.clientLimits;
    // TimedResponse: the observer's time-to-first-byte stamp without a closure per response.
    const server = createServer({ ...serverOptions(limits), ServerResponse: TimedResponse });
    applyServerLimits(server, limits);
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => {
      resolveClosed = r;
    });
    server.once("close", () => resolveClosed());
    const ps: PortServer = { port: bind.port, server, bind, inflight: 0, closing: false, closed };
    server.on("request", onRequest(ps));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(bind.port, bind.address, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    logger.info({ address: a.address, port: a.port }, `listening on ${a.address}:${a.port}`);
    return ps;
  };

  const closePort = (ps: PortServer): void => {
    if (ps.closing) return;
    ps.closing = true;
    closingPorts.add(ps);
    ps.server.close();
    ps.server.closeIdleConnections();
    if (ps.inflight === 0) ps.server.closeAllConnections();
    void ps.closed.then(() => {
      closingPorts.delete(ps);
      logger.info({ port: ps.port }, `stopped listening on port ${ps.port}`);
    });
  };

  const opened: PortServer[] = [];
  try {
    for (const bind of current.binds.values()) opened.push(await openPort(bind));
  } catch (err) {
    for (const ps of opened) closePort(ps);
    await pools.closeAll();
    throw err;
  }
  for (const ps of opened) ports.set(ps.port, ps);

  return {
    current: () => current,
    inFlight: () => total,
    upstreamPools: () => pools.keys(),
    addresses() {
      const out = new Map<number, AddressInfo>();
      for (const [port, ps] of ports) out.set(port, ps.server.address() as AddressInfo);
      return out;
    },
    async swap(next) {
      if (draining) return;
      const added: PortServer[] = [];
      try {
        for (const bind of next.binds.values()) {
          const existing = ports.get(bind.port);
          if (existing === undefined) added.push(await openPort(bind));
          else if (existing.bind.address !== bind.address) {
            logger.warn(
              { port: bind.port },
              `port ${bind.port}: a new listen address takes effect on restart; still on ${existing.bind.address}`,
            );
          }
        }
      } catch (err) {
        for (const ps of added) closePort(ps);
        throw err;
      }
      pools.retain(next);
      const previous = current;
      current = next;
      retire(previous);
      for (const ps of added) ports.set(ps.port, ps);
      for (const [port, ps] of ports) {
        const bind = next.binds.get(port);
        if (bind === undefined) {
          ports.delete(port);
          closePort(ps);
        } else ps.bind = bind;
      }
    },
    async drain(deadlineMs = current.process.drainTimeoutMs) {
      draining = true;
      const all = [...ports.values(), ...closingPorts];
      ports.clear();
      for (const ps of all) closePort(ps);
      if (total > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((r) => idleWaiters.push(r)),
          new Promise<void>((r) => {
            timer = setTimeout(r, deadlineMs);
          }),
        ]);
        clearTimeout(timer);
        if (total > 0)
          logger.warn({ inFlight: total }, "drain deadline reached; closing remaining connections");
      }
      for (const ps of all) ps.server.closeAllConnections();
      await Promise.all(all.map((ps) => ps.closed));
      await pools.closeAll();
    },
  };
}
