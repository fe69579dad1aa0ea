/**
 * `agw -f FILE`: load, compile, listen, watch, and drain on SIGINT/SIGTERM. Returns the
 * process exit code: 0 after a signal-driven drain, 1 for an invalid file, 2 when the
 * gateway cannot start (a port in use). SIGHUP reloads the file.
 */
import type { Logger } from "pino";
import { compileConfig } from "../config/compile.js";
import type { Env } from "../config/credential.js";
import { formatDiagnostic } from "../config/diagnostic.js";
import { loadConfigFile } from "../config/load.js";
import { interimSafeAgent } from "../http/interim-responses.js";
import { startupWarnings } from "../llm/routing/startup-warnings.js";
import { createLogger } from "../observability/log.js";
import type { PolicyDeps } from "../policies/compile.js";
import { createMemorySpendStore } from "../policies/spend-store.js";
import type { Runtime } from "../runtime/snapshot.js";
import { type Gateway, startGateway } from "../server/gateway.js";
import type { DispatcherFactory } from "../server/pool-cache.js";
import { isClusterWorker, runPrimary, workerCount, workerLink } from "./cluster.js";
import { ipcBucketStore, processChannel } from "./cluster-buckets.js";
import { ipcSpendStore } from "./cluster-spend.js";
import { type Operations, startOperations } from "./operations.js";
import { type ReadinessServer, readyUnless, startReadiness } from "./readiness.js";
import { connectRedis, type SharedRedis } from "./redis.js";
import { type ConfigWatcher, watchConfig } from "./watch.js";
import { releaseYoungGeneration } from "./young-generation.js";

/** Where signals come from; `process` in production, an emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ServeHandle {
  gateway: Gateway;
  watcher: ConfigWatcher;
  readiness: ReadinessServer | undefined;
  /** Metrics, recent requests, the admin and stats servers. */
  operations: Operations;
}

export interface ServeOptions {
  file: string;
  watch: boolean;
  env: Env;
  /** Built from the file's `config.logging` when absent. */
  logger?: Logger;
  stderr?: (text: string) => void;
  signals?: SignalSource;
  dispatcherFactory?: DispatcherFactory;
  /** Awaited after readiness opens and before the binds listen (tests probe "starting"). */
  beforeListen?: () => Promise<void>;
  /** Called once the gateway listens (tests use it to learn the addresses). */
  onStarted?: (handle: ServeHandle) => void;
}

export async function serve(options: ServeOptions): Promise<number> {
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const signals: SignalSource = options.signals ?? process;
  const loaded = await loadConfigFile(options.file, options.env);
  for (const w of loaded.warnings) stderr(`${formatDiagnostic(w)} (warning)\n`);
  if (!loaded.ok) {
    for (const e of loaded.errors) stderr(`${formatDiagnostic(e)}\n`);
    const n = loaded.errors.length;
    stderr(`${options.file}: invalid (${n} error${n === 1 ? "" : "s"})\n`);
    return 1;
  }
  const inWorker = isClusterWorker(options.env);
  const workers = workerCount(loaded.config.config?.workers);
  // globalRateLimit buckets live in Redis, connected by each process that serves requests
  // (not by a cluster's primary). Logged through the logger built below.
  let logger: Logger | undefined;
  const redisSettings = loaded.config.config?.redis;
  const redisAtStart = JSON.stringify(redisSettings ?? null);
  let lastRedisWarned: string | undefined;
  const redis: SharedRedis | undefined =
    redisSettings !== undefined && (inWorker || workers <= 1)
      ? await connectRedis(redisSettings, () => logger ?? createLogger({ level: "info", format: "json" }))
      : undefined;
  // In a worker, rate limits take from the primary's buckets: one budget for every worker.
  // Budget spend likewise: kept by the primary for every worker, else in this process (across reloads).
  const channel = inWorker ? processChannel() : undefined;
  // With Redis, spend is shared there, and the process's (or primary's) store is its floor.
  const localSpend = channel === undefined ? createMemorySpendStore() : ipcSpendStore(channel);
  const policyDeps: PolicyDeps = {
    // The prompt-guard webhook skips interim (1xx) answers as the upstream pools do.
    dispatcher: interimSafeAgent(),
    ...(channel === undefined ? {} : { bucketStore: ipcBucketStore(channel) }),
    spendStore: redis === undefined ? localSpend : redis.spendStore(localSpend),
    ...(redis === undefined ? {} : { globalBucketStore: redis.store }),
  };
  let runtime: Runtime;
  try {
    runtime = compileConfig(loaded.config, { env: options.env, policyDeps });
  } catch (err) {
    stderr(`${options.file}: ${err instanceof Error ? err.message : String(err)}\n`);
    await redis?.close();
    return 1;
  }
  logger =
    options.logger ?? createLogger({ level: runtime.process.logLevel, format: runtime.process.logFormat });
  for (const warning of startupWarnings(loaded.config, options.env)) logger.warn(warning);

  if (workers > 1 && !inWorker) {
    // The primary's startup is done: it only forks, watches and aggregates from here.
    releaseYoungGeneration();
    return runPrimary({
      file: options.file,
      env: options.env,
      config: loaded.config,
      runtime,
      logger,
      watch: options.watch,
      count: workers,
      signals,
    });
  }
  const link = inWorker ? workerLink() : undefined;

  let operations: Operations;
  try {
    operations = await startOperations({
      file: options.file,
      env: options.env,
      config: loaded.config,
      runtime,
      logger,
      servers: !inWorker,
      ...(link === undefined ? {} : { recentSink: link.recentSink }),
    });
  } catch (err) {
    stderr(`agw: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    await redis?.close();
    return 2;
  }
  if (redis !== undefined) redis.onError = () => operations.metrics.rateLimitStoreError();

  // Readiness opens first and says "not ready" until every bind listens.
  let draining = false;
  let listening = false;
  let watcher: ConfigWatcher | undefined;
  let readiness: ReadinessServer | undefined;
  const addr = runtime.process.readinessAddr;
  if (addr !== undefined && !inWorker) {
    try {
      readiness = await startReadiness(
        addr,
        {
          ready: () =>
            draining
              ? { ok: false, reason: "draining" }
              : !listening || watcher === undefined
                ? { ok: false, reason: "starting: binds not listening yet" }
                : readyUnless(watcher.problem()),
        },
        runtime.process.clientLimits,
      );
      logger.info({ address: addr }, `readiness on ${addr}/healthz/ready`);
    } catch (err) {
      logger.error({ err, address: addr }, "cannot open the readiness endpoint");
    }
  }

  await options.beforeListen?.();
  await redis?.connected;
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      runtime,
      logger,
      observer: operations.observer,
      ...(options.dispatcherFactory === undefined ? {} : { dispatcherFactory: options.dispatcherFactory }),
    });
  } catch (err) {
    stderr(`agw: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    await readiness?.close();
    await operations.close();
    await redis?.close();
    return 2;
  }

  const configWatcher = await watchConfig({
    file: options.file,
    env: options.env,
    gateway,
    logger,
    // In a cluster the primary watches and tells the workers to reload.
    watch: options.watch && !inWorker,
    policyDeps,
    onSwap: (rt, config) => {
      if (options.logger === undefined) logger.level = rt.process.logLevel;
      operations.applied(rt, config);
      // The Redis connection is made once, at start: a reload cannot change it, so it says so.
      const now = JSON.stringify(config.config?.redis ?? null);
      if (now !== redisAtStart && now !== lastRedisWarned) {
        lastRedisWarned = now;
        logger.warn(
          redis === undefined
            ? "config.redis was added or changed by a reload: it takes effect when agw restarts; until then globalRateLimit and budgets are kept in this process only"
            : "config.redis was changed or removed by a reload: it takes effect when agw restarts; until then the Redis agw started with is used",
        );
      } else if (now === redisAtStart) lastRedisWarned = undefined;
    },
    onReload: (ok) => {
      // The primary counts a cluster's reloads once; a worker only reports whether it is in sync.
      if (inWorker) operations.metrics.setSynchronized(ok);
      else operations.reloaded(ok);
    },
  });
  watcher = configWatcher;
  listening = true;
  releaseYoungGeneration();

  return new Promise<number>((resolveExit) => {
    const onHup = (): void => void configWatcher.reload();
    const onStop = (): void => {
      if (draining) return;
      draining = true;
      logger.info({ deadlineMs: gateway.current().process.drainTimeoutMs }, "draining");
      void (async () => {
        // drain() stops accepting synchronously, before its first await.
        const drained = gateway.drain();
        await configWatcher.close();
        await drained;
        await readiness?.close();
        await operations.close();
        await redis?.close();
        signals.off("SIGINT", onStop);
        signals.off("SIGTERM", onStop);
        signals.off("SIGHUP", onHup);
        logger.info("stopped");
        logger.flush?.();
        link?.detach();
        resolveExit(0);
      })();
    };
    signals.on("SIGINT", onStop);
    signals.on("SIGTERM", onStop);
    signals.on("SIGHUP", onHup);
    link?.attach({ watcher: configWatcher, metrics: operations.metrics, drain: onStop });
    options.onStarted?.({ gateway, watcher: configWatcher, readiness, operations });
  });
}
