/**
 * Hot reload: the config file is watched and every change becomes load → validate → compile
 * → swap of one snapshot. The file's directory is watched (not the file alone) so that
 * editors' atomic saves — write a temporary file, rename it over the original — are seen;
 * bursts of events are debounced into one reload. Watchers coalesce and can drop the last
 * events of a burst of writes, so after the events stop the file is checked once more and
 * reloaded if it is not what the last reload read. A file that fails to load or compile
 * leaves the old snapshot serving and marks the config out of sync until a good one arrives.
 */
import { stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { Logger } from "pino";
import { compileConfig } from "../config/compile.js";
import type { Env } from "../config/credential.js";
import { formatDiagnostic } from "../config/diagnostic.js";
import { loadConfigFile } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { PolicyDeps } from "../policies/compile.js";
import type { Runtime } from "../runtime/snapshot.js";
import type { Gateway } from "../server/gateway.js";

export interface ConfigStatus {
  /** The snapshot serving is the file's current content. */
  synchronized: boolean;
  /** Successful reloads since start. */
  reloads: number;
  /** Located errors of the last failed reload (empty when synchronized). */
  errors: string[];
}

export interface ConfigWatcher {
  isSynchronized(): boolean;
  status(): ConfigStatus;
  /** Reloads now (SIGHUP, tests); resolves true when a new snapshot was swapped in. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

export interface WatchOptions {
  file: string;
  env: Env;
  gateway: Gateway;
  logger: Logger;
  /** Watch the file; false (`--no-watch`) still allows `reload()`. */
  watch: boolean;
  debounceMs?: number;
  /** Called after each successful swap. */
  onSwap?: (runtime: Runtime, config: Config) => void;
  /** Called after every reload attempt with its outcome. */
  onReload?: (ok: boolean) => void;
  /** For the compiled policies (a worker's shared rate-limit store). */
  policyDeps?: PolicyDeps;
}

export async function watchConfig(options: WatchOptions): Promise<ConfigWatcher> {
  const { gateway, logger, env } = options;
  const file = resolve(options.file);
  const debounceMs = options.debounceMs ?? 150;
  const status: ConfigStatus = { synchronized: true, reloads: 0, errors: [] };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let closed = false;
  /** The file as the last reload saw it (inode, size, times), before it read it. */
  let lastSeen: string | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  const settleMs = Math.max(4 * debounceMs, 250);

  const signature = async (): Promise<string | undefined> => {
    try {
      const s = await stat(file);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch {
      return undefined;
    }
  };

  const fail = (errors: string[]): false => {
    status.synchronized = false;
    status.errors = errors;
    for (const e of errors) logger.error({ file }, `config reload failed: ${e}`);
    logger.warn({ file }, "config out of sync: the previous configuration keeps serving");
    return false;
  };

  const reloadOnce = async (): Promise<boolean> => {
    lastSeen = await signature();
    const loaded = await loadConfigFile(file, env);
    for (const w of loaded.warnings) logger.warn({ file }, formatDiagnostic(w));
    if (!loaded.ok) return fail(loaded.errors.map(formatDiagnostic));
    let runtime: Runtime;
    try {
      runtime = compileConfig(loaded.config, { env, policyDeps: options.policyDeps });
    } catch (err) {
      return fail([`${file}: ${err instanceof Error ? err.message : String(err)}`]);
    }
    try {
      await gateway.swap(runtime);
    } catch (err) {
      return fail([`${file}: cannot apply: ${err instanceof Error ? err.message : String(err)}`]);
    }
    status.synchronized = true;
    status.errors = [];
    status.reloads++;
    logger.info({ file, reloads: status.reloads }, "config reloaded");
    options.onSwap?.(runtime, loaded.config);
    return true;
  };

  // One reload at a time; a change during a reload triggers one more afterwards.
  const reload = (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      let ok = false;
      do {
        again = false;
        ok = await reloadOnce();
        options.onReload?.(ok);
      } while (again && !closed);
      running = undefined;
      return ok;
    })();
    return running;
  };

  // After the last event of a burst: reload once more if the file changed unseen.
  const settle = (): void => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      void (async () => {
        if (closed || running !== undefined) return settle();
        if ((await signature()) !== lastSeen) {
          await reload();
          settle();
        }
      })();
    }, settleMs);
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
    settle();
  };

  let watcher: FSWatcher | undefined;
  if (options.watch) {
    const dir = dirname(file);
    const name = basename(file);
    watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      // Only the config file (and the directory itself, which chokidar needs) is of interest.
      ignored: (p: string) => p !== dir && basename(p) !== name,
    });
    watcher.on("all", (event, path) => {
      if (resolve(path) !== file) return;
      if (event === "add" || event === "change") schedule();
    });
    watcher.on("error", (err) => logger.error({ err, file }, "config watcher error"));
    await new Promise<void>((r) => watcher!.once("ready", () => r()));
  }

  return {
    isSynchronized: () => status.synchronized,
    status: () => ({ ...status, errors: [...status.errors] }),
    reload,
    async close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(settleTimer);
      await watcher?.close();
      await running;
    },
  };
}
