/**
 * Budget periods: daily, weekly (from Monday) and monthly start at 00:00 UTC; a duration is a
 * fixed window counted from the Unix epoch. Pure functions of a time in ms.
 */
import { parseDuration } from "../config/duration.js";

export interface PeriodBounds {
  /** ms since the epoch. */
  readonly start: number;
  readonly end: number;
}

export type BudgetPeriod = (now: number) => PeriodBounds;

const DAY = 86_400_000;

export function budgetPeriod(period: string): BudgetPeriod {
  switch (period) {
    case "daily":
      return (now) => {
        const start = Math.floor(now / DAY) * DAY;
        return { start, end: start + DAY };
      };
    case "weekly":
      return (now) => {
        const day = Math.floor(now / DAY);
        // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
        const start = (day - ((day + 3) % 7)) * DAY;
        return { start, end: start + 7 * DAY };
      };
    case "monthly":
      return (now) => {
        const d = new Date(now);
        const y = d.getUTCFullYear();
        const m = d.getUTCMonth();
        return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
      };
    default: {
      const ms = Math.max(1, parseDuration(period));
      return (now) => {
        const start = Math.floor(now / ms) * ms;
        return { start, end: start + ms };
      };
    }
  }
}
