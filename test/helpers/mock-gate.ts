/**
 * Step control for a gated response: the mock writes chunk 1, then waits for `release()` before
 * each following chunk. A test proves ordering by awaiting events ("chunk 1 flushed", "client
 * saw chunk 1") and observing that `chunksSent` has not moved — no wall-clock assumptions.
 */
export interface GateControl {
  /** Chunks flushed to the socket so far. */
  readonly chunksSent: number;
  /** Total chunks of the body, known once the response starts (undefined before). */
  readonly totalChunks: number | undefined;
  /** Resolves once chunk `n` (1-based) has been flushed; rejects if the response ends first. */
  sent(n: number): Promise<void>;
  /** Lets `count` more chunks go (default 1). */
  release(count?: number): void;
  /** Lets everything go from now on. */
  releaseAll(): void;
  /** Resolves when the response has ended (fully sent, reset or aborted). */
  readonly done: Promise<void>;
}

/** The mock's side of a gate. */
export interface GateDriver extends GateControl {
  start(totalChunks: number): void;
  markSent(n: number): void;
  /** Waits for a permit; resolves early with `false` when `cancel` fires. */
  waitPermit(cancel: Promise<void>): Promise<boolean>;
  finish(): void;
}

export function createGate(): GateDriver {
  let chunksSent = 0;
  let total: number | undefined;
  let permits = 0;
  let unlimited = false;
  let ended = false;
  let permitWaiter: (() => void) | undefined;
  const sentWaiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const wake = () => {
    const w = permitWaiter;
    permitWaiter = undefined;
    w?.();
  };

  return {
    get chunksSent() {
      return chunksSent;
    },
    get totalChunks() {
      return total;
    },
    done,
    sent(n) {
      if (chunksSent >= n) return Promise.resolve();
      if (ended)
        return Promise.reject(new Error(`response ended after ${chunksSent} chunk(s), before chunk ${n}`));
      return new Promise<void>((resolve, reject) => sentWaiters.push({ n, resolve, reject }));
    },
    release(count = 1) {
      permits += count;
      wake();
    },
    releaseAll() {
      unlimited = true;
      wake();
    },
    start(totalChunks) {
      total = totalChunks;
    },
    markSent(n) {
      chunksSent = n;
      for (let i = sentWaiters.length - 1; i >= 0; i--) {
        const w = sentWaiters[i]!;
        if (w.n <= n) {
          sentWaiters.splice(i, 1);
          w.resolve();
        }
      }
    },
    async waitPermit(cancel) {
      while (!unlimited && permits === 0) {
        if (ended) return false;
        const woke = await Promise.race([
          new Promise<boolean>((r) => {
            permitWaiter = () => r(true);
          }),
          cancel.then(() => false),
        ]);
        if (!woke) return false;
      }
      if (!unlimited) permits -= 1;
      return true;
    },
    finish() {
      if (ended) return;
      ended = true;
      for (const w of sentWaiters.splice(0)) {
        w.reject(new Error(`response ended after ${chunksSent} chunk(s), before chunk ${w.n}`));
      }
      wake();
      resolveDone();
    },
  };
}
