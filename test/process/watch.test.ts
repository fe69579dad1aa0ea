import { once } from "node:events";
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigFile } from "../../src/config/load.js";
import { type ConfigWatcher, watchConfig } from "../../src/process/watch.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { captureLogs, freePort, type LogCapture, send, startUpstream } from "../server/engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A bind per port, each routing everything to `upstream` with a route named per port. */
function yamlFor(binds: Array<{ port: number; upstream: number; route?: string }>): string {
  let out = "binds:\n";
  for (const b of binds) {
    out += `- port: ${b.port}\n  address: 127.0.0.1\n  listeners:\n  - routes:\n    - name: ${b.route ?? `r${b.port}`}\n      backends:\n      - host: 127.0.0.1:${b.upstream}\n`;
  }
  return out;
}

let configMapUpdate: ConfigMapUpdate = async () => {};

interface Setup {
  file: string;
  dir: string;
  gateway: Gateway;
  watcher: ConfigWatcher;
  logs: LogCapture;
  /** Resolves with the outcome of the next reload. */
  nextReload(): Promise<boolean>;
}

/**
 * A mounted ConfigMap as kubelet writes it: the content in a timestamped directory,
 * `..data` → that directory, `agw.yaml` → `..data/agw.yaml`. `update` writes a new version
 * the same way: a new directory, a new symlink renamed over `..data`, then the old directory
 * removed (or kept, so that the swap itself is the only event).
 */
type ConfigMapUpdate = (text: string, removeOld?: boolean) => Promise<void>;

async function configMapDir(dir: string, initial: string): Promise<ConfigMapUpdate> {
  let version = 0;
  let current = "";
  const publish = async (text: string, removeOld = true): Promise<void> => {
    version++;
    const next = `..2026_12_06_18_00_0${version}.${1000 + version}`;
    await mkdir(join(dir, next));
    await writeFile(join(dir, next, "agw.yaml"), text);
    await symlink(next, join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
    if (current !== "" && removeOld) await rm(join(dir, current), { recursive: true });
    current = next;
  };
  await publish(initial);
  await symlink("..data/agw.yaml", join(dir, "agw.yaml"));
  return publish;
}

async function setup(
  initial: string,
  layout: "file" | "configMap" | "link" = "file",
  target = "",
): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "agw-watch-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "agw.yaml");
  if (layout === "file") await writeFile(file, initial);
  else if (layout === "link") await symlink(target, file);
  else configMapUpdate = await configMapDir(dir, initial);
  const loaded = await loadConfigFile(file, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logs = captureLogs();
  const gateway = await startGateway({
    runtime: compileConfig(loaded.config, { env: {} }),
    logger: logs.logger,
  });
  cleanups.push(() => gateway.drain(1000));
  const waiters: Array<(ok: boolean) => void> = [];
  const watcher = await watchConfig({
    file,
    env: {},
    gateway,
    logger: logs.logger,
    watch: true,
    debounceMs: 50,
    onReload: (ok) => waiters.shift()?.(ok),
  });
  cleanups.push(() => watcher.close());
  return {
    file,
    dir,
    gateway,
    watcher,
    logs,
    nextReload: () => new Promise<boolean>((r) => waiters.push(r)),
  };
}

/** `p`, or a rejection naming `what` after `ms` (no test waits on a watcher forever). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An upstream that answers with its name. */
async function named(name: string) {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(name);
  });
  cleanups.push(up.close);
  return up;
}

describe("hot reload", () => {
  it("adds a port, changes a route, removes a port", async () => {
    const a = await named("a");
    const b = await named("b");
    const [p1, p2] = [await freePort(), await freePort()];
    const s = await setup(yamlFor([{ port: p1, upstream: a.port }]));
    expect((await send(p1)).body.toString()).toBe("a");

    let reloaded = s.nextReload();
    await writeFile(
      s.file,
      yamlFor([
        { port: p1, upstream: b.port },
        { port: p2, upstream: a.port },
      ]),
    );
    expect(await reloaded).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");
    expect((await send(p2)).body.toString()).toBe("a");
    expect([...s.gateway.addresses().keys()].sort()).toEqual([p1, p2].sort());
    expect(s.gateway.upstreamPools().sort()).toEqual(
      [`http://127.0.0.1:${a.port}`, `http://127.0.0.1:${b.port}`].sort(),
    );

    reloaded = s.nextReload();
    await writeFile(s.file, yamlFor([{ port: p2, upstream: b.port }]));
    expect(await reloaded).toBe(true);
    expect((await send(p2)).body.toString()).toBe("b");
    await expect(send(p1)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(s.watcher.status()).toMatchObject({ synchronized: true, reloads: 2 });
    // Nothing reaches upstream a any more: its pool is gone.
    expect(s.gateway.upstreamPools()).toEqual([`http://127.0.0.1:${b.port}`]);
  });

  it("an invalid file logs every located error, keeps the old config and reports out of sync", async () => {
    const a = await named("a");
    const b = await named("b");
    const p1 = await freePort();
    const s = await setup(yamlFor([{ port: p1, upstream: a.port }]));
    let reloaded = s.nextReload();
    await writeFile(
      s.file,
      `binds:\n- port: ${p1}\n  listeners:\n  - routes:\n    - backends:\n      - host: 127.0.0.1:${b.port}\n        colour: red\n  bogus: 1\n`,
    );
    expect(await reloaded).toBe(false);
    expect(s.watcher.isSynchronized()).toBe(false);
    const errors = s.watcher.status().errors;
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) expect(e).toMatch(/agw\.yaml:\d+:\d+: /);
    const logged = s.logs.lines.filter((l) => String(l.msg).startsWith("config reload failed"));
    expect(logged.length).toBe(errors.length);
    expect((await send(p1)).body.toString()).toBe("a");

    reloaded = s.nextReload();
    await writeFile(s.file, yamlFor([{ port: p1, upstream: b.port }]));
    expect(await reloaded).toBe(true);
    expect(s.watcher.isSynchronized()).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");
  });

  it("picks up an editor's atomic save (write a temporary file, rename it over)", async () => {
    const a = await named("a");
    const b = await named("b");
    const p1 = await freePort();
    const s = await setup(yamlFor([{ port: p1, upstream: a.port }]));
    const reloaded = s.nextReload();
    const tmp = join(s.dir, ".agw.yaml.swp");
    await writeFile(tmp, yamlFor([{ port: p1, upstream: b.port }]));
    await rename(tmp, s.file);
    expect(await reloaded).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");
  });

  it("applies a Kubernetes ConfigMap update (the ..data symlink swapped to a new directory)", async () => {
    const a = await named("a");
    const b = await named("b");
    const c = await named("c");
    const p1 = await freePort();
    const s = await setup(yamlFor([{ port: p1, upstream: a.port }]), "configMap");
    expect((await send(p1)).body.toString()).toBe("a");

    let reloaded = s.nextReload();
    // The old version stays on disk: nothing but the ..data rename tells of the change.
    await configMapUpdate(yamlFor([{ port: p1, upstream: b.port }]), false);
    expect(await within(reloaded, 5000, "reload after the first swap")).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");

    reloaded = s.nextReload();
    await configMapUpdate(yamlFor([{ port: p1, upstream: c.port }]));
    expect(await within(reloaded, 5000, "reload after the second swap")).toBe(true);
    expect((await send(p1)).body.toString()).toBe("c");
    expect(s.watcher.status()).toMatchObject({ synchronized: true, reloads: 2, missing: false });
  });

  it("a deleted file keeps the old config, warns, and is reported missing until it is back", async () => {
    const a = await named("a");
    const b = await named("b");
    const p1 = await freePort();
    const s = await setup(yamlFor([{ port: p1, upstream: a.port }]));
    let reloaded = s.nextReload();
    await unlink(s.file);
    expect(await within(reloaded, 5000, "the deletion to be noticed")).toBe(false);
    expect(s.watcher.status()).toMatchObject({ missing: true, synchronized: false });
    expect(s.watcher.problem()).toMatch(/^config file missing: .*agw\.yaml/);
    await s.logs.waitFor((l) => String(l.msg).startsWith("config file missing"));
    expect((await send(p1)).body.toString()).toBe("a");

    reloaded = s.nextReload();
    await writeFile(s.file, yamlFor([{ port: p1, upstream: b.port }]));
    expect(await within(reloaded, 5000, "the file's return")).toBe(true);
    expect(s.watcher.problem()).toBeUndefined();
    expect(s.watcher.status()).toMatchObject({ missing: false, synchronized: true });
    expect((await send(p1)).body.toString()).toBe("b");
  });

  it("follows a config file that is a symlink into another directory", async () => {
    const a = await named("a");
    const b = await named("b");
    const p1 = await freePort();
    const elsewhere = await mkdtemp(join(tmpdir(), "agw-target-"));
    cleanups.push(() => rm(elsewhere, { recursive: true, force: true }));
    const target = join(elsewhere, "real.yaml");
    await writeFile(target, yamlFor([{ port: p1, upstream: a.port }]));
    const s = await setup("", "link", target);
    expect((await send(p1)).body.toString()).toBe("a");
    const reloaded = s.nextReload();
    await writeFile(target, yamlFor([{ port: p1, upstream: b.port }]));
    expect(await within(reloaded, 5000, "reload after editing the link's target")).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");
  });

  it("a request in flight finishes on the snapshot it started with", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let arrived!: () => void;
    const slowArrived = new Promise<void>((r) => {
      arrived = r;
    });
    const slow = await startUpstream((req, res) => {
      req.resume();
      arrived();
      void released.then(() => res.end("old"));
    });
    cleanups.push(async () => release());
    cleanups.push(slow.close);
    const fresh = await named("new");
    const p1 = await freePort();
    const s = await setup(yamlFor([{ port: p1, upstream: slow.port, route: "old" }]));

    const req = http.request({ host: "127.0.0.1", port: p1, path: "/", agent: false });
    req.end();
    const response = once(req, "response");
    await slowArrived;

    const reloaded = s.nextReload();
    await writeFile(s.file, yamlFor([{ port: p1, upstream: fresh.port, route: "new" }]));
    expect(await reloaded).toBe(true);
    expect((await send(p1)).body.toString()).toBe("new");

    release();
    const [res] = (await response) as [http.IncomingMessage];
    let text = "";
    for await (const c of res) text += String(c);
    expect(text).toBe("old");
    const line = await s.logs.waitFor((l) => l.msg === "request" && l.route === "old");
    expect(line.status).toBe(200);
    // The old snapshot is released once its last request is done, and its upstream pool with it.
    expect(s.gateway.upstreamPools()).toEqual([`http://127.0.0.1:${fresh.port}`]);
  });

  it("SIGHUP-style reload() works with watching off", async () => {
    const a = await named("a");
    const b = await named("b");
    const p1 = await freePort();
    const dir = await mkdtemp(join(tmpdir(), "agw-nowatch-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "agw.yaml");
    await writeFile(file, yamlFor([{ port: p1, upstream: a.port }]));
    const loaded = await loadConfigFile(file, {});
    if (!loaded.ok) throw new Error("bad");
    const logs = captureLogs();
    const gateway = await startGateway({
      runtime: compileConfig(loaded.config, { env: {} }),
      logger: logs.logger,
    });
    cleanups.push(() => gateway.drain(1000));
    const watcher = await watchConfig({ file, env: {}, gateway, logger: logs.logger, watch: false });
    cleanups.push(() => watcher.close());
    await writeFile(file, yamlFor([{ port: p1, upstream: b.port }]));
    // Not watched: still the old config until reload() is called.
    expect((await send(p1)).body.toString()).toBe("a");
    expect(await watcher.reload()).toBe(true);
    expect((await send(p1)).body.toString()).toBe("b");
  });
});
