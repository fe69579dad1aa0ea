/**
 * Hot reload: the config file is watched and every change becomes load → validate → compile
 * → swap of one snapshot. The file's directory is watched (not the file alone), and any event
 * there leads, after a debounce, to a look at the file itself (its content, read through any
 * symlinks): a reload happens when that differs from what the last reload read. This sees
 * editors' atomic saves (write a temporary file, rename it over the original) and Kubernetes
 * ConfigMap updates (`agw.yaml → ..data/agw.yaml`, with the `..data` symlink renamed over to a
 * new timestamped directory: the file's own name never gets an event). Watchers coalesce and
 * can drop the last events of a burst of writes, so after the events stop the file is checked
 * once more. A file that fails to load or compile leaves the old snapshot serving and marks
 * the config out of sync until a good one arrives; a file that disappears does the same, with
 * a warning, and readiness says it is missing until it is back.
 */
import { createHash } from "node:crypto";
import { readFile, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
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
  /** The file (or what its symlinks lead to) is gone; the previous configuration serves. */
  missing: boolean;
}

export interface ConfigWatcher {
  isSynchronized(): boolean;
  status(): ConfigStatus;
  /** Why readiness must say no (the file is missing, or the last reload failed), or undefined. */
  problem(): string | undefined;
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

const MISSING = "missing";

function isWithin(dir: string, path: string): boolean {
  // Not startsWith(".."): a ConfigMap's own entries are named "..data" and "..2026_...".
  const rel = relative(dir, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export async function watchConfig(options: WatchOptions): Promise<ConfigWatcher> {
  const { gateway, logger, env } = options;
  const file = resolve(options.file);
  const debounceMs = options.debounceMs ?? 150;
  const status: ConfigStatus = { synchronized: true, reloads: 0, errors: [], missing: false };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let closed = false;
  /** The file as the last reload saw it (modification time, content hash), read just before loading it. */
  let lastSeen: string | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  const settleMs = Math.max(4 * debounceMs, 250);

  /**
   * The file's modification time and content hash (symlinks followed), "missing" when it (or a link on the way)
   * does not exist, or the read error's code (then a reload reports it).
   */
  const signature = async (): Promise<string> => {
    try {
      // The modification time too: a touch retries a reload that failed for outside reasons.
      const [content, info] = await Promise.all([readFile(file), stat(file)]);
      return `${info.mtimeMs}:${createHash("sha256").update(content).digest("base64")}`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? MISSING : `error:${code ?? String(err)}`;
    }
  };

  /** The file is gone: keep serving, say so once, and wait for it to come back. */
  const missing = (): false => {
    if (!status.missing) {
      status.missing = true;
      status.synchronized = false;
      status.errors = [];
      logger.warn({ file }, "config file missing: the previous configuration keeps serving until it is back");
    }
    return false;
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
    if (lastSeen === MISSING) return missing();
    status.missing = false;
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

  /** Whether the file differs from what the last reload read (or went missing unnoticed). */
  const changed = async (): Promise<boolean> => {
    const now = await signature();
    return now === MISSING ? !status.missing : now !== lastSeen;
  };

  // After the last event of a burst: reload once more if the file changed unseen.
  const settle = (): void => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      void (async () => {
        if (closed || running !== undefined) return settle();
        if (await changed()) {
          await reload();
          settle();
        }
      })();
    }, settleMs);
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void (async () => {
        if (!closed && (await changed())) await reload();
      })();
    }, debounceMs);
    settle();
  };

  let watcher: FSWatcher | undefined;
  if (options.watch) {
    // Every entry of the directory counts (the config's name, a `..data` symlink swapped under
    // it, a temporary file renamed over it); symlinks are not followed, nor subdirectories.
    // When the file is a symlink to another directory, that directory is watched too.
    const dir = dirname(file);
    const dirs = [dir];
    const target = await realpath(file).catch(() => undefined);
    if (target !== undefined && !isWithin(dir, target)) dirs.push(dirname(target));
    watcher = watch(dirs, { depth: 0, ignoreInitial: true, followSymlinks: false });
    watcher.on("all", () => schedule());
    watcher.on("error", (err) => logger.error({ err, file }, "config watcher error"));
    await new Promise<void>((r) => watcher!.once("ready", () => r()));
  }

  return {
    isSynchronized: () => status.synchronized,
    status: () => ({ ...status, errors: [...status.errors] }),
    problem: () =>
      status.missing
        ? `config file missing: ${file} (the previous configuration keeps serving)`
        : status.synchronized
          ? undefined
          : "config out of sync (the last reload failed)",
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
