/**
 * `config.workers: auto | N` with node:cluster. The primary serves no traffic: it forks the
 * workers (which all listen on the binds; cluster shares the ports between them), and it
 * owns everything that must be one per machine: /metrics (each worker's registry collected
 * over IPC and summed with prom-client's aggregator), the admin page (workers forward their
 * finished requests), readiness, the config watcher, and the rate-limit buckets
 * (cluster-buckets.ts: workers take from them over IPC).
 *
 * Reload: the primary watches the file and, once the file loads and compiles, tells every
 * worker to reload it; the config is in sync only when every worker applied it. One watcher
 * means one debounce, one validation and one place that knows whether all workers agree
 * (readiness, agw_config_synchronized); letting each worker watch would let them disagree
 * silently. SIGHUP to the primary reloads all of them.
 *
 * SIGINT/SIGTERM: the primary tells every worker to drain, waits for them to exit (up to the
 * drain timeout plus a grace period, then kills what is left), and exits.
 */
import type { Serializable } from "node:child_process";
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { Env } from "../config/credential.js";
import type { Config } from "../config/schema.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { RecentSink } from "../observability/recent.js";
import type { Runtime } from "../runtime/snapshot.js";
import type { Gateway } from "../server/gateway.js";
import { primaryBuckets } from "./cluster-buckets.js";
import { primarySpend } from "./cluster-spend.js";
import { type Operations, startOperations } from "./operations.js";
import { type ReadinessServer, readyUnless, startReadiness } from "./readiness.js";
import { type ConfigWatcher, watchConfig } from "./watch.js";

export const WORKER_ENV = "AGW_CLUSTER_WORKER";

/** How many workers `setting` means; 1 runs in-process without cluster. */
export function workerCount(
  setting: number | "auto" | undefined,
  cores: number = availableParallelism(),
): number {
  if (setting === "auto") return Math.max(1, cores);
  return setting ?? 1;
}

export function isClusterWorker(env: Env): boolean {
  return cluster.isWorker && env[WORKER_ENV] === "1";
}

// ---------------------------------------------------------------------------------------
// Messages between primary and workers

type ToWorker =
  | { type: "agw:reload"; id: number }
  | { type: "agw:metrics"; id: number }
  | { type: "agw:drain" };

type ToPrimary =
  | { type: "agw:listening" }
  | { type: "agw:reloaded"; id: number; ok: boolean }
  | { type: "agw:metrics"; id: number; metrics: MetricsJson }
  | { type: "agw:recent"; fields: string[] };

function isMessage(m: unknown): m is { type: string } {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}

// ---------------------------------------------------------------------------------------
// Worker side

export interface WorkerLink {
  /** Forwards finished requests to the primary's admin page (batched). */
  recentSink: RecentSink;
  /** Wires reload, metrics and drain requests from the primary; call once serving. */
  attach(parts: { watcher: ConfigWatcher; metrics: GatewayMetrics; drain: () => void }): void;
  /** Stops forwarding and lets the process exit (the IPC channel would keep it alive). */
  detach(): void;
}

const RECENT_FLUSH_MS = 100;

export function workerLink(): WorkerLink {
  const send = (m: ToPrimary): void => {
    if (process.connected) process.send?.(m);
  };
  // The entries' JSON fields, not the objects: one string each to hold and to send.
  let batch: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (batch.length === 0) return;
    send({ type: "agw:recent", fields: batch });
    batch = [];
  };
  let onMessage: ((m: unknown) => void) | undefined;
  return {
    recentSink: {
      add(_entry, fields) {
        batch.push(fields);
        // Bounded: a burst between flushes keeps only what the page can show.
        if (batch.length > 500) batch.shift();
        timer ??= setTimeout(flush, RECENT_FLUSH_MS);
      },
    },
    attach({ watcher, metrics, drain }) {
      onMessage = (m: unknown) => {
        if (!isMessage(m)) return;
        const msg = m as ToWorker;
        if (msg.type === "agw:reload") {
          void watcher.reload().then((ok) => {
            // The primary counts reloads once for the cluster; workers report sync only.
            metrics.setSynchronized(ok);
            send({ type: "agw:reloaded", id: msg.id, ok });
          });
        } else if (msg.type === "agw:metrics") {
          void metrics.registry
            .getMetricsAsJSON()
            .then((json) => send({ type: "agw:metrics", id: msg.id, metrics: json }));
        } else if (msg.type === "agw:drain") drain();
      };
      process.on("message", onMessage);
      send({ type: "agw:listening" });
    },
    detach() {
      clearTimeout(timer);
      flush();
      if (onMessage !== undefined) process.off("message", onMessage);
      if (process.connected) process.disconnect?.();
    },
  };
}

// ---------------------------------------------------------------------------------------
// Primary side

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface PrimaryOptions {
  file: string;
  env: Env;
  config: Config;
  runtime: Runtime;
  logger: Logger;
  watch: boolean;
  count: number;
  signals: SignalSource;
  /** Extra time after the drain timeout before a worker that has not exited is killed. */
  killGraceMs?: number;
  onStarted?: (handle: PrimaryHandle) => void;
}

export interface PrimaryHandle {
  watcher: ConfigWatcher;
  operations: Operations;
  readiness: ReadinessServer | undefined;
  workers(): number;
}

const IPC_TIMEOUT_MS = 5000;

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { logger } = options;
  let runtime = options.runtime;
  let draining = false;
  let nextId = 1;
  const listening = new Set<Worker>();
  const pending = new Map<number, { left: number; results: unknown[]; done: (r: unknown[]) => void }>();

  const workers = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  /** Sends a request to every live worker and collects one answer from each (bounded by a timeout). */
  const ask = (make: (id: number) => ToWorker): Promise<unknown[]> => {
    const live = workers().filter((w) => w.isConnected());
    const id = nextId++;
    if (live.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(entry.results);
      }, IPC_TIMEOUT_MS);
      const entry = {
        left: live.length,
        results: [] as unknown[],
        done: (r: unknown[]) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      pending.set(id, entry);
      for (const w of live) w.send(make(id));
    });
  };

  const answer = (id: number, value: unknown): void => {
    const p = pending.get(id);
    if (p === undefined) return;
    p.results.push(value);
    p.left--;
    if (p.left === 0) {
      pending.delete(id);
      p.done(p.results);
    }
  };

  let operations: Operations | undefined;
  const aggregated = async (): Promise<string> => {
    const own = operations === undefined ? [] : await operations.metrics.registry.getMetricsAsJSON();
    const parts = (await ask((id) => ({ type: "agw:metrics", id }))) as MetricsJson[];
    return AggregatorRegistry.aggregate([own, ...parts]).metrics();
  };

  operations = await startOperations({
    file: options.file,
    env: options.env,
    config: options.config,
    runtime,
    logger,
    stats: { metrics: aggregated, contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE },
  });
  const ops = operations;

  // The workers' rate-limit buckets: one budget per bucket for all of them.
  const buckets = primaryBuckets();
  // And their budget spend: one total per key for all of them.
  const spend = primarySpend();
  const replyTo =
    (worker: Worker) =>
    (answer: unknown): void => {
      if (worker.isConnected()) worker.send(answer as Serializable);
    };

  cluster.on("message", (worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.type.startsWith("agw:bucket:") && buckets.handle(m, replyTo(worker))) return;
    if (m.type.startsWith("agw:spend:") && spend.handle(m, replyTo(worker))) return;
    const msg = m as ToPrimary;
    switch (msg.type) {
      case "agw:listening":
        listening.add(worker);
        break;
      case "agw:reloaded":
        answer(msg.id, msg.ok);
        break;
      case "agw:metrics":
        answer(msg.id, msg.metrics);
        break;
      case "agw:recent":
        for (const f of msg.fields) ops.recent.addFields(f);
        break;
    }
  });

  const fork = (): Worker => cluster.fork({ ...options.env, [WORKER_ENV]: "1" });
  cluster.on("exit", (worker, code, signal) => {
    listening.delete(worker);
    if (draining) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
    fork();
  });

  // The watcher's "gateway": a swap is applied when every worker has reloaded the file.
  const broadcaster: Gateway = {
    current: () => runtime,
    async swap(next) {
      const results = await ask((id) => ({ type: "agw:reload", id }));
      const failed = results.length < listening.size || results.some((ok) => ok !== true);
      if (failed) throw new Error("not every worker applied the new configuration");
      runtime = next;
    },
    drain: async () => {},
    addresses: () => new Map(),
    inFlight: () => 0,
    upstreamPools: () => [],
  };
  const watcher = await watchConfig({
    file: options.file,
    env: options.env,
    gateway: broadcaster,
    logger,
    watch: options.watch,
    onSwap: (rt, config) => ops.applied(rt, config),
    onReload: (ok) => ops.reloaded(ok),
  });

  const count = options.count;
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count }, `started ${count} workers`);

  let readiness: ReadinessServer | undefined;
  const addr = options.config.config?.readinessAddr;
  if (addr !== undefined) {
    readiness = await startReadiness(addr, {
      ready: () =>
        draining
          ? { ok: false, reason: "draining" }
          : listening.size < count
            ? { ok: false, reason: `${listening.size} of ${count} workers listening` }
            : readyUnless(watcher.problem()),
    });
  }

  return new Promise<number>((resolveExit) => {
    const onHup = (): void => void watcher.reload();
    const onStop = (): void => {
      if (draining) return;
      draining = true;
      const deadline = runtime.process.drainTimeoutMs + (options.killGraceMs ?? 5000);
      logger.info({ workers: workers().length }, "draining workers");
      void (async () => {
        const exits = workers().map(
          (w) =>
            new Promise<void>((r) => {
              if (w.isDead()) r();
              else w.once("exit", () => r());
            }),
        );
        for (const w of workers()) if (w.isConnected()) w.send({ type: "agw:drain" } satisfies ToWorker);
        const timer = setTimeout(() => {
          for (const w of workers()) if (!w.isDead()) w.process.kill("SIGKILL");
        }, deadline);
        await Promise.all(exits);
        clearTimeout(timer);
        await watcher.close();
        await readiness?.close();
        await ops.close();
        options.signals.off("SIGINT", onStop);
        options.signals.off("SIGTERM", onStop);
        options.signals.off("SIGHUP", onHup);
        logger.info("stopped");
        logger.flush?.();
        resolveExit(0);
      })();
    };
    options.signals.on("SIGINT", onStop);
    options.signals.on("SIGTERM", onStop);
    options.signals.on("SIGHUP", onHup);
    options.onStarted?.({ watcher, operations: ops, readiness, workers: () => listening.size });
  });
}
