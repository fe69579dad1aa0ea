/**
 * Connection pools per upstream, shared by every snapshot that reaches that upstream so a
 * reload does not drop warm connections. A pool is closed (gracefully: queued requests still
 * finish) once no live snapshot references it. A snapshot is live while it is current or
 * has requests in flight; the gateway calls retain/release accordingly.
 */
import type { Dispatcher } from "undici";
import { skippingConnector } from "../http/interim-responses.js";
import { buildConnector, Pool } from "../http/undici.js";
import type { Runtime } from "../runtime/snapshot.js";
import type { UpstreamTarget } from "../runtime/upstream.js";

/** Makes the dispatcher for one upstream. Tests pass one that dials a local socket. */
export type DispatcherFactory = (target: UpstreamTarget) => Dispatcher;

export const defaultDispatcherFactory: DispatcherFactory = (target) =>
  new Pool(target.connectOrigin, {
    // Interim responses (100 Continue, 103 Early Hints) are dropped before undici parses.
    connect: skippingConnector(
      buildConnector(target.servername === undefined ? {} : { servername: target.servername }),
    ),
    // Upstream keep-alive well under common server idle timeouts (OpenAI closes after ~60s).
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  });

export class PoolCache {
  readonly #factory: DispatcherFactory;
  readonly #pools = new Map<string, { dispatcher: Dispatcher; refs: number }>();

  constructor(factory: DispatcherFactory = defaultDispatcherFactory) {
    this.#factory = factory;
  }

  /** The dispatcher for a target of a retained snapshot. */
  get(target: UpstreamTarget): Dispatcher {
    let entry = this.#pools.get(target.poolKey);
    if (entry === undefined) {
      // A target outside any retained snapshot (should not happen): serve it, closed on closeAll.
      entry = { dispatcher: this.#factory(target), refs: 0 };
      this.#pools.set(target.poolKey, entry);
    }
    return entry.dispatcher;
  }

  retain(runtime: Runtime): void {
    for (const [key, target] of runtime.upstreams) {
      const entry = this.#pools.get(key);
      if (entry === undefined) this.#pools.set(key, { dispatcher: this.#factory(target), refs: 1 });
      else entry.refs++;
    }
  }

  release(runtime: Runtime): void {
    for (const key of runtime.upstreams.keys()) {
      const entry = this.#pools.get(key);
      if (entry === undefined) continue;
      entry.refs--;
      if (entry.refs <= 0) {
        this.#pools.delete(key);
        entry.dispatcher.close().catch(() => {});
      }
    }
  }

  /** Upstreams with an open pool (for tests and the admin dump). */
  keys(): string[] {
    return [...this.#pools.keys()];
  }

  async closeAll(): Promise<void> {
    const all = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(all.map((e) => e.dispatcher.destroy().catch(() => {})));
  }
}
