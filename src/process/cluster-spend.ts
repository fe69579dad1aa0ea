/**
 * Budget spend with `workers: N`: the primary keeps it, in one in-memory SpendStore, so the
 * workers count one spend per key and a budget holds for all of them together. A worker's
 * store sends each charge (no answer needed) and asks for a spend with a request id; a spend
 * the primary does not answer within SPEND_TIMEOUT_MS rejects, which the budget policy turns
 * into 503 `budget_unavailable` (fail closed: no admission past a budget nobody checked).
 */
import { createMemorySpendStore, type SpendStore } from "../policies/spend-store.js";
import type { IpcChannel } from "./cluster-buckets.js";

export const SPEND_TIMEOUT_MS = 1000;

type ToPrimary =
  | { type: "agw:spend:add"; key: string; usd: number; periodStart: number }
  | { type: "agw:spend:get"; id: number; key: string; periodStart: number };

interface ToWorker {
  type: "agw:spend:got";
  id: number;
  usd: number;
}

/** A worker's store: every read asks the primary, every charge goes to it. */
export function ipcSpendStore(channel: IpcChannel, timeoutMs = SPEND_TIMEOUT_MS): SpendStore {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (usd: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  const fail = (id: number): void => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.reject(new Error("the primary process did not answer"));
  };
  channel.onMessage((m) => {
    const msg = m as Partial<ToWorker> | null;
    if (typeof msg !== "object" || msg === null || msg.type !== "agw:spend:got") return;
    if (typeof msg.id !== "number" || typeof msg.usd !== "number") return;
    const p = pending.get(msg.id);
    if (p === undefined) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg.usd);
  });
  const noop = (): void => {};
  return Object.freeze({
    add(key: string, usd: number, periodStart: number): number {
      channel.send({ type: "agw:spend:add", key, usd, periodStart } satisfies ToPrimary, noop);
      // The total is the primary's; a worker's charge does not wait for it.
      return Number.NaN;
    },
    get(key: string, periodStart: number): Promise<number> {
      const id = nextId++;
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => fail(id), timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        const message: ToPrimary = { type: "agw:spend:get", id, key, periodStart };
        if (!channel.send(message, () => fail(id))) fail(id);
      });
    },
  });
}

const MAX_KEY = 1024;
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export interface PrimarySpend {
  /** Answers a worker's spend message through `reply`; false when it is not one. */
  handle(message: unknown, reply: (answer: unknown) => void): boolean;
}

/** The primary's side: one store for every worker; malformed messages are dropped. */
export function primarySpend(store: SpendStore = createMemorySpendStore()): PrimarySpend {
  return {
    handle(message, reply) {
      const msg = message as Partial<ToPrimary> | null;
      if (typeof msg !== "object" || msg === null || typeof msg.type !== "string") return false;
      if (msg.type !== "agw:spend:add" && msg.type !== "agw:spend:get") return false;
      if (typeof msg.key !== "string" || msg.key.length > MAX_KEY || !finite(msg.periodStart)) return true;
      if (msg.type === "agw:spend:add") {
        const m = msg as Partial<Extract<ToPrimary, { type: "agw:spend:add" }>>;
        if (finite(m.usd) && m.usd > 0) void store.add(msg.key, m.usd, msg.periodStart);
        return true;
      }
      const m = msg as Partial<Extract<ToPrimary, { type: "agw:spend:get" }>>;
      const id = m.id;
      if (typeof id !== "number") return true;
      void Promise.resolve(store.get(msg.key, msg.periodStart)).then((usd) =>
        reply({ type: "agw:spend:got", id, usd } satisfies ToWorker),
      );
      return true;
    },
  };
}
