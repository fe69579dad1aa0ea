/**
 * Target choice. `weighted` is an independent draw per request over relative integer weights;
 * the random source is passed in so a test can name the exact target it expects.
 */
import type { StrategyName } from "../../config/schema.js";

/** A uniform number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * The index chosen for `weights` (each ≥ 1) given a draw `r` in [0, 1): the first index whose
 * running sum exceeds r × total. Weights [70, 30]: r < 0.7 → 0, otherwise 1.
 */
export function pickWeighted(weights: readonly number[], r: number): number {
  let total = 0;
  for (const w of weights) total += w;
  const point = r * total;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] ?? 0;
    if (point < sum) return i;
  }
  return weights.length - 1;
}

/**
 * The members tried, in order: single → the first; weighted → one drawn by weight;
 * fallback → all of them, as written.
 */
export function applyStrategy<T extends { readonly weight: number }>(
  strategy: StrategyName,
  members: readonly T[],
  random: RandomSource,
): readonly T[] {
  if (members.length <= 1) return members;
  switch (strategy) {
    case "single":
      return members.slice(0, 1);
    case "fallback":
      return members;
    case "weighted": {
      const chosen =
        members[
          pickWeighted(
            members.map((m) => m.weight),
            random(),
          )
        ];
      return chosen === undefined ? [] : [chosen];
    }
  }
}
