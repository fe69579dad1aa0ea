/**
 * Where budgets keep what has been spent. A spend is counted per key (a gateway key's name or
 * a route) and per period, named by the period's start (ms since the epoch): a key's total
 * starts over when a later period starts. The interface allows an answer later (a promise),
 * so a store shared across instances (Redis) can plug in; the one here is in this process.
 */

export interface SpendStore {
  /**
   * Adds `usd` to `key`'s spend in the period starting at `periodStart` (and ending at
   * `periodEnd`, when known: a shared store forgets the spend after it); the new total.
   */
  add(key: string, usd: number, periodStart: number, periodEnd?: number): number | Promise<number>;
  /** `key`'s spend in the period starting at `periodStart` (0 when none). */
  get(key: string, periodStart: number): number | Promise<number>;
}

export const DEFAULT_MAX_SPEND_KEYS = 100_000;

interface Spent {
  periodStart: number;
  usd: number;
}

/**
 * Spend in this process's memory, bounded: past `maxKeys` the least recently charged key is
 * forgotten (its spend starts over), which only matters with more keys than any config has.
 */
export function createMemorySpendStore(maxKeys = DEFAULT_MAX_SPEND_KEYS): SpendStore {
  const spent = new Map<string, Spent>();
  return Object.freeze({
    add(key: string, usd: number, periodStart: number): number {
      let s = spent.get(key);
      if (s === undefined || s.periodStart < periodStart) s = { periodStart, usd: 0 };
      else spent.delete(key);
      // A charge for an earlier period (a request that began before the reset) is not counted.
      if (s.periodStart === periodStart) s.usd += Math.max(0, usd);
      spent.set(key, s);
      if (spent.size > maxKeys) {
        const oldest = spent.keys().next().value;
        if (oldest !== undefined) spent.delete(oldest);
      }
      return s.usd;
    },
    get(key: string, periodStart: number): number {
      const s = spent.get(key);
      return s === undefined || s.periodStart !== periodStart ? 0 : s.usd;
    },
  });
}
