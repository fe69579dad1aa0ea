/**
 * Rate-limit buckets with `workers: N`: the primary keeps them, in one bounded local store
 * (DEFAULT_MAX_LISTS lists × DEFAULT_MAX_KEYS keys, the oldest forgotten first), so the
 * workers share one budget per bucket: N workers never admit more than the configured limit.
 * Each worker's limiters use an IPC-backed store: a take is a message with a request id, the
 * answer comes back with the same id; refunds and charges need no answer. A take the primary
 * does not answer within BUCKET_TIMEOUT_MS is "unavailable", which the limiter turns into a
 * 503 `rate_limit_unavailable` (fail closed: never an admission nobody counted).
 */
import {
  type BucketRef,
  type BucketStore,
  createLocalBucketStore,
  type LocalBucketStore,
  type TakeOutcome,
} from "../policies/bucket-store.js";

export const BUCKET_TIMEOUT_MS = 1000;

/** A bucket on the wire: its names and shape, flat. */
interface WireRef {
  list: string;
  key: string;
  max: number;
  perFill: number;
  intervalMs: number;
}

type ToPrimary =
  | { type: "agw:bucket:take"; id: number; refs: WireRef[]; cost: number }
  | { type: "agw:bucket:refund"; ref: WireRef; tokens: number }
  | { type: "agw:bucket:charge"; ref: WireRef; tokens: number };

interface ToWorker {
  type: "agw:bucket:took";
  id: number;
  result: TakeOutcome;
}

/** The worker's end of the IPC channel (the process in a cluster worker). */
export interface IpcChannel {
  /** False (or `failed` called later) when the message cannot go out. */
  send(message: unknown, failed: () => void): boolean;
  onMessage(listener: (message: unknown) => void): void;
}

export function processChannel(): IpcChannel {
  return {
    send(message, failed) {
      if (!process.connected || process.send === undefined) return false;
      try {
        return process.send(message, undefined, undefined, (err: Error | null) => {
          if (err !== null) failed();
        });
      } catch {
        return false;
      }
    },
    onMessage(listener) {
      process.on("message", listener);
    },
  };
}

const wire = (ref: BucketRef): WireRef => ({
  list: ref.list,
  key: ref.key,
  max: ref.spec.max,
  perFill: ref.spec.perFill,
  intervalMs: ref.spec.intervalMs,
});

/** A worker's store: every take asks the primary. */
export function ipcBucketStore(channel: IpcChannel, timeoutMs = BUCKET_TIMEOUT_MS): BucketStore {
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: TakeOutcome) => void; timer: NodeJS.Timeout }>();
  const settle = (id: number, r: TakeOutcome): void => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  };
  channel.onMessage((m) => {
    const msg = m as Partial<ToWorker> | null;
    if (typeof msg !== "object" || msg === null || msg.type !== "agw:bucket:took") return;
    if (typeof msg.id !== "number" || msg.result === undefined) return;
    settle(msg.id, msg.result);
  });
  const noop = (): void => {};
  return Object.freeze({
    take(refs: readonly BucketRef[], cost: number): Promise<TakeOutcome> {
      const id = nextId++;
      return new Promise<TakeOutcome>((resolve) => {
        const timer = setTimeout(() => settle(id, "unavailable"), timeoutMs);
        timer.unref();
        pending.set(id, { resolve, timer });
        const message: ToPrimary = { type: "agw:bucket:take", id, refs: refs.map(wire), cost };
        if (!channel.send(message, () => settle(id, "unavailable"))) settle(id, "unavailable");
      });
    },
    refund(ref: BucketRef, tokens: number) {
      channel.send({ type: "agw:bucket:refund", ref: wire(ref), tokens } satisfies ToPrimary, noop);
    },
    charge(ref: BucketRef, tokens: number) {
      channel.send({ type: "agw:bucket:charge", ref: wire(ref), tokens } satisfies ToPrimary, noop);
    },
  });
}

const MAX_NAME = 1024;
const MAX_REFS = 64;

const count = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** A bucket from a worker's message, checked (a malformed one is refused, not trusted). */
function refOf(v: unknown): BucketRef | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Partial<WireRef>;
  if (typeof r.list !== "string" || typeof r.key !== "string") return undefined;
  if (r.list.length > MAX_NAME || r.key.length > MAX_NAME) return undefined;
  if (!count(r.max) || !count(r.perFill) || !count(r.intervalMs) || r.intervalMs < 1) return undefined;
  return { list: r.list, key: r.key, spec: { max: r.max, perFill: r.perFill, intervalMs: r.intervalMs } };
}

function refsOf(v: unknown): BucketRef[] | undefined {
  if (!Array.isArray(v) || v.length > MAX_REFS) return undefined;
  const refs: BucketRef[] = [];
  for (const r of v) {
    const ref = refOf(r);
    if (ref === undefined) return undefined;
    refs.push(ref);
  }
  return refs;
}

export interface PrimaryBuckets {
  /** Answers a worker's bucket message through `reply`; false when it is not one. */
  handle(message: unknown, reply: (answer: unknown) => void): boolean;
}

/** The primary's side: one local store for every worker. */
export function primaryBuckets(store: LocalBucketStore = createLocalBucketStore()): PrimaryBuckets {
  return {
    handle(message, reply) {
      const msg = message as Partial<ToPrimary> | null;
      if (typeof msg !== "object" || msg === null || typeof msg.type !== "string") return false;
      if (msg.type === "agw:bucket:take") {
        const m = msg as Partial<Extract<ToPrimary, { type: "agw:bucket:take" }>>;
        if (typeof m.id !== "number") return true;
        const refs = refsOf(m.refs);
        const result: TakeOutcome =
          refs !== undefined && count(m.cost) ? store.take(refs, m.cost) : "unavailable";
        reply({ type: "agw:bucket:took", id: m.id, result } satisfies ToWorker);
        return true;
      }
      if (msg.type === "agw:bucket:refund" || msg.type === "agw:bucket:charge") {
        const m = msg as Partial<Extract<ToPrimary, { type: "agw:bucket:refund" }>>;
        const ref = refOf(m.ref);
        if (ref === undefined || !count(m.tokens)) return true;
        if (msg.type === "agw:bucket:refund") store.refund(ref, m.tokens);
        else store.charge(ref, m.tokens);
        return true;
      }
      return false;
    },
  };
}
